"""Search, paging and categories on both databases, priced in the buyer's currency."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TypedDict

import pytest
from sqlalchemy import update

import storefront.categories
import storefront.product_card
import storefront.search
from bot.database import SessionFactory, transaction
from catalog.models import Product
from catalog.search import ParsedQuery
from catalog.version import bump_catalog_version
from money import Money
from orders.customers import Buyer
from storefront.categories import browse_category, list_categories
from storefront.memory import category_key
from storefront.paging import open_page
from storefront.search import SearchOutcome, search_page, search_products
from storefront.search_index import LiveSearchIndex
from tests.storefront.factories import MAX_AGE, NOW, STALE_NOW, Catalog, make_buyer, seed_catalog


async def _setup(sessions: SessionFactory, currency: str = "EUR") -> tuple[Catalog, Buyer, Buyer]:
    async with transaction(sessions) as session:
        catalog = await seed_catalog(session)
        alice = await make_buyer(session, 1, currency=currency)
        bob = await make_buyer(session, 2, locale="zh_Hans", currency="CNY")
    return catalog, alice, bob


async def _search(
    sessions: SessionFactory,
    index: LiveSearchIndex,
    text: str,
    buyer: Buyer,
    *,
    now: datetime = NOW,
) -> SearchOutcome:
    async with transaction(sessions) as session:
        return await search_products(
            session, index, text=text, buyer=buyer, max_rate_age=MAX_AGE, now=now
        )


class _Budget(TypedDict, total=False):
    max_price: Decimal
    price_currency: str


async def test_prices_are_converted_and_archived_products_stay_hidden(
    sessions: SessionFactory,
) -> None:
    catalog, alice, bob = await _setup(sessions)
    index = LiveSearchIndex()
    outcome = await _search(sessions, index, "mug", alice)
    assert [offer.product_id for offer in outcome.offers] == [catalog.mug]
    mug = outcome.offers[0]
    assert (mug.price, mug.merchant_price) == (Money.of("10.00", "EUR"), Money.of("11.00", "USD"))
    assert not mug.approx and not mug.from_price and mug.in_stock
    assert mug.photo_url == "https://example.test/mug.jpg"
    teapot = (await _search(sessions, index, "teapot", bob)).offers[0]
    assert teapot.title == "紫砂壶" and teapot.price == Money.of("77.00", "CNY")
    shirt = (await _search(sessions, index, "t-shirt", alice)).offers[0]
    assert shirt.from_price and shirt.price == Money.of("22.73", "EUR")


async def test_stale_rates_mark_prices_approximate(sessions: SessionFactory) -> None:
    _, alice, _ = await _setup(sessions)
    outcome = await _search(sessions, LiveSearchIndex(), "mug", alice, now=STALE_NOW)
    assert outcome.offers[0].approx


async def test_a_currency_without_rates_shows_the_fallback(sessions: SessionFactory) -> None:
    _, alice, _ = await _setup(sessions, currency="EGP")
    outcome = await _search(sessions, LiveSearchIndex(), "mug", alice)
    assert (outcome.currency, outcome.wanted_currency) == ("USD", "EGP")
    assert outcome.offers[0].price == Money.of("11.00", "USD")


@pytest.mark.parametrize(("text", "reason"), [("🙂🙂🙂", "not_words"), ("a" * 5000, "too_long")])
async def test_garbage_is_refused_before_searching(
    sessions: SessionFactory, text: str, reason: str
) -> None:
    _, alice, _ = await _setup(sessions)
    outcome = await _search(sessions, LiveSearchIndex(), text, alice)
    assert outcome.rejected == reason and not outcome.offers and outcome.key is None


async def test_budget_is_converted_per_merchant(
    sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, alice, _ = await _setup(sessions)
    index = LiveSearchIndex()
    budget: _Budget = {"max_price": Decimal("10.00")}

    def parse(text: str, language: str = "en") -> ParsedQuery:
        return ParsedQuery(text, **budget)

    monkeypatch.setattr(storefront.search, "parse_query", parse)
    within = await _search(sessions, index, "mug", alice)  # 10.00 EUR = 11.00 USD
    assert within.offers and within.relaxed is None
    budget["max_price"] = Decimal("9.99")
    over = await _search(sessions, index, "mug", alice)  # the closest, said to be over budget
    assert over.relaxed == "budget" and [o.price for o in over.offers] == [within.offers[0].price]
    budget["price_currency"] = "USD"  # "under 11 dollars", typed by a buyer who reads EUR
    budget["max_price"] = Decimal("11")
    assert (await _search(sessions, index, "mug", alice)).relaxed is None


async def test_pages_are_found_again_by_key_and_only_by_their_buyer(
    sessions: SessionFactory,
) -> None:
    _, alice, bob = await _setup(sessions)
    index = LiveSearchIndex()
    first = await _search(sessions, index, "mug", alice)
    assert first.key and first.key.startswith("s") and len(first.key) <= 16
    async with transaction(sessions) as session:
        again = await search_page(
            session, index, key=first.key, page=0, buyer=alice, max_rate_age=MAX_AGE, now=NOW
        )
        assert again is not None and again.offers == first.offers
        for buyer, key, page in (
            (bob, first.key, 0),
            (alice, "sforged", 0),
            (alice, first.key, 10**6),
        ):
            assert (
                await search_page(
                    session, index, key=key, page=page, buyer=buyer, max_rate_age=MAX_AGE
                )
                is None
            )


async def test_the_index_follows_catalog_changes(sessions: SessionFactory) -> None:
    catalog, alice, _ = await _setup(sessions)
    index = LiveSearchIndex()
    assert (await _search(sessions, index, "mug", alice)).offers
    async with transaction(sessions) as session:
        version = await bump_catalog_version(session)
        await session.execute(
            update(Product)
            .where(Product.id == catalog.mug)
            .values(status="archived", version=version)
        )
        await session.execute(
            update(Product)
            .where(Product.id == catalog.archived)
            .values(status="active", version=version)
        )
    found = (await _search(sessions, index, "mug", alice)).offers
    assert [offer.product_id for offer in found] == [catalog.archived]


async def test_categories_list_and_page(
    sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog, alice, _ = await _setup(sessions)
    monkeypatch.setattr(storefront.categories, "PAGE_SIZE", 1)
    async with transaction(sessions) as session:
        categories = await list_categories(session)
        assert [(c.name, c.count) for c in categories] == [("Clothing", 1), ("Kitchen", 2)]
        kitchen = category_key("Kitchen")
        first = await browse_category(
            session, key=kitchen, page=0, buyer=alice, max_rate_age=MAX_AGE, now=NOW
        )
        assert first is not None and first.has_more
        assert [o.product_id for o in first.offers] == [catalog.mug]  # "Ceramic mug" < "紫砂壶"
        second = await open_page(
            session, LiveSearchIndex(), key=first.key, page=1, buyer=alice, max_rate_age=MAX_AGE
        )
        assert second is not None and not second.has_more
        assert [o.product_id for o in second.offers] == [catalog.teapot]
        assert second.offers[0].price == Money.of("10.00", "EUR")
        for key in ("c1", "cx", "zz"):
            assert (
                await open_page(
                    session, LiveSearchIndex(), key=key, page=0, buyer=alice, max_rate_age=MAX_AGE
                )
                is None
            )


async def test_the_card_opened_from_a_list_starts_on_the_asked_colour_and_leads_back(
    sessions: SessionFactory,
) -> None:
    catalog, alice, _ = await _setup(sessions)
    index = LiveSearchIndex()
    outcome = await _search(sessions, index, "2 blue t-shirts size xl", alice)
    assert [offer.product_id for offer in outcome.offers] == [catalog.shirt]
    async with transaction(sessions) as session:
        card = await storefront.product_card.load_product_card(
            session, product_id=catalog.shirt, buyer=alice, max_rate_age=MAX_AGE, now=NOW
        )
    assert card.variant_id == catalog.shirt_blue_xl and card.quantity == 2
    assert card.back == (outcome.key, 0)


async def test_cheapest_orders_by_price_and_weak_matches_are_left_out(
    sessions: SessionFactory,
) -> None:
    catalog, alice, _ = await _setup(sessions)
    index = LiveSearchIndex()
    cheapest = await _search(sessions, index, "cheapest ceramic", alice)
    assert cheapest.order.value == "price_low"
    prices = [offer.price.amount for offer in cheapest.offers]
    assert prices == sorted(prices)
    # "soft" is only in the shirt's description: it is said to be only mentioned there.
    related = await _search(sessions, index, "soft", alice)
    assert related.relaxed == "related"
    assert [offer.product_id for offer in related.offers] == [catalog.shirt]


async def test_no_product_in_the_asked_colour_offers_the_other_colours(
    sessions: SessionFactory,
) -> None:
    catalog, alice, _ = await _setup(sessions)
    outcome = await _search(sessions, LiveSearchIndex(), "green t-shirt", alice)
    assert outcome.relaxed == "colour" and [o.product_id for o in outcome.offers] == [catalog.shirt]
