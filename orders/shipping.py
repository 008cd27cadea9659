"""Shipping from the merchant's rules: a rate per country, free above a threshold, in so many days.

A merchant's rule for the destination country wins over its `*` rule; no rule at all means the
merchant does not deliver there (`NoShipping`; `ShopNotOpen` when it has no rule anywhere, so
cannot sell yet), which the cart tells the buyer before checkout.
A rule may step its rate by the number of items (`Tier`s: "from 3 items, 6.90"). A zone the
merchant sets in one go ("DE,FR,AT at 4.90, 3-5 days") is stored as one row per country with the
same terms and grouped back by `zones`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from money import Money
from orders.errors import NoShipping, ShopNotOpen
from orders.models import ShippingRule

ANY_COUNTRY = "*"
MAX_DAYS = 365
MAX_TIERS = 10


@dataclass(frozen=True, slots=True, order=True)
class Tier:
    """From `min_items` items in the order, the rate is `rate_minor`."""

    min_items: int
    rate_minor: int


@dataclass(frozen=True, slots=True)
class Terms:
    """What a rule charges and promises, without the country: the same for a whole zone."""

    rate_minor: int
    free_above_minor: int | None = None
    min_days: int | None = None
    max_days: int | None = None
    item_tiers: tuple[Tier, ...] = ()

    def __post_init__(self) -> None:
        check_terms(self)

    def rate_for(self, items: int) -> int:
        """The rate for an order of `items` items: the highest tier reached, else the base."""
        rate = self.rate_minor
        for tier in sorted(self.item_tiers):
            if items >= tier.min_items:
                rate = tier.rate_minor
        return rate

    @property
    def days(self) -> tuple[int, int] | None:
        if self.min_days is None or self.max_days is None:
            return None
        return self.min_days, self.max_days


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule as plain data, so the cost can be computed (and tested) without a database."""

    country: str
    rate_minor: int
    free_above_minor: int | None = None
    min_days: int | None = None
    max_days: int | None = None
    item_tiers: tuple[Tier, ...] = ()

    @property
    def terms(self) -> Terms:
        return Terms(
            self.rate_minor, self.free_above_minor, self.min_days, self.max_days, self.item_tiers
        )


@dataclass(frozen=True, slots=True)
class Zone:
    """Countries that share the same terms (display and export only)."""

    countries: tuple[str, ...]
    terms: Terms


@dataclass(frozen=True, slots=True)
class DeliveryQuote:
    """What delivery to one country costs for one order, and how long it takes."""

    country: str
    cost_minor: int
    terms: Terms
    # How much more (merchant's minor units) would make delivery free; None: no threshold, or free.
    missing_for_free_minor: int | None

    @property
    def days(self) -> tuple[int, int] | None:
        return self.terms.days


@dataclass(frozen=True, slots=True)
class ShopDelivery:
    """One shop's delivery for the cart as it is now, amounts in the buyer's currency."""

    merchant_id: int
    delivers: bool  # False: the shop does not deliver to the country (or nowhere yet)
    has_rules: bool  # False: the shop has set no shipping at all, so it cannot sell yet
    cost: Money | None = None
    days: tuple[int, int] | None = None
    missing_for_free: Money | None = None  # "add this much more for free delivery"
    approx: bool = False


@dataclass(frozen=True, slots=True)
class CartDelivery:
    """Delivery estimates for the cart: to which country, and each shop's part."""

    country: str | None  # None: not known yet (the buyer is asked)
    chosen: bool  # the buyer said so (or saved it at checkout), rather than guessed
    shops: tuple[ShopDelivery, ...] = ()

    def of(self, merchant_id: int) -> ShopDelivery | None:
        return next((shop for shop in self.shops if shop.merchant_id == merchant_id), None)

    @property
    def blocked(self) -> bool:
        """Some shop in the cart does not deliver to the country."""
        return any(not shop.delivers for shop in self.shops)


def check_terms(terms: Terms) -> None:
    """Raises ValueError for terms no rule may hold (negative amounts, days out of order)."""
    if terms.rate_minor < 0 or (terms.free_above_minor is not None and terms.free_above_minor < 0):
        raise ValueError("shipping amounts cannot be negative")
    if (terms.min_days is None) != (terms.max_days is None):
        raise ValueError("give both the fewest and the most days, or neither")
    if (
        terms.min_days is not None
        and terms.max_days is not None
        and not 0 <= terms.min_days <= terms.max_days <= MAX_DAYS
    ):
        raise ValueError(f"delivery days must be 0 <= min <= max <= {MAX_DAYS}")
    if len(terms.item_tiers) > MAX_TIERS:
        raise ValueError(f"at most {MAX_TIERS} item tiers")
    seen: set[int] = set()
    for tier in terms.item_tiers:
        if tier.min_items < 2 or tier.rate_minor < 0 or tier.min_items in seen:
            raise ValueError("item tiers start from 2 items, once each, at a rate of 0 or more")
        seen.add(tier.min_items)


def check_country(country: str) -> str:
    """`de` → `DE`; `*` stays; anything else than two letters or `*` is a ValueError."""
    code = country.strip().upper()
    if code != ANY_COUNTRY and (len(code) != 2 or not code.isascii() or not code.isalpha()):
        raise ValueError(f"country must be an ISO alpha-2 code or '*', got {country!r}")
    return code


def rule_for(rules: Iterable[Rule], country: str) -> Rule | None:
    """The rule that applies to `country`: its own, else the merchant's `*`, else None."""
    by_country = {rule.country: rule for rule in rules}
    return by_country.get(country.upper()) or by_country.get(ANY_COUNTRY)


def quote_delivery(
    rules: Iterable[Rule],
    *,
    country: str,
    subtotal_minor: int,
    items: int = 1,
    merchant_name: str = "",
) -> DeliveryQuote:
    """Delivery of an order (`subtotal_minor`, `items`) to `country`; `NoShipping` if none.

    "Free above" includes the threshold itself: a 50.00 threshold makes a 50.00 order free.
    """
    rules = list(rules)
    rule = rule_for(rules, country)
    if rule is None:
        refusal = ShopNotOpen if not rules else NoShipping
        raise refusal(merchant=merchant_name, country=country)
    terms = rule.terms
    free_from = terms.free_above_minor
    if free_from is not None and subtotal_minor >= free_from:
        return DeliveryQuote(country.upper(), 0, terms, None)
    cost = terms.rate_for(items)
    missing = free_from - subtotal_minor if free_from is not None and cost > 0 else None
    return DeliveryQuote(country.upper(), cost, terms, missing)


def shipping_cost(
    rules: Iterable[Rule],
    *,
    country: str,
    subtotal_minor: int,
    items: int = 1,
    merchant_name: str = "",
) -> int:
    """The shipping cost in the merchant's minor units for an order sent to `country`."""
    return quote_delivery(
        rules,
        country=country,
        subtotal_minor=subtotal_minor,
        items=items,
        merchant_name=merchant_name,
    ).cost_minor


def delivery_dates(days: tuple[int, int], *, today: date) -> tuple[date, date]:
    """The earliest and latest arrival for an order placed `today` (calendar days)."""
    return today + timedelta(days=days[0]), today + timedelta(days=days[1])


def zones(rules: Iterable[Rule]) -> list[Zone]:
    """Rules grouped by identical terms, countries sorted with `*` last; zones ordered the same."""
    grouped: dict[Terms, list[str]] = {}
    for rule in rules:
        grouped.setdefault(rule.terms, []).append(rule.country)

    def key(country: str) -> tuple[bool, str]:
        return country == ANY_COUNTRY, country

    found = [Zone(tuple(sorted(codes, key=key)), terms) for terms, codes in grouped.items()]
    return sorted(found, key=lambda zone: key(zone.countries[0]))


# --- storage ------------------------------------------------------------------------------------


def _rule(row: ShippingRule) -> Rule:
    tiers = tuple(sorted(Tier(int(low), int(rate)) for low, rate in row.item_tiers or ()))
    return Rule(row.country, row.rate_minor, row.free_above_minor, row.min_days, row.max_days,
                tiers)  # fmt: skip


async def rules_for(session: AsyncSession, *, merchant_ids: Sequence[int]) -> dict[int, list[Rule]]:
    """Every rule of the given merchants, grouped by merchant."""
    grouped: dict[int, list[Rule]] = {merchant_id: [] for merchant_id in merchant_ids}
    if not merchant_ids:
        return grouped
    rows = await session.scalars(
        select(ShippingRule)
        .where(ShippingRule.merchant_id.in_(list(merchant_ids)))
        .order_by(ShippingRule.id)
    )
    for row in rows:
        grouped.setdefault(row.merchant_id, []).append(_rule(row))
    return grouped


async def merchant_rules(session: AsyncSession, *, merchant_id: int) -> list[Rule]:
    return (await rules_for(session, merchant_ids=[merchant_id]))[merchant_id]


async def has_rules(session: AsyncSession, *, merchant_id: int) -> bool:
    """False for a shop that delivers nowhere yet: buyers cannot check out from it."""
    count = await session.scalar(
        select(func.count())
        .select_from(ShippingRule)
        .where(ShippingRule.merchant_id == merchant_id)
    )
    return bool(count)


async def set_rule(
    session: AsyncSession,
    *,
    merchant_id: int,
    country: str,
    rate_minor: int,
    free_above_minor: int | None = None,
    min_days: int | None = None,
    max_days: int | None = None,
    item_tiers: Sequence[Tier] = (),
) -> ShippingRule:
    """Creates or replaces the merchant's rule for `country` (`*` for everywhere else)."""
    code = check_country(country)
    terms = Terms(rate_minor, free_above_minor, min_days, max_days, tuple(sorted(item_tiers)))
    rule = await session.scalar(
        select(ShippingRule).where(
            ShippingRule.merchant_id == merchant_id, ShippingRule.country == code
        )
    )
    if rule is None:
        rule = ShippingRule(merchant_id=merchant_id, country=code)
        session.add(rule)
    rule.rate_minor = terms.rate_minor
    rule.free_above_minor = terms.free_above_minor
    rule.min_days, rule.max_days = terms.min_days, terms.max_days
    rule.item_tiers = [[t.min_items, t.rate_minor] for t in terms.item_tiers] or None
    await session.flush()
    return rule


async def set_zone(
    session: AsyncSession, *, merchant_id: int, countries: Iterable[str], terms: Terms
) -> tuple[str, ...]:
    """The same terms for every country of a zone (each replaces that country's rule)."""
    codes = tuple(dict.fromkeys(check_country(country) for country in countries))
    if not codes:
        raise ValueError("a zone needs at least one country")
    for code in codes:
        await set_rule(
            session,
            merchant_id=merchant_id,
            country=code,
            rate_minor=terms.rate_minor,
            free_above_minor=terms.free_above_minor,
            min_days=terms.min_days,
            max_days=terms.max_days,
            item_tiers=terms.item_tiers,
        )
    return codes


async def remove_rules(
    session: AsyncSession, *, merchant_id: int, countries: Iterable[str] | None
) -> tuple[str, ...]:
    """Removes the rules for `countries` (None: every rule); returns the countries removed."""
    scope = [ShippingRule.merchant_id == merchant_id]
    if countries is not None:
        codes = [check_country(country) for country in countries]
        scope.append(ShippingRule.country.in_(codes))
    removed = tuple(
        sorted((await session.scalars(select(ShippingRule.country).where(*scope))).all())
    )
    await session.execute(delete(ShippingRule).where(*scope))
    await session.flush()
    return removed
