"""Order again: an expired order's items go back into its buyer's cart, nobody else's."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.database import SessionFactory, transaction
from catalog.models import Variant
from orders.cart import cart_lines
from orders.errors import OrderNotFound
from orders.models import Order, OrderStatus
from orders.reorder import refill_cart
from tests.orders.factories import alice_and_bob


async def test_an_expired_order_refills_the_cart(sessions: SessionFactory) -> None:
    teapot, alice, bob, orders = await alice_and_bob(sessions)
    tea = next(order for order in orders if order.merchant_id != orders[0].merchant_id)
    async with transaction(sessions) as session:
        # Still awaiting payment: there is nothing to order again (Pay is the way).
        with pytest.raises(OrderNotFound):
            await refill_cart(session, customer_id=alice, order_id=tea.order_id)
    async with transaction(sessions) as session:
        await session.execute(
            update(Order).where(Order.id == tea.order_id).values(status=OrderStatus.EXPIRED.value)
        )
    async with transaction(sessions) as session:
        with pytest.raises(OrderNotFound):  # Bob cannot refill from Alice's order
            await refill_cart(session, customer_id=bob, order_id=tea.order_id)
        with pytest.raises(OrderNotFound):
            await refill_cart(session, customer_id=alice, order_id=10**30)
        refilled = await refill_cart(session, customer_id=alice, order_id=tea.order_id)
    assert (refilled.number, refilled.added, refilled.missing) == (tea.number, 1, 0)
    async with transaction(sessions) as session:
        lines = await cart_lines(session, customer_id=alice)
        assert [(line.variant_id, line.quantity) for line in lines] == [(teapot, 2)]
        assert await cart_lines(session, customer_id=bob) == []


async def test_a_product_gone_meanwhile_is_counted_not_forced(sessions: SessionFactory) -> None:
    teapot, alice, _bob, orders = await alice_and_bob(sessions)
    async with transaction(sessions) as session:
        for order in orders:
            await session.execute(
                update(Order).where(Order.id == order.order_id).values(status="cancelled")
            )
        await session.execute(update(Variant).where(Variant.id == teapot).values(stock=0))
    async with transaction(sessions) as session:
        results = [
            await refill_cart(session, customer_id=alice, order_id=order.order_id)
            for order in orders
        ]
    assert sorted((r.added, r.missing) for r in results) == [(0, 1), (1, 0)]
