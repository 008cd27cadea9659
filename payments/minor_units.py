"""Stripe's integer amounts, in the words of `payments/`: the rules themselves are the one table
in `money.providers` (written from Stripe's "Supported currencies" page, independent of the CLDR
version babel ships); this module only turns its refusal into the payment layer's error.
"""

from __future__ import annotations

from money import Money
from money.providers import NotChargeable, from_provider_minor_units, provider_minor_units
from payments.base import InvalidAmount


def to_stripe_minor(money: Money) -> int:
    """The integer Stripe expects for `money`; refuses amounts Stripe would reject or truncate."""
    try:
        return provider_minor_units(money, "stripe")
    except NotChargeable as error:
        raise InvalidAmount(str(error)) from None


def from_stripe_minor(minor: int, currency: str) -> Money:
    """`Money` from Stripe's integer amount and (lowercase) currency code."""
    return from_provider_minor_units(minor, currency.upper(), "stripe")
