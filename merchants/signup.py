"""Who may open a shop, and how a shop made by the CLI finds its group: one-time codes.

- A claim code is printed by `chatshop merchant add` (or `merchant claim-code`): `/setup SLUG
  CODE`, sent by an admin of a group, makes that group the shop's order chat and its sender the
  first staff member. A new claim code replaces the shop's unused one.
- An invite code (`chatshop merchant invite`) lets one group open a shop with `/newshop CODE`
  when the operator's signup policy is `invite`; `open` needs none, `closed` refuses everyone.

Codes are random (about 60 bits), shown once and stored only as their SHA-256: a database leak
does not give them away, and being random they need no slow password hash. Each is used once:
the use is a conditional UPDATE, so two groups racing with the same code cannot both win.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Final

from anyascii import anyascii
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.merchants import create_merchant, find_merchant
from catalog.models import SLUG_MAX
from db import utcnow
from i18n.locales import catalog_language
from merchants.models import MerchantSettings, SignupCode
from merchants.settings import Shop, shop_by_slug, shop_of
from merchants.staff import add_staff, is_staff

# Unambiguous letters and digits (no 0/O, 1/I/L): read aloud or copied from a screen.
ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final = 12  # 31**12, about 2**59


class CodeKind(StrEnum):
    CLAIM = "claim"
    INVITE = "invite"


class Signup(StrEnum):
    """The operator's policy for /newshop (`CHATSHOP_SIGNUP`)."""

    OPEN = "open"
    INVITE = "invite"
    CLOSED = "closed"


def new_code() -> str:
    """XXXX-XXXX-XXXX, from the system's cryptographic random source."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_hash(code: str) -> str:
    """The stored form; spaces, dashes and case do not matter to whoever types the code."""
    normal = re.sub(r"[\s-]+", "", code).upper()
    return hashlib.sha256(normal.encode()).hexdigest()


async def issue_claim_code(session: AsyncSession, *, merchant_id: int) -> str:
    """A new claim code for the shop (its unused older one stops working)."""
    await session.execute(
        delete(SignupCode).where(
            SignupCode.kind == CodeKind.CLAIM.value,
            SignupCode.merchant_id == merchant_id,
            SignupCode.used_at.is_(None),
        )
    )
    return await _issue(session, CodeKind.CLAIM, merchant_id)


async def issue_invite(session: AsyncSession) -> str:
    return await _issue(session, CodeKind.INVITE, None)


async def _issue(session: AsyncSession, kind: CodeKind, merchant_id: int | None) -> str:
    code = new_code()
    session.add(SignupCode(kind=kind.value, code_hash=code_hash(code), merchant_id=merchant_id))
    await session.flush()
    return code


async def _use(
    session: AsyncSession, kind: CodeKind, code: str, *, merchant_id: int | None,
    user_id: int, now: datetime,
) -> bool:  # fmt: skip
    """Marks the code used by `user_id`; False when it is wrong, used, or for another shop."""
    statement = update(SignupCode).where(
        SignupCode.kind == kind.value,
        SignupCode.code_hash == code_hash(code),
        SignupCode.used_at.is_(None),
    )
    if merchant_id is not None:
        statement = statement.where(SignupCode.merchant_id == merchant_id)
    result = await session.execute(statement.values(used_at=now, used_by=user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def invite_is_valid(session: AsyncSession, code: str) -> bool:
    """Whether an unused invite has this code (checked when /newshop starts; used at the end)."""
    found = await session.scalar(
        select(SignupCode.id).where(
            SignupCode.kind == CodeKind.INVITE.value,
            SignupCode.code_hash == code_hash(code),
            SignupCode.used_at.is_(None),
        )
    )
    return found is not None


async def chat_is_free(session: AsyncSession, chat_id: int, *, merchant_id: int = 0) -> bool:
    """No shop other than `merchant_id` sends its notices to `chat_id`."""
    taken = await session.scalar(
        select(MerchantSettings.merchant_id).where(
            MerchantSettings.notify_chat_id == chat_id,
            MerchantSettings.merchant_id != merchant_id,
        )
    )
    return taken is None


async def claim_shop(
    session: AsyncSession, *, slug: str, code: str | None, chat_id: int, user_id: int,
    user_name: str = "", now: datetime | None = None,
) -> Shop | None:  # fmt: skip
    """`/setup SLUG CODE`: the shop now notified in `chat_id`, or None (nothing changed).

    The shop's staff may move it to another group without a code; anyone else needs the shop's
    unused claim code, which this uses up. A group serves one shop only.
    """
    shop = await shop_by_slug(session, slug.strip().lower())
    if shop is None:
        return None
    merchant_id = shop.merchant.id
    if not await chat_is_free(session, chat_id, merchant_id=merchant_id):
        return None
    staff = await is_staff(session, merchant_id=merchant_id, user_id=user_id)
    used = staff or (bool(code) and await _use(
        session, CodeKind.CLAIM, code or "", merchant_id=merchant_id, user_id=user_id,
        now=now or utcnow(),
    ))  # fmt: skip
    if not used:
        return None
    shop.settings.notify_chat_id = chat_id
    await add_staff(session, merchant_id=merchant_id, user_id=user_id, name=user_name)
    await session.flush()
    return shop


class OpenRefused(StrEnum):
    CLOSED = "closed"  # the operator takes no new shops
    NEEDS_INVITE = "needs_invite"  # the policy is `invite` and the code is missing or used
    CHAT_TAKEN = "chat_taken"  # this group already serves a shop


class ShopNotOpened(Exception):
    def __init__(self, reason: OpenRefused) -> None:
        super().__init__(reason.value)
        self.reason = reason


async def may_open(
    session: AsyncSession, *, policy: Signup, invite: str | None, chat_id: int
) -> None:
    """Raises `ShopNotOpened` when /newshop may not start in `chat_id` (nothing is used up)."""
    if policy is Signup.CLOSED:
        raise ShopNotOpened(OpenRefused.CLOSED)
    if policy is Signup.INVITE and not (invite and await invite_is_valid(session, invite)):
        raise ShopNotOpened(OpenRefused.NEEDS_INVITE)
    if not await chat_is_free(session, chat_id):
        raise ShopNotOpened(OpenRefused.CHAT_TAKEN)


async def open_shop(
    session: AsyncSession, *, policy: Signup, invite: str | None, name: str, currency: str,
    language: str, chat_id: int, user_id: int, user_name: str = "", now: datetime | None = None,
) -> Shop:  # fmt: skip
    """A new shop with `chat_id` as its order chat and `user_id` as its staff; the invite (when
    the policy asks for one) is used up. Raises `ShopNotOpened`, or ValueError for a bad
    currency (checked by the dialog before)."""
    await may_open(session, policy=policy, invite=invite, chat_id=chat_id)
    if policy is Signup.INVITE and not (
        invite and await _use(session, CodeKind.INVITE, invite, merchant_id=None,
                              user_id=user_id, now=now or utcnow())
    ):  # fmt: skip
        raise ShopNotOpened(OpenRefused.NEEDS_INVITE)
    slug = await free_slug(session, name)
    merchant = await create_merchant(
        session, slug=slug, currency=currency, name=name, language=catalog_language(language)
    )
    shop = await shop_of(session, merchant.id)
    assert shop is not None
    shop.settings.language = language
    shop.settings.notify_chat_id = chat_id
    await add_staff(session, merchant_id=merchant.id, user_id=user_id, name=user_name)
    await session.flush()
    return shop


async def free_slug(session: AsyncSession, name: str) -> str:
    """A slug from the shop's name ("Café Lumière" → "cafe-lumiere"), made unique."""
    # Short enough for the shop's link: Telegram's start parameter takes 64 characters.
    base = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-")[: min(SLUG_MAX, 40)]
    base = base.strip("-") or "shop"
    slug, number = base, 1
    while await find_merchant(session, slug=slug) is not None:
        number += 1
        slug = f"{base}-{number}"
    return slug
