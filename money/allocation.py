"""Splitting a total over lines so the parts add up to the total, to the minor unit.

Multiplying each line by a ratio and rounding loses or invents a cent (10.00 over three lines is
3.33 × 3 = 9.99). Largest remainder fixes that: every line gets the floor of its exact share, and
the few minor units left go, one each, to the lines whose shares were cut the most.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from money.money import Money

Weight = int | Decimal


def _integer_weights(weights: Sequence[Weight]) -> list[int]:
    """Decimal weights scaled by one power of ten into integers, so the arithmetic stays exact."""
    decimals: list[Decimal] = []
    for weight in weights:
        if isinstance(weight, bool) or not isinstance(weight, int | Decimal):
            raise TypeError(f"weights are int or Decimal, never {type(weight).__name__}")
        value = Decimal(weight)
        if not value.is_finite() or value < 0:
            raise ValueError(f"weights must be finite and not negative, got {weight}")
        decimals.append(value)
    scale = max((-int(d.as_tuple().exponent) for d in decimals), default=0)
    scale = max(scale, 0)
    return [int(d.scaleb(scale)) for d in decimals]


def allocate(total: Money, weights: Sequence[Weight]) -> list[Money]:
    """`total` split in proportion to `weights`; the parts sum exactly to `total`.

    Ties in the remainder go to the earlier line, so the same input always splits the same way
    (a receipt recomputed later matches the one the buyer got). A negative total (a refund, a
    discount) splits like its absolute value, so every part has the total's sign. The total must
    be a whole number of minor units (round it first); zero weights get zero.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    integers = _integer_weights(weights)
    weight_sum = sum(integers)
    if weight_sum == 0:
        raise ValueError("at least one weight must be positive")
    minor = total.to_minor()
    sign = -1 if minor < 0 else 1
    units = abs(minor)
    shares = [units * w // weight_sum for w in integers]
    remainders = [units * w % weight_sum for w in integers]
    left = units - sum(shares)
    # `left` < number of lines with a non-zero remainder, so only those receive a unit.
    by_largest = sorted(range(len(integers)), key=lambda i: (-remainders[i], i))
    for index in by_largest[:left]:
        shares[index] += 1
    return [Money.from_minor(sign * share, total.currency) for share in shares]
