"""The expiry job hands the stock of unpaid orders back, once, when their time is up."""

from __future__ import annotations

from datetime import timedelta

from bot.database import SessionFactory
from bot.order_expiry import expire_due_orders
from db import utcnow
from orders.models import OrderStatus
from tests.web.test_provider_unreachable import STOCK, order_state, placed_order


async def test_due_orders_expire_once_and_release_their_stock(sessions: SessionFactory) -> None:
    number, mug = await placed_order(sessions)  # reserved for 30 minutes
    assert await expire_due_orders(sessions, now=utcnow() + timedelta(minutes=29)) == 0
    status, _, stock = await order_state(sessions, number, mug)
    assert (status, stock) == (OrderStatus.AWAITING_PAYMENT, STOCK - 1)

    assert await expire_due_orders(sessions, now=utcnow() + timedelta(minutes=31)) == 1
    assert await expire_due_orders(sessions, now=utcnow() + timedelta(minutes=32)) == 0
    status, _, stock = await order_state(sessions, number, mug)
    assert (status, stock) == (OrderStatus.EXPIRED, STOCK)
