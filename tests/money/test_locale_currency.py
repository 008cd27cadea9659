"""The buyer's currency from their Telegram language, and from what they type in /currency."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest
from babel import Locale
from babel.localedata import locale_identifiers
from hypothesis import given
from hypothesis import strategies as st

from money.locale_currency import (
    CurrencyNotFound,
    current_currencies,
    default_currency,
    find_currency,
    guess_currency,
    likely_currencies,
    territory_of,
)
from money.rates import bundled_rates


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("pt-br", "BRL"),
        ("pt-BR", "BRL"),
        ("zh-hans", "CNY"),  # zh → CN through CLDR likely subtags
        ("zh-hant", "TWD"),
        ("zh-TW", "TWD"),
        ("ja", "JPY"),
        ("ar", "EGP"),  # CLDR's likely country for Arabic is Egypt
        ("ar-SA", "SAR"),
        ("de", "EUR"),
        ("de-CH", "CHF"),
        ("ru", "RUB"),
        ("en-GB", "GBP"),
        ("en", "USD"),  # the default below, not CLDR's likely en_US
        ("es-419", "USD"),  # "Latin America" names no country: the default
        ("xx-BR", "BRL"),  # a language babel lacks, but a region it knows
        ("xx", "USD"),
        ("", "USD"),
        (None, "USD"),
        ("not a language code", "USD"),
    ],
)
def test_guess_currency(language_code: str | None, expected: str) -> None:
    assert guess_currency(language_code, "usd") == expected


def test_en_alone_takes_the_configured_default() -> None:
    assert guess_currency("en", "EUR") == "EUR"
    assert territory_of("en") is None


def test_guess_follows_the_date() -> None:
    # Croatia's kuna until 2023, the euro after: the territory data is dated.
    assert guess_currency("hr", "USD", on=date(2022, 6, 1)) == "HRK"
    assert guess_currency("hr", "USD", on=date(2023, 6, 1)) == "EUR"


@given(st.text(max_size=40))
def test_any_language_code_gives_a_known_currency(language_code: str) -> None:
    assert guess_currency(language_code, "USD") in current_currencies() | {"USD"}


@pytest.mark.parametrize(
    ("text", "locale", "first", "also"),
    [
        ("yen", "en", "JPY", None),
        ("Japanese yen", "en", "JPY", None),
        ("japanse yen", "en", "JPY", None),  # a typo
        ("jpy", "en", "JPY", None),
        ("  JPY ", "ru", "JPY", None),
        ("¥", "en", "JPY", "CNY"),  # ambiguous: both, the locale's reading first
        ("¥", "zh_Hans", "CNY", "JPY"),
        ("￥", "zh_Hans", "CNY", "JPY"),  # full-width yen sign
        ("юань", "ru", "CNY", None),
        ("real brasileño", "es", "BRL", None),
        ("real brasileno", "es", "BRL", None),
        ("R$", "pt_BR", "BRL", None),
        ("dollar", "en", "USD", "CAD"),
        ("$", "en", "USD", "AUD"),
        ("доллар", "ru", "USD", None),
        ("руб", "ru", "RUB", None),  # a prefix
        ("€", "de", "EUR", None),
        ("евро", "ru", "EUR", None),
        ("ريال", "ar", "SAR", "BRL"),  # Arabic-speaking countries' riyals before the real
        ("日元", "zh_Hans", "JPY", None),
        ("sterling", "en", "GBP", None),
    ],
)
def test_find_currency(text: str, locale: str, first: str, also: str | None) -> None:
    found = find_currency(text, locale)
    assert found[0] == first
    if also:
        assert also in found


def test_find_currency_takes_a_babel_locale() -> None:
    assert find_currency("¥", Locale.parse("zh_Hans"))[:2] == ["CNY", "JPY"]


@pytest.mark.parametrize(
    "garbage", ["", "   ", "asdfghjkl", "bitcoin", "!!!", "x" * 500, "DEM", "\x00\x01"]
)
def test_garbage_is_a_typed_error(garbage: str) -> None:
    with pytest.raises(CurrencyNotFound) as raised:
        find_currency(garbage, "en")
    assert raised.value.query == garbage


def test_find_currency_never_offers_dead_currencies() -> None:
    # "Deutsche Mark" is in CLDR's names, but has not been legal tender since 2002.
    with pytest.raises(CurrencyNotFound):
        find_currency("Deutsche Mark", "de")


@given(st.text(max_size=80))
def test_find_currency_answers_a_list_or_a_typed_error(text: str) -> None:
    try:
        found = find_currency(text, "en")
    except CurrencyNotFound:
        return
    assert 1 <= len(found) <= 5
    assert set(found) <= current_currencies()


def test_likely_currencies() -> None:
    assert likely_currencies("zh_Hans", ["CNY", "USD"]) == ["CNY", "USD", "EUR"]
    assert likely_currencies("pt_BR", ["EUR"], current="JPY") == ["JPY", "BRL", "EUR", "USD"]
    assert likely_currencies("en", ["usd", "bogus"]) == ["USD", "EUR"]
    assert likely_currencies("ar", [], available={"USD", "EUR"}) == ["USD", "EUR"]
    assert len(likely_currencies("ru", ["GBP", "CHF", "JPY", "CNY", "KRW"], limit=3)) == 3


# --- issue 12: the default is a currency the bot can show ------------------------------------
@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("pt-PT", "EUR"),
        ("pt", "EUR"),  # Telegram's Brazilian Portuguese is "pt-br": a bare "pt" is Portugal's
        ("pt-BR", "BRL"),
        ("es-MX", "MXN"),
        ("en-GB", "GBP"),
        ("zh-TW", "TWD"),
        ("ar-SA", "SAR"),
        ("ar-AE", "AED"),
    ],
)
def test_regional_variants_map_to_their_countrys_currency(
    language_code: str, expected: str
) -> None:
    assert guess_currency(language_code, "USD") == expected


@pytest.mark.parametrize(
    ("language_code", "shown"),
    [
        ("pt-PT", "EUR"),
        ("es-MX", "MXN"),
        ("en-GB", "GBP"),
        ("ar-SA", "SAR"),  # pegged to the dollar: converted through it
        ("ar-AE", "AED"),
        ("ru", "EUR"),  # no rate for RUB: the nearest with one, in Europe the euro
        ("ar", "USD"),  # no rate for EGP
        ("zh-TW", "USD"),  # the ECB does not quote TWD
    ],
)
def test_the_default_is_shown_with_the_bundled_rates(language_code: str, shown: str) -> None:
    assert default_currency(language_code, "USD", bundled_rates().currencies) == shown


@cache
def _language_codes() -> list[str]:
    return sorted(locale_identifiers())


@given(
    st.sampled_from(_language_codes()),
    st.sampled_from(["", "-US", "-RU", "-EG", "-TW", "-IR", "-VE", "-KP", "-AQ", "-419"]),
)
def test_every_language_defaults_to_a_currency_with_a_bundled_rate(
    identifier: str, region: str
) -> None:
    """Property: whatever language (and region) Telegram reports, prices can be shown."""
    available = bundled_rates().currencies
    language_code = identifier.replace("_", "-") + region
    assert default_currency(language_code, "USD", available) in available


def test_every_locale_babel_knows_defaults_to_a_currency_with_a_bundled_rate() -> None:
    available = bundled_rates().currencies
    for identifier in _language_codes():
        assert default_currency(identifier, "USD", available) in available, identifier
