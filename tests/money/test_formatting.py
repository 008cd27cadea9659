"""Locale-aware formatting through babel, and its round trip through babel's parser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_currency, get_currency_symbol, parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from money import Money
from money.formatting import MoneyParseError, approx_prefix, format_money, parse_money

SHIPPED = ("en", "zh_Hans", "es", "ru", "de", "fr", "pt_BR", "ar")
CURRENCIES = ("USD", "EUR", "JPY", "CNY", "KWD", "BRL", "RUB", "EGP", "SAR", "GBP", "ISK", "CHF")


def test_follows_babel_patterns_and_keeps_arabic_marks() -> None:
    price = Money.of("1234.50", "USD")
    assert format_money(price, "en") == "$1,234.50"
    for locale in SHIPPED:
        assert format_money(price, locale) == format_currency(price.amount, "USD", locale=locale)
    assert format_money(price, "ar").startswith("\u200f")  # babel's right-to-left mark stays
    assert format_money(price, Locale.parse("de")) == format_money(price, "de")


def test_currency_digits_are_padded_never_cut() -> None:
    assert format_money(Money.of(5, "USD"), "en") == "$5.00"
    assert format_money(Money.of("1.234", "KWD"), "en").endswith("1.234")
    # An unrounded amount shows all its digits instead of being silently rounded for display.
    assert format_money(Money.of("1.2345", "USD"), "en") == "$1.2345"
    assert format_money(Money.of("-0.00", "USD"), "en") == "$0.00"


def test_approx_prefix() -> None:
    price = Money.of("12.50", "USD")
    assert format_money(price, "en", approx=True) == "≈\u00a0$12.50"
    assert format_money(price, "ar", approx=True).startswith("\u200f≈\u00a0")
    assert approx_prefix("fr") == "≈\u00a0"


def test_parse_money_refuses_other_text() -> None:
    for text in ("", "abc", "$", "12 apples", "€12.50"):
        with pytest.raises(MoneyParseError):
            parse_money(text, "USD", "en")


@pytest.mark.parametrize("locale", SHIPPED)
@given(
    minor=st.integers(min_value=-(10**13), max_value=10**13),
    currency=st.sampled_from(CURRENCIES),
    approx=st.booleans(),
)
def test_round_trip_through_babel_parser(
    locale: str, minor: int, currency: str, approx: bool
) -> None:
    money = Money.from_minor(minor, currency)
    text = format_money(money, locale, approx=approx)
    assert parse_money(text, currency, locale) == money
    # And by babel's parser alone, once the symbol, sign, marks and spaces are taken off.
    bare = text.replace(get_currency_symbol(currency, locale), "").replace(currency, "")
    for noise in ("≈", "\u200f", "\u200e", "\u00a0", "\u202f", " "):
        bare = bare.replace(noise, "")
    negative = bare.startswith("-")
    number = parse_decimal(bare.lstrip("-"), locale=locale, strict=True)
    assert (-number if negative else number) == money.amount
    assert isinstance(number, Decimal)
