"""The ids /orders buttons carry: opened and cancelled only by the order's own buyer.

`orders.queries.get_order_by_id` and `orders.lifecycle.cancel_own_order`, on SQLite and
PostgreSQL: a forged or foreign id reads as missing and changes nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from orders.errors import InvalidTransition, OrderNotFound
from orders.lifecycle import cancel_own_order, record_payment
from orders.models import ActorKind, Order, OrderStatus
from orders.queries import get_order_by_id, list_orders
from orders.status import Actor
from tests.orders.factories import (
    NOW,
    alice_and_bob,
    stock_of,
)


async def _alice_orders(sessions: SessionFactory) -> tuple[int, int, int, list[int]]:
    teapot, alice, bob, orders = await alice_and_bob(sessions)
    return teapot, alice, bob, [order.order_id for order in orders]


async def test_the_list_carries_ids_that_open_the_buyers_own_orders(
    sessions: SessionFactory,
) -> None:
    _teapot, alice, bob, ids = await _alice_orders(sessions)
    async with transaction(sessions) as session:
        page = await list_orders(session, customer_id=alice)
        assert sorted(item.order_id for item in page.items) == sorted(ids)
        details = await get_order_by_id(session, customer_id=alice, order_id=ids[1])
        assert details is not None and details.order_id == ids[1]
        assert details.status == OrderStatus.AWAITING_PAYMENT and details.buyer_can_cancel
        assert [entry.to_status for entry in details.history] == [OrderStatus.AWAITING_PAYMENT]
        # Bob forging Alice's id, and ids no order has: all read as missing.
        for customer, order_id in [(bob, ids[0]), (alice, 0), (alice, -1), (alice, 10**30)]:
            assert await get_order_by_id(session, customer_id=customer, order_id=order_id) is None


async def test_the_buyer_cancels_an_unpaid_order_and_its_stock_returns(
    sessions: SessionFactory,
) -> None:
    teapot, alice, _bob, ids = await _alice_orders(sessions)
    async with transaction(sessions) as session:
        tea_id = await session.scalar(select(Order.id).where(Order.currency == "CNY"))
        assert tea_id in ids and await stock_of(session, teapot) == 3
    async with transaction(sessions) as session:
        change = await cancel_own_order(session, customer_id=alice, order_id=tea_id, now=NOW)
    assert change.changed and change.status == OrderStatus.CANCELLED
    async with transaction(sessions) as session:
        assert await stock_of(session, teapot) == 5
        details = await get_order_by_id(session, customer_id=alice, order_id=tea_id)
    assert details is not None and not details.buyer_can_cancel
    assert [entry.to_status for entry in details.history] == [
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.CANCELLED,
    ]
    # Pressed twice: nothing more happens, the stock is released once.
    async with transaction(sessions) as session:
        again = await cancel_own_order(session, customer_id=alice, order_id=tea_id, now=NOW)
        assert not again.changed and await stock_of(session, teapot) == 5


async def test_a_forged_cancel_changes_nothing(sessions: SessionFactory) -> None:
    teapot, _alice, bob, ids = await _alice_orders(sessions)
    for order_id in [*ids, 0, 10**30]:
        with pytest.raises(OrderNotFound):
            async with transaction(sessions) as session:
                await cancel_own_order(session, customer_id=bob, order_id=order_id, now=NOW)
    async with transaction(sessions) as session:
        statuses = set((await session.scalars(select(Order.status))).all())
        assert statuses == {OrderStatus.AWAITING_PAYMENT.value}
        assert await stock_of(session, teapot) == 3


async def test_a_paid_order_cannot_be_cancelled_by_the_buyer(sessions: SessionFactory) -> None:
    _teapot, alice, _bob, ids = await _alice_orders(sessions)
    async with transaction(sessions) as session:
        number = await session.scalar(select(Order.number).where(Order.id == ids[0]))
        assert number is not None
        await record_payment(session, number=number, actor=Actor(ActorKind.PROVIDER, "test"))
    with pytest.raises(InvalidTransition):
        async with transaction(sessions) as session:
            await cancel_own_order(session, customer_id=alice, order_id=ids[0], now=NOW)
    async with transaction(sessions) as session:
        details = await get_order_by_id(session, customer_id=alice, order_id=ids[0])
    assert details is not None and details.status == OrderStatus.PAID
    assert not details.buyer_can_cancel
