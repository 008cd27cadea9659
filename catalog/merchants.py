"""Finding and creating merchants by their slug, the short id the CLI and the files use."""

from __future__ import annotations

import re
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import SLUG_MAX, Merchant
from money import normalise_code

SLUG_PATTERN: Final = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,{SLUG_MAX - 1}}}")


def is_valid_slug(slug: str) -> bool:
    """Lowercase ASCII letters, digits, `-` and `_`: safe in a URL, a file name and a command."""
    return SLUG_PATTERN.fullmatch(slug) is not None


async def find_merchant(session: AsyncSession, *, slug: str) -> Merchant | None:
    return await session.scalar(select(Merchant).where(Merchant.slug == slug))


async def create_merchant(
    session: AsyncSession,
    *,
    slug: str,
    currency: str,
    name: str | None = None,
    language: str = "en",
) -> Merchant:
    """A new merchant, flushed so it has an id; its name defaults to the slug until it sets one."""
    if not is_valid_slug(slug):
        raise ValueError(f"invalid merchant slug {slug!r}")
    merchant = Merchant(
        slug=slug, name=name or slug, currency=normalise_code(currency), language=language
    )
    session.add(merchant)
    await session.flush()
    return merchant
