"""Moving a stored order through its status machine, with the stock that follows the move.

Every move locks the order's row first (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the
whole transaction already holds the write lock from `BEGIN IMMEDIATE`) and re-reads it, so a
buyer's Cancel, the expiry job and a late payment webhook racing for the same order are applied
one after the other: the first wins, the others see the new status and become no-ops or
`InvalidTransition`, and reserved stock is released exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import MAX_ROW_ID
from orders.catalog_port import release, reserve
from orders.errors import InvalidTransition, OrderNotFound, StockGone
from orders.models import ActorKind, Order, OrderEvent, OrderStatus
from orders.numbers import normalise_number
from orders.status import PAID_STATUSES, RELEASES_STOCK, Actor, advance, can_advance

NOT_YET_SHIPPED = frozenset({OrderStatus.PAID, OrderStatus.ACCEPTED})


@dataclass(frozen=True, slots=True)
class StatusChange:
    number: str
    status: OrderStatus
    changed: bool  # False: the order already had that status (a repeated press)


def _locked(statement: Select[Order]) -> Select[Order]:
    return (
        statement.options(selectinload(Order.lines))
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    )


async def lock_order(
    session: AsyncSession, *, order_id: int | None = None, number: str | None = None
) -> Order | None:
    """The order, locked for this transaction and freshly read (never a stale copy)."""
    statement = select(Order)
    if order_id is not None:
        statement = statement.where(Order.id == order_id)
    elif number is not None:
        statement = statement.where(Order.number == number)
    else:
        raise ValueError("give order_id or number")
    return await session.scalar(_locked(statement))


async def apply_status(
    session: AsyncSession,
    order: Order,
    to: OrderStatus | str,
    *,
    actor: Actor,
    note: str | None = None,
    now: datetime | None = None,
    carrier: str | None = None,
    tracking: str | None = None,
) -> OrderEvent | None:
    """Advances a *locked* order, moving its stock with it.

    Cancelling or expiring an unpaid order, or refunding one not yet shipped, puts its stock
    back; a late payment for an expired or cancelled order takes it again first, and raises
    `StockGone` (changing nothing) if it cannot, so the caller refunds instead.
    """
    before, target = OrderStatus(order.status), OrderStatus(to)
    if before == target:
        return None
    if not can_advance(before, target, actor.kind):
        raise InvalidTransition(current=before.value, requested=target.value)
    retake = before in RELEASES_STOCK and target == OrderStatus.PAID
    if retake and not await _reserve_lines(session, order):
        raise StockGone(number=order.number)
    event = advance(
        order, target, actor=actor, note=note, at=now, carrier=carrier, tracking=tracking
    )
    assert event is not None  # before != target, checked above
    session.add(event)
    if before == OrderStatus.AWAITING_PAYMENT and target in RELEASES_STOCK:
        await _release_lines(session, _stocked(order))
    if target == OrderStatus.REFUNDED and before in NOT_YET_SHIPPED:
        # Refunded before it left the shop (by the merchant or in the provider's dashboard):
        # the goods are still on the shelf.
        await _release_lines(session, _stocked(order))
    await session.flush()
    return event


def _stocked(order: Order) -> list[tuple[int, int]]:
    """(variant id, quantity) of lines whose variant still exists, in variant-id order."""
    return sorted(
        (line.variant_id, line.quantity) for line in order.lines if line.variant_id is not None
    )


async def _release_lines(session: AsyncSession, lines: list[tuple[int, int]]) -> None:
    for variant_id, quantity in lines:
        await release(session, variant_id=variant_id, quantity=quantity)


async def _reserve_lines(session: AsyncSession, order: Order) -> bool:
    """Takes every line's stock again, or none of it."""
    taken: list[tuple[int, int]] = []
    for variant_id, quantity in _stocked(order):
        if not await reserve(session, variant_id=variant_id, quantity=quantity):
            await _release_lines(session, taken)
            return False
        taken.append((variant_id, quantity))
    return True


async def change_status(
    session: AsyncSession,
    *,
    order_id: int,
    to: OrderStatus | str,
    actor: Actor,
    note: str | None = None,
    now: datetime | None = None,
    carrier: str | None = None,
    tracking: str | None = None,
) -> StatusChange:
    """For merchants, payment webhooks and operators: move order `order_id` to `to`.

    Idempotent: a second delivery of the same move reports `changed=False` and does nothing.
    The caller authorises the actor (is this merchant the order's merchant?) before calling.
    """
    order = await lock_order(session, order_id=order_id)
    if order is None:
        raise OrderNotFound()
    event = await apply_status(
        session, order, to, actor=actor, note=note, now=now, carrier=carrier, tracking=tracking
    )
    return StatusChange(order.number, OrderStatus(order.status), event is not None)


class PaymentOutcome(StrEnum):
    PAID = "paid"
    ALREADY_PAID = "already_paid"  # a repeated webhook: nothing changed
    NEEDS_REFUND = "needs_refund"  # paid too late: the stock is gone, the money must go back


async def record_payment(
    session: AsyncSession,
    *,
    number: str,
    actor: Actor,
    now: datetime | None = None,
    note: str | None = None,
) -> PaymentOutcome:
    """A payment provider says order `number` is paid (the payments ledger checked the event).

    Idempotent, and never raises for a late payment: the webhook's own record must still
    commit, so `NEEDS_REFUND` is returned for the caller to refund.
    """
    order = await lock_order(session, number=number)
    if order is None:
        raise OrderNotFound()
    status = OrderStatus(order.status)
    if status in PAID_STATUSES or status == OrderStatus.REFUNDED:
        return PaymentOutcome.ALREADY_PAID
    try:
        await apply_status(session, order, OrderStatus.PAID, actor=actor, note=note, now=now)
    except StockGone:
        return PaymentOutcome.NEEDS_REFUND
    return PaymentOutcome.PAID


async def cancel_order(
    session: AsyncSession, *, customer_id: int, number: str, now: datetime | None = None
) -> StatusChange:
    """The buyer cancels their own unpaid order; its stock goes back on the shelf.

    Another buyer's order number reads as `OrderNotFound`, exactly like a missing one; a paid
    order raises `InvalidTransition` (the buyer asks the shop for a refund instead).
    """
    canonical = normalise_number(number)
    if canonical is None:
        raise OrderNotFound()
    return await _cancel_own(session, customer_id, Order.number == canonical, now)


async def cancel_own_order(
    session: AsyncSession, *, customer_id: int, order_id: int, now: datetime | None = None
) -> StatusChange:
    """`cancel_order` by the id a Cancel button carries; a forged or foreign id: `OrderNotFound`."""
    if (
        isinstance(order_id, bool)
        or not isinstance(order_id, int)
        or not 0 < order_id <= MAX_ROW_ID
    ):
        raise OrderNotFound()
    return await _cancel_own(session, customer_id, Order.id == order_id, now)


async def _cancel_own(
    session: AsyncSession, customer_id: int, which: ColumnElement[bool], now: datetime | None
) -> StatusChange:
    order = await session.scalar(
        _locked(select(Order).where(which, Order.customer_id == customer_id))
    )
    if order is None:
        raise OrderNotFound()
    event = await apply_status(
        session,
        order,
        OrderStatus.CANCELLED,
        actor=Actor(ActorKind.BUYER, str(customer_id)),
        now=now,
    )
    return StatusChange(order.number, OrderStatus(order.status), event is not None)
