"""The same shop for buyers around the world: their words, their currency, their way of writing it.

Issue 4: buyers whose Telegram speaks en, zh-hans, pt-br, ar and ja see USD, CNY, BRL, an Arabic
country's currency and JPY, formatted by CLDR, with the words in their language (Japanese is not
shipped: English words, yen prices).
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from babel.numbers import get_currency_symbol

from conversation.views.common import greeting
from i18n import translator
from tests.e2e.conftest import Shop

pytestmark = pytest.mark.slow


def _plain(html: str) -> str:
    """What Telegram shows of an HTML message: tags gone, entities decoded, ends trimmed."""
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


@pytest.mark.parametrize(
    ("language_code", "locale", "currency"),
    [
        ("en", "en", "USD"),
        ("zh-hans", "zh_Hans", "CNY"),
        ("pt-br", "pt_BR", "BRL"),
        ("ar-SA", "ar", "SAR"),
        ("ja", "en", "JPY"),
    ],
)
async def test_each_buyer_reads_their_language_and_currency(
    shop: Shop, language_code: str, locale: str, currency: str
) -> None:
    buyer = shop.buyer("Lin", language_code=language_code)
    [hello] = await shop.say(buyer, "/start")
    expected = greeting(translator(locale), first_name="Lin", currency=currency)
    assert hello.text == _plain(expected.text)

    [results] = await shop.say(buyer, "headphones")
    assert results.text is not None
    symbol = get_currency_symbol(currency, locale=locale)
    listed = [line for line in results.text.splitlines() if re.match(r"^\d+\. ", line)]
    assert listed, results.text
    for line in listed:  # "1. Title — <buyer's price> (<the shop's own price>)"
        buyer_price = line.split(" — ", 1)[1].split(" (")[0]
        assert symbol in buyer_price, line


@pytest.mark.parametrize(
    ("language_code", "locale", "missing", "shown"),
    [("ar", "ar", "EGP", "USD"), ("ru", "ru", "RUB", "EUR"), ("zh-TW", "zh_Hans", "TWD", "USD")],
)
async def test_a_currency_without_a_rate_is_not_claimed(
    shop: Shop, language_code: str, locale: str, missing: str, shown: str
) -> None:
    """Arabic → Egypt → EGP, Russian → RUB, Taiwan → TWD: no rate for any of them offline."""
    buyer = shop.buyer("Omar", language_code=language_code)
    [hello] = await shop.say(buyer, "/start")
    expected = greeting(
        translator(locale), first_name="Omar", currency=shown, missing=missing, offers=()
    )
    assert hello.text is not None and _plain(expected.text) == hello.text
    assert hello.buttons[0][0][1] == f"1:cur:{shown}"  # the nearest, ticked
    [results] = await shop.say(buyer, "headphones")
    assert results.text is not None and missing not in results.text
    symbol = get_currency_symbol(shown, locale=locale)
    assert symbol in results.text.split("\n")[1], results.text
