"""Summary and placement: one order per merchant, right totals, stock reserved for all or none."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.database import SessionFactory, transaction
from catalog.models import Variant
from money import Money
from orders import cart
from orders.checkout import CheckoutDraft, start_checkout
from orders.delivery import saved_delivery_details
from orders.errors import CartEmpty, CheckoutExpired, NoShipping
from orders.models import CartLine, Order, OrderEvent, OrderLine
from orders.placement import Outcome, PlacementResult, place_orders, summarise
from tests.orders.factories import (
    NOW,
    Shop,
    make_customer,
    quoter,
    ready_draft,
    seed_shop,
    stock_of,
)


async def _alice_with_cart(sessions: SessionFactory) -> tuple[Shop, int]:
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        alice = await make_customer(session, 1001)
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_red, quantity=2)
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.teapot)
    return shop, alice


async def _place(
    sessions: SessionFactory,
    alice: int,
    *,
    draft: CheckoutDraft | None = None,
    expected_fingerprint: str | None = None,
) -> PlacementResult:
    async with transaction(sessions) as session:
        return await place_orders(
            session,
            customer_id=alice,
            draft=draft or ready_draft(),
            buyer_currency="EUR",
            quoter=quoter(),
            now=NOW,
            ttl=timedelta(minutes=30),
            expected_fingerprint=expected_fingerprint,
        )


async def _count(sessions: SessionFactory, model: type) -> int:
    async with transaction(sessions) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_summary_prices_each_merchant_with_shipping(sessions: SessionFactory) -> None:
    _, alice = await _alice_with_cart(sessions)
    async with transaction(sessions) as session:
        summary = await summarise(
            session,
            customer_id=alice,
            delivery=ready_draft().delivery,
            buyer_currency="EUR",
            quoter=quoter(),
        )
    mugs, tea = summary.merchants
    assert (mugs.subtotal, mugs.shipping, mugs.total) == (
        Money.of("22.00", "USD"),
        Money.of("5.50", "USD"),
        Money.of("27.50", "USD"),
    )
    assert (mugs.buyer_subtotal, mugs.buyer_shipping, mugs.buyer_total) == (
        Money.of("20.00", "EUR"),
        Money.of("5.00", "EUR"),
        Money.of("25.00", "EUR"),
    )
    assert (tea.total, tea.buyer_total) == (Money.of("107.80", "CNY"), Money.of("14.00", "EUR"))
    assert summary.buyer_total == Money.of("39.00", "EUR")
    assert mugs.charge == Money.of("25.00", "EUR")
    assert len(summary.fingerprint) == 12


async def test_free_shipping_threshold_and_fallback_rule(sessions: SessionFactory) -> None:
    shop, alice = await _alice_with_cart(sessions)
    async with transaction(sessions) as session:
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_blue, quantity=3)
        summary = await summarise(
            session,
            customer_id=alice,
            delivery=ready_draft().delivery,
            buyer_currency="EUR",
            quoter=quoter(),
        )
    assert summary.merchants[0].subtotal == Money.of("55.00", "USD")
    assert summary.merchants[0].shipping == Money.of("0", "USD")
    # France: the USD shop's "*" rule applies; the tea house ships to Germany only.
    with pytest.raises(NoShipping) as raised:
        async with transaction(sessions) as session:
            await summarise(
                session,
                customer_id=alice,
                delivery=ready_draft(country="FR").delivery,
                buyer_currency="EUR",
                quoter=quoter(),
            )
    assert raised.value.params == {"merchant": "Tea House", "country": "FR"}
    async with transaction(sessions) as session:
        await cart.remove_line(
            session,
            customer_id=alice,
            line_id=(await cart.cart_lines(session, customer_id=alice))[1].id,
        )
        summary = await summarise(
            session,
            customer_id=alice,
            delivery=ready_draft(country="FR").delivery,
            buyer_currency="EUR",
            quoter=quoter(),
        )
    assert summary.merchants[0].shipping == Money.of("16.50", "USD")


async def test_two_merchants_two_orders_with_right_totals(sessions: SessionFactory) -> None:
    shop, alice = await _alice_with_cart(sessions)
    result = await _place(sessions, alice, draft=ready_draft(save=True))
    assert result.outcome == Outcome.PLACED
    mugs, tea = result.orders
    assert all(re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}", order.number) for order in result.orders)
    assert mugs.number != tea.number
    assert (mugs.total, mugs.buyer_total, mugs.charge) == (
        Money.of("27.50", "USD"),
        Money.of("25.00", "EUR"),
        Money.of("25.00", "EUR"),
    )
    assert (tea.total, tea.buyer_total) == (Money.of("107.80", "CNY"), Money.of("14.00", "EUR"))
    assert mugs.expires_at == NOW + timedelta(minutes=30)
    async with transaction(sessions) as session:
        assert await stock_of(session, shop.mug_red) == 8
        assert await stock_of(session, shop.teapot) == 4
        order = await session.scalar(select(Order).where(Order.number == mugs.number))
        assert order is not None
        assert (order.status, order.currency, order.subtotal_minor, order.shipping_minor) == (
            "awaiting_payment",
            "USD",
            2200,
            550,
        )
        assert (order.fx_rate, order.fx_rate_date, order.fx_margin_percent) == (
            "0.909090909091",
            NOW.date(),
            "0",
        )
        assert order.delivery["city"] == "Berlin"
        line = await session.scalar(select(OrderLine).where(OrderLine.order_id == order.id))
        assert line is not None
        assert (line.title, line.sku, line.options, line.quantity) == (
            "Ceramic mug",
            "MUG-R",
            {"Colour": "Red"},
            2,
        )
        assert (line.unit_price_minor, line.buyer_unit_price_minor) == (1100, 1000)
        saved = await saved_delivery_details(session, customer_id=alice)
    assert saved == ready_draft().delivery
    assert await _count(sessions, CartLine) == 0
    assert await _count(sessions, OrderEvent) == 2


async def test_confirm_twice_places_once(sessions: SessionFactory) -> None:
    shop, alice = await _alice_with_cart(sessions)
    draft = ready_draft()
    first = await _place(sessions, alice, draft=draft)
    again = await _place(sessions, alice, draft=draft)
    assert again.outcome == Outcome.ALREADY_PLACED
    assert [o.number for o in again.orders] == [o.number for o in first.orders]
    assert await _count(sessions, Order) == 2
    async with transaction(sessions) as session:
        assert await stock_of(session, shop.mug_red) == 8


async def test_unreservable_line_reserves_nothing(sessions: SessionFactory) -> None:
    shop, alice = await _alice_with_cart(sessions)
    async with transaction(sessions) as session:
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.headphones, quantity=3)
        await session.execute(update(Variant).where(Variant.id == shop.headphones).values(stock=2))
    result = await _place(sessions, alice)
    assert result.outcome == Outcome.UNAVAILABLE and not result.ok
    ((line),) = result.unavailable
    assert (line.variant_id, line.title, line.requested, line.available) == (
        shop.headphones,
        "Wireless headphones",
        3,
        2,
    )
    async with transaction(sessions) as session:
        assert await stock_of(session, shop.mug_red) == 10
        assert await stock_of(session, shop.teapot) == 5
        assert await stock_of(session, shop.headphones) == 2
    assert await _count(sessions, Order) == 0
    assert await _count(sessions, CartLine) == 3


async def test_changed_prices_are_shown_again(sessions: SessionFactory) -> None:
    shop, alice = await _alice_with_cart(sessions)
    async with transaction(sessions) as session:
        seen = await summarise(
            session,
            customer_id=alice,
            delivery=ready_draft().delivery,
            buyer_currency="EUR",
            quoter=quoter(),
        )
        await session.execute(
            update(Variant).where(Variant.id == shop.mug_red).values(price_minor=1320)
        )
    result = await _place(sessions, alice, expected_fingerprint=seen.fingerprint)
    assert result.outcome == Outcome.CHANGED
    assert result.summary is not None and result.summary.price_changed
    assert result.summary.fingerprint != seen.fingerprint
    assert await _count(sessions, Order) == 0
    confirmed = await _place(sessions, alice, expected_fingerprint=result.summary.fingerprint)
    assert confirmed.outcome == Outcome.PLACED


async def test_made_to_order_is_placed_below_zero(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        alice = await make_customer(session, 1001)
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.made_to_order)
    assert (await _place(sessions, alice)).outcome == Outcome.PLACED
    async with transaction(sessions) as session:
        assert await stock_of(session, shop.made_to_order) == -1


async def test_unfinished_draft_or_empty_cart(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await seed_shop(session)
        alice = await make_customer(session, 1001)
    with pytest.raises(CheckoutExpired):
        await _place(sessions, alice, draft=start_checkout().answer("DE").answer("Anna Müller"))
    with pytest.raises(CartEmpty):
        await _place(sessions, alice)
