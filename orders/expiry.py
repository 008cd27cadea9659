"""Unpaid orders expire after their time is up, and their reserved stock goes back on sale.

Run by a scheduled job on every worker: candidates are picked with `FOR UPDATE SKIP LOCKED` on
PostgreSQL, so two workers split the work instead of waiting on each other, and each order is
re-read under its lock before it moves. On SQLite the write lock taken at `BEGIN IMMEDIATE`
serialises the workers. Either way an order expires, and its stock is released, exactly once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from orders.lifecycle import apply_status
from orders.models import Order, OrderStatus
from orders.status import SYSTEM_ACTOR

BATCH = 100


async def expire_unpaid(session: AsyncSession, *, now: datetime, limit: int = BATCH) -> list[str]:
    """Expires up to `limit` orders still awaiting payment at `now`; returns their numbers.

    Call it again while it returns a full batch. Orders another worker is expiring right now are
    skipped, not waited for.
    """
    orders = (
        await session.scalars(
            select(Order)
            .where(
                Order.status == OrderStatus.AWAITING_PAYMENT.value,
                Order.expires_at.is_not(None),
                Order.expires_at <= now,
            )
            .order_by(Order.expires_at, Order.id)
            .limit(limit)
            .options(selectinload(Order.lines))
            .with_for_update(skip_locked=True, of=Order)
            .execution_options(populate_existing=True)
        )
    ).all()
    expired = []
    for order in orders:
        # Locked and freshly read above; the status test guards a row that changed in between.
        if order.status != OrderStatus.AWAITING_PAYMENT.value:
            continue
        await apply_status(
            session, order, OrderStatus.EXPIRED, actor=SYSTEM_ACTOR, note="unpaid", now=now
        )
        expired.append(order.number)
    return expired
