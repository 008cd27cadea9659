"""A merchant's conversion policy and the quotes it produces: what a buyer sees and pays.

A price in the merchant's currency becomes a price in the buyer's by the mid rate plus the
merchant's FX margin (like Shopify Markets' conversion fee), rounded once, at the end, to what
the currency can show and the provider can charge. The `Quote` records every input (rate, its
date, margin, expiry), so an order that keeps its quote says exactly what the buyer saw, and
the price can be recomputed from the quote alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, Inexact
from typing import Literal, TypeGuard, get_args

from money.currency import exponent, normalise_code
from money.money import Money
from money.providers import charge_quantum
from money.rates import RateTable, published_at

PriceEnding = Literal["99", "whole"]
ChargeCurrency = Literal["buyer", "merchant"]

HUNDRED = Decimal(100)
MAX_MARGIN_PERCENT = Decimal(100)
DEFAULT_QUOTE_TTL = timedelta(minutes=30)
# Products are exact in decimal when the context has room for every digit; the trap turns any
# silent rounding before the one deliberate rounding into an error.
_EXACT = Context(prec=100, traps=[Inexact])


@dataclass(frozen=True, slots=True)
class ConversionPolicy:
    """How one merchant converts prices for buyers who pay in another currency.

    `margin_percent` is added on top of the ECB mid rate (2 → the buyer pays 2 % more than mid).
    `price_ending` dresses converted prices up, always upwards so never below cost:
    "99" → the next amount ending in .99 (12.34 → 12.99, 13.00 → 13.99; KWD 12.345 → 12.990;
    currencies without minor units, like JPY, are only made whole), "whole" → the next whole
    unit (12.01 → 13). `charge_currency`: does checkout charge the buyer's currency (at the
    quoted price) or the merchant's (the buyer's price is then an indication)?
    `quote_ttl`: how long a quote holds before checkout re-quotes.
    """

    margin_percent: Decimal = Decimal(0)
    price_ending: PriceEnding | None = None
    charge_currency: ChargeCurrency = "buyer"
    quote_ttl: timedelta = DEFAULT_QUOTE_TTL

    def __post_init__(self) -> None:
        margin = self.margin_percent
        if isinstance(margin, float | bool) or not isinstance(margin, Decimal | int | str):
            raise TypeError("margin_percent is a Decimal, int or str, never float")
        margin = Decimal(margin)
        if not margin.is_finite() or not Decimal(0) <= margin < MAX_MARGIN_PERCENT:
            raise ValueError(f"margin_percent must be in [0, 100), got {margin}")
        object.__setattr__(self, "margin_percent", margin)
        price_ending_of(self.price_ending)
        charge_currency_of(self.charge_currency)
        if self.quote_ttl <= timedelta(0):
            raise ValueError("quote_ttl must be positive")


def _is_price_ending(value: object) -> TypeGuard[PriceEnding]:
    return value in get_args(PriceEnding)


def _is_charge_currency(value: object) -> TypeGuard[ChargeCurrency]:
    return value in get_args(ChargeCurrency)


def price_ending_of(value: str | None) -> PriceEnding | None:
    """`value` (as stored or typed) as a price ending; ValueError if it is not one."""
    if value is None or _is_price_ending(value):
        return value
    raise ValueError(f"price_ending must be None, '99' or 'whole': {value!r}")


def charge_currency_of(value: str) -> ChargeCurrency:
    """`value` (as stored or typed) as a charge currency; ValueError if it is not one."""
    if _is_charge_currency(value):
        return value
    raise ValueError(f"charge_currency must be 'buyer' or 'merchant': {value!r}")


@dataclass(frozen=True, slots=True)
class Quote:
    """A converted price and everything it was computed from.

    `converted`: source × rate × (1 + margin), rounded half-up to the currency's precision (and
    the provider's, if one was named). `displayed`: `converted` with the policy's price ending,
    the figure the buyer is shown. `charge`: what checkout asks for: `displayed` when the
    merchant charges in the buyer's currency, the merchant's own `source` price when they charge
    in theirs or when the rates are `stale` (a stale rate may show an "≈" price, never bill one).
    """

    source: Money
    converted: Money
    displayed: Money
    charge: Money
    rate: Decimal
    rate_date: date
    margin_percent: Decimal
    created_at: datetime
    expires_at: datetime
    stale: bool

    @property
    def approx(self) -> bool:
        """Show "≈" before `displayed`: it was converted at rates older than allowed."""
        return self.stale and self.converted.currency != self.source.currency

    @property
    def effective_rate(self) -> Decimal:
        """The rate the buyer effectively gets: mid rate with the margin on top."""
        return _EXACT.multiply(self.rate, _margin_factor(self.margin_percent))

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def to_record(self) -> dict[str, str]:
        """Plain strings (JSON-ready, exact), for an order to keep with its lines."""
        record = {
            "rate": _text(self.rate),
            "rate_date": self.rate_date.isoformat(),
            "margin_percent": _text(self.margin_percent),
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "stale": "true" if self.stale else "false",
        }
        for name in ("source", "converted", "displayed", "charge"):
            money: Money = getattr(self, name)
            record[f"{name}_amount"] = _text(money.amount)
            record[f"{name}_currency"] = money.currency
        return record

    @classmethod
    def from_record(cls, record: dict[str, str]) -> Quote:
        def money(name: str) -> Money:
            return Money(Decimal(record[f"{name}_amount"]), record[f"{name}_currency"])

        return cls(
            source=money("source"),
            converted=money("converted"),
            displayed=money("displayed"),
            charge=money("charge"),
            rate=Decimal(record["rate"]),
            rate_date=date.fromisoformat(record["rate_date"]),
            margin_percent=Decimal(record["margin_percent"]),
            created_at=datetime.fromisoformat(record["created_at"]),
            expires_at=datetime.fromisoformat(record["expires_at"]),
            stale={"true": True, "false": False}[record["stale"]],
        )


def _text(value: Decimal) -> str:
    return format(value, "f")


def _margin_factor(margin_percent: Decimal) -> Decimal:
    return _EXACT.add(Decimal(1), _EXACT.divide(margin_percent, HUNDRED))


def rounding_quantum(currency: str, provider: str | None = None) -> Decimal:
    """The step converted prices are rounded to: CLDR's, or the coarser provider's if named."""
    code = normalise_code(currency)
    if provider is not None:
        return charge_quantum(code, provider)
    return Decimal(1).scaleb(-exponent(code))


def convert(
    amount: Money, to_currency: str, rate: Decimal, margin_percent: Decimal, quantum: Decimal
) -> Money:
    """`amount` × `rate` × (1 + margin/100), computed exactly and rounded half-up once."""
    exact = _EXACT.multiply(_EXACT.multiply(amount.amount, rate), _margin_factor(margin_percent))
    return Money(exact.quantize(quantum, rounding=ROUND_HALF_UP), to_currency)


def apply_ending(money: Money, ending: PriceEnding | None, quantum: Decimal) -> Money:
    """The policy's price ending, never lowering the price (see `ConversionPolicy`).

    Zero and negative amounts (free items, discounts) are left alone.
    """
    if ending is None or money.amount <= 0:
        return money
    whole = money.amount.to_integral_value(rounding=ROUND_FLOOR)
    if ending == "whole" or quantum >= 1:
        ceiling = whole if whole == money.amount else whole + 1
        return Money(ceiling.quantize(quantum), money.currency)
    fraction = Decimal("0.99") if quantum <= Decimal("0.01") else 1 - quantum
    candidate = whole + fraction
    if candidate < money.amount:
        candidate += 1
    return Money(candidate.quantize(quantum), money.currency)


def quote(
    price: Money,
    to_currency: str,
    rates: RateTable,
    policy: ConversionPolicy,
    *,
    now: datetime,
    max_rate_age: timedelta,
    provider: str | None = None,
) -> Quote:
    """`price` (the merchant's) quoted in `to_currency` (the buyer's) under `policy`.

    Raises `RateNotAvailable` when the table lacks either currency and `UnknownCurrency` for a
    code that is none. The same currency gives an identity quote (rate 1, no margin, no
    ending: the merchant's own price is shown as it is). `provider` (e.g. "stripe") rounds to
    what that provider can charge as well (Stripe KWD: 0.01, not 0.001). Rates whose date is
    more than `max_rate_age` before `now` make the quote `stale`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    target = normalise_code(to_currency)
    expires_at = now + policy.quote_ttl
    if target == price.currency:
        return Quote(
            source=price,
            converted=price,
            displayed=price,
            charge=price,
            rate=Decimal(1),
            rate_date=now.date(),
            margin_percent=Decimal(0),
            created_at=now,
            expires_at=expires_at,
            stale=False,
        )
    rate = rates.rate(price.currency, target)
    rate_date = rates.rate_date(price.currency, target)
    stale = now - published_at(rate_date) > max_rate_age
    quantum = rounding_quantum(target, provider)
    converted = convert(price, target, rate, policy.margin_percent, quantum)
    displayed = apply_ending(converted, policy.price_ending, quantum)
    in_buyer_currency = policy.charge_currency == "buyer" and not stale
    return Quote(
        source=price,
        converted=converted,
        displayed=displayed,
        charge=displayed if in_buyer_currency else price,
        rate=rate,
        rate_date=rate_date,
        margin_percent=policy.margin_percent,
        created_at=now,
        expires_at=expires_at,
        stale=stale,
    )
