"""The storefront's cart: buttons and plain words, always the presser's own lines only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from money import Money
from orders.cart_language import EditAction
from orders.customers import Buyer
from orders.errors import LineNotFound
from orders.models import CartLine
from storefront import cart
from storefront.errors import StaleButton
from tests.storefront.factories import MAX_AGE, NOW, Catalog, make_buyer, seed_catalog


async def _setup(sessions: SessionFactory) -> tuple[Catalog, Buyer, Buyer]:
    async with transaction(sessions) as session:
        catalog = await seed_catalog(session)
        alice = await make_buyer(session, 1)
        bob = await make_buyer(session, 2)
    return catalog, alice, bob


async def _lines(sessions: SessionFactory) -> list[tuple[int, int]]:
    async with transaction(sessions) as session:
        rows = await session.execute(
            select(CartLine.variant_id, CartLine.quantity).order_by(CartLine.id)
        )
        return [(variant, quantity) for variant, quantity in rows]


async def _add(sessions: SessionFactory, buyer: Buyer, variant: int, quantity: int = 1) -> None:
    async with transaction(sessions) as session:
        await cart.add_variant(session, buyer=buyer, variant_id=variant, quantity=quantity)


async def test_add_then_buttons_change_the_buyers_own_line(sessions: SessionFactory) -> None:
    catalog, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        added = await cart.add_variant(
            session, buyer=alice, variant_id=catalog.shirt_blue_xl, quantity=2
        )
    assert (added.title, added.options, added.in_cart) == (
        "Cotton T-shirt", {"Colour": "Blue", "Size": "XL"}, 2,
    )  # fmt: skip
    await _add(sessions, alice, catalog.teapot_variant)
    async with transaction(sessions) as session:
        view = await cart.show_cart(session, buyer=alice, max_rate_age=MAX_AGE, now=NOW)
        assert [m.merchant_name for m in view.merchants] == ["Wear & Co", "Tea House"]
        assert view.buyer_total == Money.of("59.10", "EUR")  # 2 × 24.55 + 10.00
        line = view.lines[0].line_id
        view = await cart.change_line(
            session, buyer=alice, line_id=line, operation="inc", max_rate_age=MAX_AGE, now=NOW
        )
        assert view.lines[0].quantity == 3
        view = await cart.change_line(
            session, buyer=alice, line_id=line, operation="del", max_rate_age=MAX_AGE, now=NOW
        )
        assert [line.product_id for line in view.lines] == [catalog.teapot]


async def test_forged_line_buttons_change_nothing(sessions: SessionFactory) -> None:
    catalog, alice, bob = await _setup(sessions)
    await _add(sessions, alice, catalog.mug_variant, 2)
    before = await _lines(sessions)
    async with transaction(sessions) as session:
        alices_line = (await cart.show_cart(session, buyer=alice, max_rate_age=MAX_AGE)).lines[0]
    for operation in ("inc", "dec", "del"):
        with pytest.raises(LineNotFound):
            async with transaction(sessions) as session:
                await cart.change_line(
                    session, buyer=bob, line_id=alices_line.line_id, operation=operation,
                    max_rate_age=MAX_AGE,
                )  # fmt: skip
    with pytest.raises(StaleButton):
        async with transaction(sessions) as session:
            await cart.change_line(
                session, buyer=alice, line_id=alices_line.line_id, operation="x",
                max_rate_age=MAX_AGE,
            )  # fmt: skip
    assert await _lines(sessions) == before


async def test_plain_words_edit_the_cart(sessions: SessionFactory) -> None:
    catalog, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        assert (
            await cart.edit_in_words(session, buyer=alice, text="make it 3", max_rate_age=MAX_AGE)
            is None
        )  # an empty cart: every text is a search
    await _add(sessions, alice, catalog.mug_variant)
    async with transaction(sessions) as session:
        outcome = await cart.edit_in_words(
            session, buyer=alice, text="make it 3", max_rate_age=MAX_AGE, now=NOW
        )
        assert outcome is not None and outcome.cart.lines[0].quantity == 3
        assert (
            await cart.edit_in_words(session, buyer=alice, text="red mug", max_rate_age=MAX_AGE)
            is None
        )
    assert await _lines(sessions) == [(catalog.mug_variant, 3)]


async def test_an_unsure_edit_asks_and_the_answer_applies_once(sessions: SessionFactory) -> None:
    catalog, alice, bob = await _setup(sessions)
    await _add(sessions, alice, catalog.shirt_red_s)
    await _add(sessions, alice, catalog.shirt_blue_xl)
    await _add(sessions, alice, catalog.mug_variant)
    async with transaction(sessions) as session:
        outcome = await cart.edit_in_words(
            session, buyer=alice, text="remove the t-shirt", max_rate_age=MAX_AGE, now=NOW
        )
    assert outcome is not None and outcome.ambiguous is not None
    assert outcome.ambiguous.action == EditAction.REMOVE
    red, blue = (line.line_id for line in outcome.candidates)
    assert {line.product_id for line in outcome.candidates} == {catalog.shirt}
    mug_line = outcome.cart.lines[2].line_id
    for buyer, line in ((alice, mug_line), (bob, blue)):  # not offered / not bob's question
        with pytest.raises(StaleButton):
            async with transaction(sessions) as session:
                await cart.pick_line(session, buyer=buyer, line_id=line, max_rate_age=MAX_AGE)
    async with transaction(sessions) as session:
        done = await cart.pick_line(session, buyer=alice, line_id=blue, max_rate_age=MAX_AGE)
    assert [line.line_id for line in done.cart.lines] == [red, mug_line]
    with pytest.raises(StaleButton):  # the question was answered: a second press is stale
        async with transaction(sessions) as session:
            await cart.pick_line(session, buyer=alice, line_id=red, max_rate_age=MAX_AGE)
    assert len(await _lines(sessions)) == 2
