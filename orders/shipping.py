"""Shipping from the merchant's rules: a rate per country, free above a threshold, in so many days.

A merchant's rule for the destination country wins over its `*` rule; no rule at all means the
merchant does not deliver there (`NoShipping`; `ShopNotOpen` when it has no rule anywhere, so
cannot sell yet), which the cart tells the buyer before checkout.
A rule may step its rate by the number of items (`Tier`s: "from 3 items, 6.90") or price the
parcel by its weight (`WeightTier`s: "up to 2 kg 4.90, up to 5 kg 9.90"), not both. With weight
tiers the tiers are the whole price list: the first tier whose limit the order's weight does not
exceed applies (exactly 2 kg is "up to 2 kg"), and an order heavier than the last tier is not
delivered to that zone (`TooHeavy`), as Shopify's weight-based rates do, rather than shipped at
a price the merchant never set. Free delivery from an order value still wins over either kind of
tier, the weight limit included: the merchant promised it. Variants without a weight weigh 0.
A zone the
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
from orders.errors import NoShipping, ShopNotOpen, TooHeavy
from orders.models import ShippingRule

ANY_COUNTRY = "*"
MAX_DAYS = 365
MAX_TIERS = 10
MAX_GRAMS = 10_000_000  # 10 tonnes: far above any parcel, far below the JSON's integers


@dataclass(frozen=True, slots=True, order=True)
class Tier:
    """From `min_items` items in the order, the rate is `rate_minor`."""

    min_items: int
    rate_minor: int


@dataclass(frozen=True, slots=True, order=True)
class WeightTier:
    """Parcels up to `max_grams` (inclusive) cost `rate_minor`."""

    max_grams: int
    rate_minor: int


@dataclass(frozen=True, slots=True)
class Terms:
    """What a rule charges and promises, without the country: the same for a whole zone."""

    rate_minor: int
    free_above_minor: int | None = None
    min_days: int | None = None
    max_days: int | None = None
    item_tiers: tuple[Tier, ...] = ()
    # With weight tiers, `rate_minor` is the first tier's rate (what "from" displays show).
    weight_tiers: tuple[WeightTier, ...] = ()

    def __post_init__(self) -> None:
        # Tiers in ascending order, so equal terms compare equal however they were typed.
        object.__setattr__(self, "item_tiers", tuple(sorted(self.item_tiers)))
        object.__setattr__(self, "weight_tiers", tuple(sorted(self.weight_tiers)))
        check_terms(self)

    @property
    def max_grams(self) -> int | None:
        """The heaviest order delivered (None: no weight limit)."""
        return max(tier.max_grams for tier in self.weight_tiers) if self.weight_tiers else None

    def rate_for(self, items: int, grams: int = 0) -> int | None:
        """The rate for an order of `items` items weighing `grams`; None: too heavy to deliver.

        Weight tiers: the lightest tier the weight fits in. Item tiers: the highest reached,
        else the base rate.
        """
        if self.weight_tiers:
            fits = [tier for tier in sorted(self.weight_tiers) if grams <= tier.max_grams]
            return fits[0].rate_minor if fits else None
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
    weight_tiers: tuple[WeightTier, ...] = ()

    @property
    def terms(self) -> Terms:
        return Terms(
            self.rate_minor,
            self.free_above_minor,
            self.min_days,
            self.max_days,
            self.item_tiers,
            self.weight_tiers,
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
    # When the order is too heavy for the shop's weight tiers: its weight and the limit, grams.
    order_grams: int | None = None
    max_grams: int | None = None


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
    check_weight_tiers(terms)


def check_weight_tiers(terms: Terms) -> None:
    if not terms.weight_tiers:
        return
    if terms.item_tiers:
        raise ValueError("a rule has item tiers or weight tiers, not both")
    if len(terms.weight_tiers) > MAX_TIERS:
        raise ValueError(f"at most {MAX_TIERS} weight tiers")
    limits = [tier.max_grams for tier in terms.weight_tiers]
    if len(set(limits)) != len(limits) or any(
        not 0 < tier.max_grams <= MAX_GRAMS or tier.rate_minor < 0 for tier in terms.weight_tiers
    ):
        raise ValueError(f"weight tiers: each limit once, 1 g to {MAX_GRAMS} g, rate of 0 or more")


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
    grams: int = 0,
    merchant_name: str = "",
) -> DeliveryQuote:
    """Delivery of an order (`subtotal_minor`, `items`, `grams`) to `country`.

    `NoShipping` if the merchant does not deliver there, `TooHeavy` (a `NoShipping`) if the
    order weighs more than its last weight tier. "Free above" includes the threshold itself: a
    50.00 threshold makes a 50.00 order free, whatever it weighs.
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
    cost = terms.rate_for(items, grams)
    if cost is None:
        raise TooHeavy(
            merchant=merchant_name, country=country.upper(), grams=grams, limit=terms.max_grams or 0
        )
    missing = free_from - subtotal_minor if free_from is not None and cost > 0 else None
    return DeliveryQuote(country.upper(), cost, terms, missing)


def shipping_cost(
    rules: Iterable[Rule],
    *,
    country: str,
    subtotal_minor: int,
    items: int = 1,
    grams: int = 0,
    merchant_name: str = "",
) -> int:
    """The shipping cost in the merchant's minor units for an order sent to `country`."""
    return quote_delivery(
        rules,
        country=country,
        subtotal_minor=subtotal_minor,
        items=items,
        grams=grams,
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
    weights = tuple(
        sorted(WeightTier(int(limit), int(rate)) for limit, rate in row.weight_tiers or ())
    )
    return Rule(row.country, row.rate_minor, row.free_above_minor, row.min_days, row.max_days,
                tiers, weights)  # fmt: skip


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
    weight_tiers: Sequence[WeightTier] = (),
) -> ShippingRule:
    """Creates or replaces the merchant's rule for `country` (`*` for everywhere else)."""
    code = check_country(country)
    terms = Terms(rate_minor, free_above_minor, min_days, max_days, tuple(sorted(item_tiers)),
                  tuple(sorted(weight_tiers)))  # fmt: skip
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
    rule.weight_tiers = [[t.max_grams, t.rate_minor] for t in terms.weight_tiers] or None
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
            weight_tiers=terms.weight_tiers,
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
