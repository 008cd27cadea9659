"""Prices in the buyer's currency: the cart and checkout price lines the way the shop shows them.

A buyer is shown each product at its converted price (`money.conversion.quote`: mid rate plus
the merchant's margin, rounded, dressed with the merchant's price ending). The cart and the
order add up exactly those shown prices, so the total the buyer pays is the sum of the prices
they read, never a separately converted figure a cent away. Shipping is converted the same way
but never dressed with a price ending.

`orders/` does no FX arithmetic of its own: a `Quoter` wraps `money.conversion.quote` with the
rates and clock of the current update; tests build one over a hand-made `RateTable`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from money import Money
from money.conversion import ConversionPolicy, Quote, quote
from money.rates import RateTable


class Quoter(Protocol):
    def __call__(self, amount: Money, buyer_currency: str, policy: ConversionPolicy) -> Quote: ...


def make_quoter(
    rates: RateTable, *, now: datetime, max_rate_age: timedelta, provider: str | None = None
) -> Quoter:
    """A quoter for one update: these rates, this clock, rounding for this payment provider."""

    def quoter(amount: Money, buyer_currency: str, policy: ConversionPolicy) -> Quote:
        return quote(
            amount,
            buyer_currency,
            rates,
            policy,
            now=now,
            max_rate_age=max_rate_age,
            provider=provider,
        )

    return quoter


@dataclass(frozen=True, slots=True)
class PricedLine:
    """One line's unit price, in the merchant's currency and as shown to the buyer."""

    unit: Money
    buyer_unit: Money
    quantity: int
    quote: Quote

    @property
    def total(self) -> Money:
        return self.unit * self.quantity

    @property
    def buyer_total(self) -> Money:
        return self.buyer_unit * self.quantity


@dataclass(frozen=True, slots=True)
class MerchantPrice:
    """A merchant's part priced: sums of shown prices, plus shipping, and how it is charged."""

    lines: tuple[PricedLine, ...]
    currency: str
    buyer_currency: str
    shipping: Money
    buyer_shipping: Money
    charge_in_buyer_currency: bool
    rate: Decimal
    rate_date: date | None
    margin_percent: Decimal
    approx: bool  # converted at stale rates: shown with "≈", charged in the merchant's currency

    @property
    def subtotal(self) -> Money:
        return _sum((line.total for line in self.lines), self.currency)

    @property
    def buyer_subtotal(self) -> Money:
        return _sum((line.buyer_total for line in self.lines), self.buyer_currency)

    @property
    def total(self) -> Money:
        return self.subtotal + self.shipping

    @property
    def buyer_total(self) -> Money:
        return self.buyer_subtotal + self.buyer_shipping

    @property
    def charge(self) -> Money:
        """What the payment asks for: the buyer's total, or the merchant's own."""
        return self.buyer_total if self.charge_in_buyer_currency else self.total


def _sum(amounts: Iterable[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for amount in amounts:
        total += amount
    return total


def price_line(
    quoter: Quoter, unit: Money, quantity: int, buyer_currency: str, policy: ConversionPolicy
) -> PricedLine:
    unit_quote = quoter(unit, buyer_currency, policy)
    return PricedLine(unit, unit_quote.displayed, quantity, unit_quote)


def price_merchant(
    quoter: Quoter,
    lines: Sequence[PricedLine],
    *,
    currency: str,
    buyer_currency: str,
    shipping: Money,
    policy: ConversionPolicy,
) -> MerchantPrice:
    """The merchant's lines plus `shipping`, converted line by line as the buyer saw them."""
    shipping_quote = quoter(shipping, buyer_currency, replace(policy, price_ending=None))
    quotes = [line.quote for line in lines] + [shipping_quote]
    in_buyer = all(q.charge.currency == buyer_currency for q in quotes)
    reference = next((q for q in quotes if q.source.currency != buyer_currency), quotes[0])
    same = currency == buyer_currency
    return MerchantPrice(
        lines=tuple(lines),
        currency=currency,
        buyer_currency=buyer_currency,
        shipping=shipping,
        buyer_shipping=shipping_quote.displayed,
        charge_in_buyer_currency=in_buyer,
        rate=Decimal(1) if same else reference.rate,
        rate_date=None if same else reference.rate_date,
        margin_percent=Decimal(0) if same else reference.margin_percent,
        approx=any(q.approx for q in quotes),
    )
