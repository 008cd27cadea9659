"""ISO 4217 codes and their precision, from CLDR through babel."""

from __future__ import annotations

from functools import cache

from babel.numbers import get_currency_precision, list_currencies


class UnknownCurrency(ValueError):
    """A code that is not an ISO 4217 currency CLDR knows."""


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def normalise_code(code: str) -> str:
    """`" usd"` → `"USD"`; anything that is not a known ISO 4217 code raises `UnknownCurrency`."""
    normalised = code.strip().upper() if isinstance(code, str) else ""
    if normalised not in known_currencies():
        raise UnknownCurrency(f"unknown currency code {code!r}")
    return normalised


@cache
def exponent(code: str) -> int:
    """Digits after the decimal point in the currency's minor unit (CLDR): JPY 0, USD 2, KWD 3."""
    return get_currency_precision(code)
