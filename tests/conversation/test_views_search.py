"""Result lists as pure functions: numbered, priced in two currencies, paged, escaped."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from conversation import callbacks
from conversation.reply import Reply
from conversation.views.search import category_list, category_page, search_results
from i18n import translator
from money import Money
from money.formatting import format_money
from storefront.categories import Category, CategoryPage
from storefront.offers import Offer
from storefront.search import PAGE_SIZE, SearchOutcome


def offer(product_id: int, title: str = "Red <mug> & co", **fields: Any) -> Offer:
    default = Offer(
        product_id=product_id, merchant_id=1, merchant_name="Mugs", title=title,
        price=Money.of("10.00", "EUR"), merchant_price=Money.of("11.00", "USD"),
        approx=False, from_price=False, in_stock=True,
    )  # fmt: skip
    return dataclasses.replace(default, **fields)


def actions(reply: Reply) -> list[callbacks.Callback]:
    return [callbacks.decode(b.action) for row in reply.buttons for b in row if b.action]


@pytest.mark.parametrize("locale", ["en", "ar", "zh_Hans"])
def test_results_list_numbers_prices_and_pages(locale: str) -> None:
    t = translator(locale)
    offers = tuple(offer(i) for i in range(1, PAGE_SIZE + 1))
    outcome = SearchOutcome("mug <b>", offers, key="sAbc", page=1, has_more=True)
    reply = search_results(t, outcome, edit=True)
    assert reply.edit and len(reply.text) <= 4096
    assert "Red &lt;mug&gt; &amp; co" in reply.text and "<b>mug &lt;b&gt;</b>" in reply.text
    assert f"{PAGE_SIZE + 1}. " in reply.text  # page 2 numbers on from page 1
    assert format_money(Money.of("10.00", "EUR"), t.locale) in reply.text
    assert format_money(Money.of("11.00", "USD"), t.locale) in reply.text
    pressed = actions(reply)
    assert [p.int(0) for p in pressed if p.action == "prod"] == list(range(1, PAGE_SIZE + 1))
    assert [(p.str(0), p.int(1)) for p in pressed if p.action == "page"] == [
        ("sAbc", 0),
        ("sAbc", 2),
    ]


def test_same_currency_shows_one_price_and_approx_is_explained() -> None:
    t = translator("en")
    same = offer(1, price=Money.of("11.00", "USD"), approx=True, from_price=True)
    reply = search_results(t, SearchOutcome("mug", (same,), key="sAbc"))
    assert reply.text.count("$") == 1 and "from ≈" in reply.text and "older exchange" in reply.text
    assert not [p for p in actions(reply) if p.action == "page"]


def test_nothing_found_suggests_and_garbage_is_refused() -> None:
    t = translator("en")
    reply = search_results(t, SearchOutcome("mgu", suggestion="mug"))
    assert "Did you mean <b>mug</b>?" in reply.text and not reply.buttons
    assert "too long" in search_results(t, SearchOutcome("x", rejected="too_long")).text
    assert "few words" in search_results(t, SearchOutcome("🙂", rejected="not_words")).text


def test_a_missing_rate_is_explained() -> None:
    outcome = SearchOutcome("mug", (offer(1),), currency="USD", wanted_currency="EGP")
    assert "no exchange rate for EGP" in search_results(translator("en"), outcome).text


def test_categories_and_their_pages() -> None:
    t = translator("ar")
    kitchen = Category(123, "Kitchen & Home", 2)
    listed = category_list(t, [kitchen])
    assert [(p.action, p.int(0)) for p in actions(listed)] == [("cat", 123)]
    page = CategoryPage(
        kitchen, (offer(7),), page=0, has_more=True, currency="EUR", wanted_currency="EUR"
    )
    reply = category_page(t, page)
    assert "Kitchen &amp; Home" in reply.text
    assert ("page", "c123", 1) in [(p.action, *p.args) for p in actions(reply)]
    assert ("cats",) in [(p.action,) for p in actions(reply)]
