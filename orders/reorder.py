"""Order again: an order that expired unpaid (or was cancelled) puts its items back in the cart.

One tap from /orders; each line is added as the cart adds any product (today's price, today's
stock), so a line whose product is gone or sold out is counted as missing, not forced in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.cart import add_to_cart
from orders.errors import OrderNotFound, ShopError
from orders.models import Order, OrderLine, OrderStatus

REORDERABLE = frozenset({OrderStatus.EXPIRED, OrderStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class Refilled:
    number: str
    added: int  # lines back in the cart
    missing: int  # lines whose product is gone or not in stock any more


async def refill_cart(
    session: AsyncSession, *, customer_id: int, order_id: int, language: str = "en"
) -> Refilled:
    """Puts the lines of the buyer's expired or cancelled order back in their cart.

    Raises `OrderNotFound` for another buyer's order (or a forged id) and for an order that
    is still under way (there is nothing to order again).
    """
    if isinstance(order_id, bool) or not 0 < order_id < 2**63:
        raise OrderNotFound()
    order = await session.scalar(
        select(Order).where(Order.id == order_id, Order.customer_id == customer_id)
    )
    if order is None or OrderStatus(order.status) not in REORDERABLE:
        raise OrderNotFound()
    lines = (
        await session.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
        )
    ).all()
    added = missing = 0
    for line in lines:
        if line.variant_id is None:
            missing += 1
            continue
        try:
            async with session.begin_nested():
                await add_to_cart(
                    session,
                    customer_id=customer_id,
                    variant_id=line.variant_id,
                    quantity=line.quantity,
                    language=language,
                )
            added += 1
        except ShopError:
            missing += 1
    return Refilled(order.number, added, missing)
