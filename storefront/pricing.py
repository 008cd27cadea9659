"""The buyer's prices for one update: the latest rates, the clock, and the currency shown.

Prices are shown in the buyer's currency when the rate table converts it; a currency the ECB
does not quote (EGP, RUB, SAR, ...) cannot be converted honestly, so prices are then shown in
`FALLBACK_CURRENCY` and the view says why. A budget the buyer typed ("under 50") becomes one
`PriceRange` per merchant in that merchant's own currency, the way the search index filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from catalog.search import ParsedQuery, PriceRange
from db import utcnow
from money import Money, UnknownCurrency, normalise_code
from money.conversion import ConversionPolicy, Quote, rounding_quantum
from money.rate_store import latest_rates
from money.rates import RateNotAvailable, RateTable
from orders import catalog_port
from orders.pricing import Quoter, make_quoter

FALLBACK_CURRENCY = "USD"


def merchant_policy(merchant: Merchant) -> ConversionPolicy:
    """The merchant's conversion policy, read the one way the cart and checkout read it."""
    return catalog_port._policy(merchant)  # one rule for card, cart and order alike


@dataclass(frozen=True, slots=True)
class ShownPrice:
    """One price as the buyer reads it, beside the merchant's own."""

    buyer: Money  # in the shown currency; the merchant's price when it could not be converted
    merchant: Money
    approx: bool  # converted at stale rates

    @property
    def converted(self) -> bool:
        return self.buyer.currency != self.merchant.currency


@dataclass(frozen=True, slots=True)
class MerchantTerms:
    """What pricing needs of a merchant: its currency and its conversion policy."""

    merchant_id: int
    currency: str
    policy: ConversionPolicy


@dataclass(frozen=True, slots=True)
class Pricing:
    rates: RateTable
    currency: str  # the currency prices are shown in
    wanted: str  # the buyer's own currency (differs from `currency` when it has no rate)
    now: datetime
    max_rate_age: timedelta

    @property
    def quoter(self) -> Quoter:
        return make_quoter(self.rates, now=self.now, max_rate_age=self.max_rate_age)

    def quote(self, price: Money, policy: ConversionPolicy) -> Quote | None:
        try:
            return self.quoter(price, self.currency, policy)
        except RateNotAvailable:
            return None

    def show(self, price: Money, policy: ConversionPolicy) -> ShownPrice:
        quote = self.quote(price, policy)
        if quote is None:  # the merchant's currency has no rate: its own price is all we know
            return ShownPrice(price, price, approx=False)
        return ShownPrice(quote.displayed, price, approx=quote.approx)

    def price_limits(
        self, parsed: ParsedQuery, merchants: Iterable[MerchantTerms]
    ) -> dict[int, PriceRange] | None:
        """The buyer's budget in each merchant's currency; None when the query set no limits.

        Limits are in the currency the buyer named, else in the shown one. A merchant whose
        currency cannot be converted is left out (its prices cannot be checked against the
        budget). The margin is taken into account so a product shown at 49.90 passes "under
        50"; the bounds are rounded outwards, never excluding a product the buyer would accept.
        """
        if parsed.min_price is None and parsed.max_price is None:
            return None
        source = self.currency
        if parsed.price_currency:
            try:
                source = normalise_code(parsed.price_currency)
            except UnknownCurrency:
                source = self.currency
        limits: dict[int, PriceRange] = {}
        for merchant in merchants:
            low = self._to_merchant(parsed.min_price, source, merchant, ROUND_FLOOR)
            high = self._to_merchant(parsed.max_price, source, merchant, ROUND_CEILING)
            if (parsed.min_price is None or low is not None) and (
                parsed.max_price is None or high is not None
            ):
                limits[merchant.merchant_id] = PriceRange(low, high)
        return limits

    def _to_merchant(
        self, amount: Decimal | None, source: str, merchant: MerchantTerms, rounding: str
    ) -> Decimal | None:
        if amount is None:
            return None
        if source == merchant.currency:
            return amount
        try:
            rate = self.rates.rate(source, merchant.currency)
        except (RateNotAvailable, UnknownCurrency):
            return None
        factor = 1 + merchant.policy.margin_percent / 100
        return (amount * rate / factor).quantize(
            rounding_quantum(merchant.currency), rounding=rounding
        )


async def buyer_pricing(
    session: AsyncSession, *, currency: str, max_rate_age: timedelta, now: datetime | None = None
) -> Pricing:
    """Pricing for a buyer who reads `currency`, from the newest stored (or bundled) rates."""
    rates = await latest_rates(session)
    assert rates is not None  # with the bundled fallback there are always rates
    shown = currency
    if currency not in rates.currencies:
        shown = FALLBACK_CURRENCY if FALLBACK_CURRENCY in rates.currencies else rates.base
    return Pricing(rates, shown, currency, now or utcnow(), max_rate_age)
