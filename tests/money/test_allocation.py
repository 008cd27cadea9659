"""Allocation: the parts always add up to the total, to the minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from money import Money
from money.allocation import allocate


def amounts(parts: list[Money]) -> list[str]:
    return [str(part.amount) for part in parts]


def test_ten_dollars_over_three_lines() -> None:
    assert amounts(allocate(Money.of("10.00", "USD"), [1, 1, 1])) == ["3.34", "3.33", "3.33"]


def test_largest_remainder_not_first_line() -> None:
    assert amounts(allocate(Money.of("0.05", "USD"), [3, 1, 1])) == ["0.03", "0.01", "0.01"]
    # 0.10 over 1:2 → exact 3.33 and 6.67 cents: the larger remainder (the second) gets the cent.
    assert amounts(allocate(Money.of("0.10", "USD"), [1, 2])) == ["0.03", "0.07"]


def test_zero_decimal_and_three_decimal_currencies() -> None:
    assert amounts(allocate(Money.of("100", "JPY"), [1, 1, 1])) == ["34", "33", "33"]
    assert amounts(allocate(Money.of("1.000", "KWD"), [1, 1, 1])) == ["0.334", "0.333", "0.333"]


def test_decimal_weights_and_zero_weights() -> None:
    parts = allocate(Money.of("9.99", "EUR"), [Decimal("1.5"), 0, Decimal("0.5")])
    assert amounts(parts) == ["7.49", "0.00", "2.50"]
    assert sum(p.amount for p in parts) == Decimal("9.99")


def test_negative_total_splits_like_its_absolute_value() -> None:
    assert amounts(allocate(Money.of("-10.00", "USD"), [1, 1, 1])) == ["-3.34", "-3.33", "-3.33"]


@pytest.mark.parametrize(
    ("total", "weights", "error"),
    [
        (Money.of("1.00", "USD"), [], ValueError),
        (Money.of("1.00", "USD"), [0, 0], ValueError),
        (Money.of("1.00", "USD"), [1, -1], ValueError),
        (Money.of("1.00", "USD"), [1.0, 2.0], TypeError),
        (Money.of("1.00", "USD"), [True, False], TypeError),
        (Money.of("1.005", "USD"), [1, 1], ValueError),  # not a whole number of cents
    ],
)
def test_bad_input(total: Money, weights: list, error: type[Exception]) -> None:
    with pytest.raises(error):
        allocate(total, weights)


CURRENCIES = st.sampled_from(["USD", "JPY", "KWD", "EUR", "ISK"])
WEIGHTS = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**6),
        st.decimals(min_value=0, max_value=10**4, places=3, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=30,
).filter(lambda ws: any(w > 0 for w in ws))


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15), currency=CURRENCIES, weights=WEIGHTS
)
def test_parts_sum_to_the_total(minor: int, currency: str, weights: list) -> None:
    total = Money.from_minor(minor, currency)
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(part.to_minor() for part in parts) == minor
    assert all(part.currency == currency for part in parts)


@given(minor=st.integers(min_value=0, max_value=10**12), weights=WEIGHTS)
def test_each_part_is_within_one_unit_of_its_exact_share(minor: int, weights: list) -> None:
    parts = allocate(Money.from_minor(minor, "USD"), weights)
    weight_sum = sum(Decimal(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(minor) * Decimal(weight) / weight_sum
        assert abs(part.to_minor() - exact) < 1
        if weight == 0:
            assert part.to_minor() == 0
