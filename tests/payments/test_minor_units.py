"""Stripe's minor units as the payment layer sees them: the live path uses `money.providers`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from money import Money
from payments import InvalidAmount
from payments.minor_units import from_stripe_minor, to_stripe_minor


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("12.34", "USD", 1234),
        ("0.5", "EUR", 50),
        ("500", "JPY", 500),
        ("5000", "KRW", 5000),
        ("60000", "UGX", 6000000),  # Stripe's special case: two-decimal form, whole shillings
        ("1.250", "KWD", 1250),
        ("0.5", "BHD", 500),
        ("5", "ISK", 500),  # CLDR says 0 digits; Stripe keeps ISK two-decimal
        ("12.34", "HUF", 1234),  # two-decimal for charges
        ("100", "TWD", 10000),
        ("10", "HUF", 1000),
        ("12", "ALL", 1200),  # CLDR writes lek without decimals; Stripe's default is two
    ],
)
def test_money_to_stripe_minor_units(amount: str, currency: str, minor: int) -> None:
    money = Money.of(amount, currency)

    assert to_stripe_minor(money) == minor
    assert from_stripe_minor(minor, currency.lower()) == money


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("12.345", "USD"),  # a fraction of a cent
        ("1.5", "JPY"),  # yen have no fractions
        ("1.234", "KWD"),  # three-decimal: the last digit must be 0
        ("5.5", "ISK"),  # whole krónur only
        ("1.5", "UGX"),  # whole shillings only
    ],
)
def test_amounts_stripe_cannot_take_are_refused(amount: str, currency: str) -> None:
    with pytest.raises(InvalidAmount):
        to_stripe_minor(Money.of(amount, currency))


STEPS = {"USD": 1, "JPY": 1, "KWD": 10, "ISK": 100, "HUF": 1, "UGX": 100}


@given(currency=st.sampled_from(sorted(STEPS)), units=st.integers(0, 10**12))
def test_round_trip_from_stripe_and_back(currency: str, units: int) -> None:
    minor = units * STEPS[currency]

    assert to_stripe_minor(from_stripe_minor(minor, currency)) == minor
