"""The one table of provider minor units: Stripe's rules row by row, and every Stripe currency
rounds trip without losing or inventing a unit, whatever CLDR version babel ships."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision
from hypothesis import given
from hypothesis import strategies as st

from money import Money
from money.providers import (
    STRIPE,
    STRIPE_CURRENCIES,
    MinorUnitRule,
    NotChargeable,
    UnknownProvider,
    charge_quantum,
    from_provider_minor_units,
    provider_minor_units,
)

# (currency, Stripe exponent, Stripe multiple) — written out once more by hand from Stripe's
# "Supported currencies" page, so a slip in the table shows here. CLDR is deliberately absent:
# babel 2.19 changed HUF to 0 digits, and what Stripe is sent must not follow such changes.
EXPECTED = [
    ("USD", 2, 1),
    ("EUR", 2, 1),
    ("JPY", 0, 1),
    ("KRW", 0, 1),
    ("CLP", 0, 1),
    ("VND", 0, 1),
    ("XOF", 0, 1),
    ("KWD", 3, 10),
    ("BHD", 3, 10),
    ("JOD", 3, 10),
    ("OMR", 3, 10),
    ("TND", 3, 10),
    ("ISK", 2, 100),  # whole krónur, sent in two-decimal form: the last two digits are 00
    ("UGX", 2, 100),  # the same special case, although Stripe also lists it as zero-decimal
    ("HUF", 2, 1),  # zero-decimal at Stripe only for payouts
    ("TWD", 2, 1),  # likewise
    ("ALL", 2, 1),  # CLDR writes no decimals; Stripe's default is two-decimal
]


@pytest.mark.parametrize(("code", "stripe_exponent", "multiple"), EXPECTED)
def test_table_matches_stripe(code: str, stripe_exponent: int, multiple: int) -> None:
    rule = STRIPE.rule(code)
    assert (rule.exponent, rule.multiple_of) == (stripe_exponent, multiple)


def test_every_rule_is_for_a_currency_stripe_lists() -> None:
    assert set(STRIPE.rules) <= STRIPE_CURRENCIES


def test_every_exception_says_why() -> None:
    for code, rule in STRIPE.rules.items():
        assert rule.note, code


@pytest.mark.parametrize(
    ("money", "expected"),
    [
        (Money.of("10.00", "USD"), 1000),
        (Money.of("10.99", "USD"), 1099),
        (Money.of("500", "JPY"), 500),
        (Money.of("5", "ISK"), 500),
        (Money.of("60000", "UGX"), 6000000),
        (Money.of("5.120", "KWD"), 5120),
        (Money.of("10.45", "HUF"), 1045),
        (Money.of("800.45", "TWD"), 80045),
        (Money.of("12", "ALL"), 1200),
        (Money.of("10", "HUF"), 1000),
    ],
)
def test_stripe_amounts(money: Money, expected: int) -> None:
    assert provider_minor_units(money, "stripe") == expected
    assert from_provider_minor_units(expected, money.currency, "stripe") == money


@pytest.mark.parametrize(
    "money",
    [
        Money.of("5.50", "ISK"),  # no fractions of ISK
        Money.of("1.5", "UGX"),
        Money.of("5.124", "KWD"),  # last digit must be 0
        Money.of("1.5", "JPY"),
        Money.of("0.001", "USD"),
    ],
)
def test_not_chargeable_amounts_are_refused_not_rounded(money: Money) -> None:
    with pytest.raises(NotChargeable, match=money.currency):
        provider_minor_units(money, "stripe")


@pytest.mark.parametrize(
    ("code", "quantum"),
    [("USD", "0.01"), ("JPY", "1"), ("ISK", "1"), ("UGX", "1"), ("KWD", "0.01"), ("ALL", "1")],
)
def test_charge_quantum_is_the_coarser_of_cldr_and_stripe(code: str, quantum: str) -> None:
    step = charge_quantum(code, "stripe")
    assert step == Decimal(quantum)
    # quantize() rounds to the quantum's exponent, so the digits matter, not only the value.
    assert step.as_tuple().exponent == Decimal(quantum).as_tuple().exponent
    assert Decimal("6.128").quantize(step) == Decimal("6.128").quantize(Decimal(quantum))


def test_multiple_of_must_be_a_power_of_ten() -> None:
    with pytest.raises(ValueError):
        MinorUnitRule(2, multiple_of=5)


def test_cldr_provider_follows_babel() -> None:
    assert provider_minor_units(Money.of("5.124", "KWD"), "cldr") == 5124
    assert provider_minor_units(Money.of("5", "ISK"), "cldr") == 5
    assert charge_quantum("KWD", "cldr") == Decimal("0.001")


def test_unknown_provider_and_float_amounts_are_refused() -> None:
    with pytest.raises(UnknownProvider):
        provider_minor_units(Money.of(1, "USD"), "paypal-ish")
    with pytest.raises(TypeError):
        from_provider_minor_units(10.0, "USD")  # type: ignore[arg-type]  # the float it refuses


CODES = st.sampled_from(sorted(STRIPE_CURRENCIES))


@given(code=CODES, steps=st.integers(min_value=-(10**12), max_value=10**12))
def test_chargeable_amounts_round_trip_without_losing_a_unit(code: str, steps: int) -> None:
    """Any multiple of the charge quantum goes to the provider and back unchanged."""
    money = Money(charge_quantum(code, "stripe") * steps, code)
    minor = provider_minor_units(money, "stripe")
    assert from_provider_minor_units(minor, code, "stripe") == money
    assert minor % STRIPE.rule(code).multiple_of == 0


@given(code=CODES, steps=st.integers(min_value=-(10**12), max_value=10**12))
def test_a_finer_amount_is_refused_never_truncated(code: str, steps: int) -> None:
    """A tenth of Stripe's step more than a chargeable amount is refused: it would be cut off."""
    quantum = STRIPE.rule(code).quantum
    money = Money(quantum * steps + quantum / 10, code)
    with pytest.raises(NotChargeable):
        provider_minor_units(money, "stripe")


@given(code=CODES)
def test_the_charge_quantum_can_be_shown_and_charged(code: str) -> None:
    """Rounded to the quantum, a price is displayable (CLDR) and chargeable (Stripe) at once."""
    quantum = charge_quantum(code, "stripe")
    assert quantum >= Decimal(1).scaleb(-get_currency_precision(code))
    assert provider_minor_units(Money(quantum, code), "stripe") >= 1


@given(code=CODES, minor=st.integers(min_value=-(10**12), max_value=10**12))
def test_cldr_minor_units_round_trip(code: str, minor: int) -> None:
    assert Money.from_minor(minor, code).to_minor() == minor
