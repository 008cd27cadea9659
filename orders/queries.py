"""What `/orders` shows: a buyer's orders page by page, and one order with its history.

Every query is scoped to the buyer: another buyer's order number returns None, exactly like a
number that does not exist, so a forged button learns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import MAX_ROW_ID
from money import Money
from orders.catalog_port import merchant_names
from orders.models import ActorKind, Order, OrderStatus
from orders.numbers import normalise_number
from orders.status import allowed_moves

PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class OrderListItem:
    order_id: int  # for buttons; every use is scoped to the buyer again
    number: str
    merchant_name: str
    status: OrderStatus
    total: Money
    buyer_total: Money
    created_at: datetime
    item_count: int


@dataclass(frozen=True, slots=True)
class OrderPage:
    items: tuple[OrderListItem, ...]
    page: int
    total_count: int
    page_size: int = PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.page_size < self.total_count


@dataclass(frozen=True, slots=True)
class OrderLineView:
    title: str
    sku: str | None
    options: dict[str, str]
    quantity: int
    unit_price: Money
    line_total: Money


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    from_status: OrderStatus | None  # None: the order was placed
    to_status: OrderStatus
    actor_kind: ActorKind
    note: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderDetails:
    order_id: int
    number: str
    merchant_id: int
    merchant_name: str
    status: OrderStatus
    lines: tuple[OrderLineView, ...]
    subtotal: Money
    shipping: Money
    total: Money
    buyer_total: Money
    charge: Money
    fx_rate: str
    fx_rate_date: date | None
    fx_margin_percent: str
    fx_approx: bool
    delivery: dict[str, Any]
    created_at: datetime
    expires_at: datetime | None
    paid_at: datetime | None
    carrier: str | None
    tracking: str | None
    history: tuple[HistoryEntry, ...]

    @property
    def buyer_can_cancel(self) -> bool:
        return OrderStatus.CANCELLED in allowed_moves(self.status, ActorKind.BUYER)


async def list_orders(
    session: AsyncSession, *, customer_id: int, page: int = 0, page_size: int = PAGE_SIZE
) -> OrderPage:
    """The buyer's orders, newest first; an out-of-range page is an empty page, not an error."""
    page = page if isinstance(page, int) and 0 <= page < 10_000 else 0
    total = await session.scalar(
        select(func.count()).select_from(Order).where(Order.customer_id == customer_id)
    )
    orders = (
        await session.scalars(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .offset(page * page_size)
            .limit(page_size)
            .options(selectinload(Order.lines))
        )
    ).all()
    names = await merchant_names(session, {order.merchant_id for order in orders})
    items = tuple(
        OrderListItem(
            order_id=order.id,
            number=order.number,
            merchant_name=names.get(order.merchant_id, ""),
            status=OrderStatus(order.status),
            total=Money.from_minor(order.total_minor, order.currency),
            buyer_total=Money.from_minor(order.buyer_total_minor, order.buyer_currency),
            created_at=order.created_at,
            item_count=sum(line.quantity for line in order.lines),
        )
        for order in orders
    )
    return OrderPage(items, page, int(total or 0), page_size)


async def get_order(session: AsyncSession, *, customer_id: int, number: str) -> OrderDetails | None:
    """One of the buyer's orders with its lines and status history; None if not theirs."""
    canonical = normalise_number(number)
    if canonical is None:
        return None
    return await _details(session, customer_id, Order.number == canonical)


async def get_order_by_id(
    session: AsyncSession, *, customer_id: int, order_id: int
) -> OrderDetails | None:
    """The same, by the id a button carries; another buyer's id (or a forged one) reads None."""
    if not _valid_id(order_id):
        return None
    return await _details(session, customer_id, Order.id == order_id)


def _valid_id(value: object) -> bool:
    """A row id the database can hold: a forged 10^30 must not reach the driver as an error."""
    return not isinstance(value, bool) and isinstance(value, int) and 0 < value <= MAX_ROW_ID


async def _details(
    session: AsyncSession, customer_id: int, which: ColumnElement[bool]
) -> OrderDetails | None:
    order = await session.scalar(
        select(Order)
        .where(which, Order.customer_id == customer_id)
        .options(selectinload(Order.lines), selectinload(Order.events))
        .execution_options(populate_existing=True)
    )
    if order is None:
        return None
    names = await merchant_names(session, {order.merchant_id})
    currency = order.currency
    return OrderDetails(
        order_id=order.id,
        number=order.number,
        merchant_id=order.merchant_id,
        merchant_name=names.get(order.merchant_id, ""),
        status=OrderStatus(order.status),
        lines=tuple(
            OrderLineView(
                title=line.title,
                sku=line.sku,
                options=dict(line.options or {}),
                quantity=line.quantity,
                unit_price=Money.from_minor(line.unit_price_minor, currency),
                line_total=Money.from_minor(line.line_total_minor, currency),
            )
            for line in order.lines
        ),
        subtotal=Money.from_minor(order.subtotal_minor, currency),
        shipping=Money.from_minor(order.shipping_minor, currency),
        total=Money.from_minor(order.total_minor, currency),
        buyer_total=Money.from_minor(order.buyer_total_minor, order.buyer_currency),
        charge=Money.from_minor(order.charge_total_minor, order.charge_currency),
        fx_rate=order.fx_rate,
        fx_rate_date=order.fx_rate_date,
        fx_margin_percent=order.fx_margin_percent,
        fx_approx=order.fx_approx,
        delivery=dict(order.delivery),
        created_at=order.created_at,
        expires_at=order.expires_at,
        paid_at=order.paid_at,
        carrier=order.carrier,
        tracking=order.tracking,
        history=history_of(order),
    )


def history_of(order: Order) -> tuple[HistoryEntry, ...]:
    """The order's status history, oldest first (events must be loaded)."""
    return tuple(
        HistoryEntry(
            from_status=OrderStatus(event.from_status) if event.from_status else None,
            to_status=OrderStatus(event.to_status),
            actor_kind=ActorKind(event.actor_kind),
            note=event.note,
            at=event.at,
        )
        for event in sorted(order.events, key=lambda event: (event.at, event.id))
    )


async def order_history(
    session: AsyncSession, *, customer_id: int, number: str
) -> tuple[HistoryEntry, ...] | None:
    details = await get_order(session, customer_id=customer_id, number=number)
    return None if details is None else details.history
