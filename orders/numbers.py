"""Order numbers a buyer can read out on the phone: `7KQ-3M9`.

Six characters from an alphabet without 0/O, 1/I/L and U/V look-alikes: about 6·10^8 numbers,
random rather than sequential so they reveal nothing about the shop's volume and cannot be
enumerated. Uniqueness is the database's job (a unique index); `new_numbers` avoids the ones
already taken so the index never has to refuse a placement.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import Order

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
LENGTH = 6
_TYPED = re.compile(r"^#?\s*([A-Za-z0-9]{3})[\s-]?([A-Za-z0-9]{3})$")


def generate() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:3]}-{raw[3:]}"


async def new_numbers(session: AsyncSession, count: int) -> list[str]:
    """`count` distinct numbers no existing order has."""
    numbers: set[str] = set()
    while len(numbers) < count:
        candidates = {generate() for _ in range(count - len(numbers))} - numbers
        taken = set(
            (await session.scalars(select(Order.number).where(Order.number.in_(candidates)))).all()
        )
        numbers |= candidates - taken
    return sorted(numbers)


def normalise_number(text: str) -> str | None:
    """The canonical `ABC-DEF` form of what a buyer typed ("7kq 3m9", "#7KQ3M9"), or None."""
    if not isinstance(text, str) or len(text) > 20:
        return None
    match = _TYPED.match(text.strip())
    if match is None:
        return None
    raw = (match.group(1) + match.group(2)).upper()
    if any(char not in ALPHABET for char in raw):
        return None
    return f"{raw[:3]}-{raw[3:]}"
