"""The product card: option buttons lead only to variants on sale, prices in two currencies."""

from __future__ import annotations

import pytest

from bot.database import SessionFactory, transaction
from money import Money
from orders.customers import Buyer
from orders.errors import ProductUnavailable
from storefront.errors import StaleButton
from storefront.product_card import (
    ProductCard,
    StockStatus,
    load_product_card,
    parse_selection,
    selection_token,
)
from tests.storefront.factories import MAX_AGE, NOW, Catalog, make_buyer, seed_catalog


async def _setup(sessions: SessionFactory, locale: str = "en") -> tuple[Catalog, Buyer]:
    async with transaction(sessions) as session:
        catalog = await seed_catalog(session)
        buyer = await make_buyer(session, 1, locale=locale)
    return catalog, buyer


async def _card(
    sessions: SessionFactory,
    buyer: Buyer,
    product_id: int,
    selection: str | None = None,
    qty: int = 1,
) -> ProductCard:
    async with transaction(sessions) as session:
        return await load_product_card(
            session, product_id=product_id, buyer=buyer, max_rate_age=MAX_AGE,
            selection=selection, quantity=qty, now=NOW,
        )  # fmt: skip


def _shown(card: ProductCard) -> list[list[str]]:
    return [[value.label for value in option.values] for option in card.options]


async def test_only_combinations_in_stock_are_offered(sessions: SessionFactory) -> None:
    catalog, buyer = await _setup(sessions)
    card = await _card(sessions, buyer, catalog.shirt)
    assert [option.name for option in card.options] == ["Colour", "Size"]
    assert _shown(card) == [["Red", "Blue"], ["S", "XL"]]  # M exists only in Red, sold out
    assert card.variant_id is None and not card.can_add and card.from_price
    assert card.price.buyer == Money.of("22.73", "EUR")
    assert card.price.merchant == Money.of("25.00", "USD")
    red = await _card(sessions, buyer, catalog.shirt, card.choosing(0, 0))
    assert _shown(red) == [["Red", "Blue"], ["S"]]
    assert red.options[0].chosen is not None and red.options[0].chosen.label == "Red"


async def test_a_full_choice_names_a_variant_with_its_stock_and_price(
    sessions: SessionFactory,
) -> None:
    catalog, buyer = await _setup(sessions)
    blue_xl = await _card(sessions, buyer, catalog.shirt, "1-2", qty=3)
    assert blue_xl.variant_id == catalog.shirt_blue_xl and blue_xl.can_add
    assert blue_xl.price.buyer == Money.of("24.55", "EUR") and not blue_xl.from_price
    assert (blue_xl.stock, blue_xl.quantity, blue_xl.max_quantity) == (StockStatus.IN_STOCK, 3, 9)
    blue_s = await _card(sessions, buyer, catalog.shirt, "1-0", qty=5)
    assert blue_s.variant_id == catalog.shirt_blue_s
    assert (blue_s.stock, blue_s.stock_left, blue_s.quantity) == (StockStatus.LOW, 2, 2)
    assert blue_s.choosing(1, 0) == "1-_"  # pressing the chosen size again un-chooses it


async def test_single_variant_products_need_no_choice(sessions: SessionFactory) -> None:
    catalog, buyer = await _setup(sessions, locale="zh_Hans")
    mug = await _card(sessions, buyer, catalog.mug)
    assert mug.variant_id == catalog.mug_variant and mug.can_add and mug.options == ()
    assert mug.title == "陶瓷杯"
    assert mug.photo is not None and mug.photo.url == "https://example.test/mug.jpg"
    teapot = await _card(sessions, buyer, catalog.teapot)
    assert teapot.photo is not None and teapot.photo.path == "teapots/clay.jpg"
    assert teapot.price.buyer == Money.of("10.00", "EUR")


@pytest.mark.parametrize("selection", ["5-0", "0", "0-0-0", "a-b", "_"])
async def test_selections_that_do_not_fit_are_stale(
    sessions: SessionFactory, selection: str
) -> None:
    catalog, buyer = await _setup(sessions)
    with pytest.raises(StaleButton):
        await _card(sessions, buyer, catalog.shirt, selection)


async def test_withdrawn_or_unknown_products_are_unavailable(sessions: SessionFactory) -> None:
    catalog, buyer = await _setup(sessions)
    for product_id in (catalog.archived, 10**9, 2**31, 2**63):
        with pytest.raises(ProductUnavailable):
            await _card(sessions, buyer, product_id)


def test_selection_tokens_round_trip() -> None:
    for selection in [(0, None), (None, None, 12), ()]:
        assert parse_selection(selection_token(selection), len(selection)) == selection
