"""Shipping cost per merchant from simple rules: a flat rate per country, free above a threshold.

A merchant's rule for the destination country wins over its `*` rule; no rule at all means the
merchant does not deliver there (`NoShipping`), which the summary tells the buyer before any
order is placed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.errors import NoShipping
from orders.models import ShippingRule

ANY_COUNTRY = "*"


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule as plain data, so the cost can be computed (and tested) without a database."""

    country: str
    rate_minor: int
    free_above_minor: int | None = None


def shipping_cost(
    rules: Iterable[Rule], *, country: str, subtotal_minor: int, merchant_name: str = ""
) -> int:
    """The shipping cost in the merchant's minor units for a subtotal sent to `country`.

    "Free above" includes the threshold itself: a 50.00 threshold makes a 50.00 order free.
    """
    by_country = {rule.country: rule for rule in rules}
    rule = by_country.get(country.upper()) or by_country.get(ANY_COUNTRY)
    if rule is None:
        raise NoShipping(merchant=merchant_name, country=country)
    if rule.free_above_minor is not None and subtotal_minor >= rule.free_above_minor:
        return 0
    return rule.rate_minor


async def rules_for(session: AsyncSession, *, merchant_ids: Sequence[int]) -> dict[int, list[Rule]]:
    """Every rule of the given merchants, grouped by merchant."""
    grouped: dict[int, list[Rule]] = {merchant_id: [] for merchant_id in merchant_ids}
    if not merchant_ids:
        return grouped
    rows = await session.scalars(
        select(ShippingRule).where(ShippingRule.merchant_id.in_(list(merchant_ids)))
    )
    for row in rows:
        grouped.setdefault(row.merchant_id, []).append(
            Rule(row.country, row.rate_minor, row.free_above_minor)
        )
    return grouped


async def set_rule(
    session: AsyncSession,
    *,
    merchant_id: int,
    country: str,
    rate_minor: int,
    free_above_minor: int | None = None,
) -> ShippingRule:
    """Creates or replaces the merchant's rule for `country` (`*` for everywhere else)."""
    code = country.strip().upper()
    if code != ANY_COUNTRY and (len(code) != 2 or not code.isalpha()):
        raise ValueError(f"country must be an ISO alpha-2 code or '*', got {country!r}")
    if rate_minor < 0 or (free_above_minor is not None and free_above_minor < 0):
        raise ValueError("shipping amounts cannot be negative")
    rule = await session.scalar(
        select(ShippingRule).where(
            ShippingRule.merchant_id == merchant_id, ShippingRule.country == code
        )
    )
    if rule is None:
        rule = ShippingRule(merchant_id=merchant_id, country=code)
        session.add(rule)
    rule.rate_minor = rate_minor
    rule.free_above_minor = free_above_minor
    await session.flush()
    return rule
