"""Stripe's integer amounts: the one place that turns `Money` into Stripe's minor units and back.

INTEGRATION POINT: `money/` is getting one tested table of provider minor-unit rules. Until it
lands, these two functions hold the Stripe rules themselves; when it does, their bodies become
calls into `money` and nothing else in `payments/` changes.

Stripe's rules (docs.stripe.com/currencies), and where they differ from CLDR's precision:
- most currencies: CLDR precision (USD 12.34 → 1234; JPY, KRW, UGX… are zero-decimal: 500 → 500);
- ISK: CLDR says 0 digits, Stripe keeps a two-decimal form whose decimals must be 00
  (5 ISK → 500);
- HUF and TWD: two-decimal for charges (as CLDR); the whole-unit rule applies only to payouts;
- three-decimal currencies (BHD, JOD, KWD, OMR, TND): the last digit must be 0
  (5.120 KWD → 5120; 5.124 is refused, round it to 0.01 first).
"""

from __future__ import annotations

from decimal import Decimal

from money import Money, exponent
from payments.base import InvalidAmount

# Currencies whose Stripe exponent differs from CLDR's.
_STRIPE_EXPONENT = {"ISK": 2}
# Stripe's minor amount must be a multiple of this (ISK whole krónur, three-decimal tens).
_STRIPE_STEP = {"ISK": 100, "BHD": 10, "JOD": 10, "KWD": 10, "OMR": 10, "TND": 10}


def _stripe_exponent(currency: str) -> int:
    return _STRIPE_EXPONENT.get(currency, exponent(currency))


def to_stripe_minor(money: Money) -> int:
    """The integer Stripe expects for `money`; refuses amounts Stripe would reject or truncate."""
    scaled = money.amount.scaleb(_stripe_exponent(money.currency))
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{money} has more digits than Stripe takes for {money.currency}")
    minor = int(scaled)
    step = _STRIPE_STEP.get(money.currency, 1)
    if minor % step:
        raise InvalidAmount(
            f"Stripe charges {money.currency} only in steps of "
            f"{Decimal(step).scaleb(-_stripe_exponent(money.currency))}: {money} does not fit"
        )
    return minor


def from_stripe_minor(minor: int, currency: str) -> Money:
    """`Money` from Stripe's integer amount and (lowercase) currency code."""
    code = currency.upper()
    return Money(Decimal(minor).scaleb(-_stripe_exponent(code)), code)
