"""A shop's own texts for the questions buyers ask before and after buying: its returns, shipping
and payment policies. The operator sets them from files (`chatshop merchant policy`); the
assistant answers "can I return it?" with each shop's returns text, "do you ship to Spain?" and
"how do I pay?" with its other two beside the facts the bot computes itself.

A text is the shop's words, shown as written (escaped, never read as markup) in whatever
language the shop wrote it; an empty text takes a policy away.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from merchants.models import MerchantSettings
from merchants.settings import settings_of

MAX_POLICY_CHARS: Final = 2000  # a Telegram message holds 4096; several shops may answer


class PolicyKind(StrEnum):
    RETURNS = "returns"
    SHIPPING = "shipping"
    PAYMENT = "payment"


class PolicyTooLong(ValueError):
    """The text is longer than `MAX_POLICY_CHARS`."""


@dataclass(frozen=True, slots=True)
class ShopPolicy:
    merchant_id: int
    shop_name: str
    text: str


async def set_policy(
    session: AsyncSession, *, merchant_id: int, kind: PolicyKind, text: str
) -> None:
    """Sets (or, with an empty text, removes) one of the shop's policies."""
    text = text.strip()
    if len(text) > MAX_POLICY_CHARS:
        raise PolicyTooLong(f"{len(text)} characters; at most {MAX_POLICY_CHARS}")
    row = await settings_of(session, merchant_id)
    policies = dict(row.policies or {})
    if text:
        policies[kind.value] = text
    else:
        policies.pop(kind.value, None)
    row.policies = policies  # a new dict: JSON columns notice assignment, not mutation


async def policies_of(session: AsyncSession, *, merchant_id: int) -> dict[PolicyKind, str]:
    own = (await settings_of(session, merchant_id)).policies or {}
    return {kind: own[kind.value] for kind in PolicyKind if kind.value in own}


async def shop_policies(session: AsyncSession, kind: PolicyKind) -> tuple[ShopPolicy, ...]:
    """Every shop's text of one kind, by shop name; shops without one are left out."""
    rows = await session.execute(
        select(Merchant.id, Merchant.name, MerchantSettings.policies)
        .join(MerchantSettings, MerchantSettings.merchant_id == Merchant.id)
        .order_by(Merchant.name)
    )
    return tuple(
        ShopPolicy(merchant_id, name, policies[kind.value])
        for merchant_id, name, policies in rows
        if policies and policies.get(kind.value)
    )
