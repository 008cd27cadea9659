"""What a verified payment event does to its order: one use case, run in one transaction.

The ledger records the event once (`payments.settle_event`); only an `ACCEPTED` event moves the
order (`orders.lifecycle`), in the same transaction, so a replay, a redelivery or a race between
two workers changes the order at most once. A distinct second payment for a paid order is
recorded as owed back (`payments.second_payments`), under the order's lock, and refunded after
the commit (`merchants.second_payments`). What to tell whom is decided here; the caller
(`handlers.payment_updates`) owes the messages to the outbox in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from money import Money
from orders.customers import Customer
from orders.errors import OrderNotFound
from orders.lifecycle import PaymentOutcome, apply_status, lock_order, record_payment
from orders.models import ActorKind, Order, OrderStatus
from orders.status import PAID_STATUSES, Actor
from payments import second_payments
from payments.base import EventKind, PaymentEvent
from payments.ledger import Outcome, WebhookOutcome, settle_event
from payments.second_payments import SecondPaymentState

log = logging.getLogger(__name__)


class OrderChange(StrEnum):
    """What the buyer (and the merchant) should hear about."""

    PAID = "paid"
    NEEDS_REFUND = "needs_refund"  # paid after the reservation ended and the stock is gone
    SECOND_PAYMENT = "second_payment"  # paid again, distinctly: owed back (`second_payments`)
    SECOND_REFUNDED = "second_refunded"  # the shop reports a second payment refunded
    REFUNDED = "refunded"  # the whole charge went back
    PARTLY_REFUNDED = "partly_refunded"
    FAILED = "failed"  # the attempt failed or was cancelled; the order still awaits payment
    PENDING = "pending"  # the buyer finished, the money has not arrived yet
    NONE = "none"  # a replay, a superseded or expired event: nothing to say


@dataclass(frozen=True, slots=True)
class OrderParties:
    """Who hears about an order, in which language, and what it costs."""

    number: str
    buyer_chat_id: int  # a private chat's id is the user's id
    buyer_locale: str
    merchant_name: str
    charge: Money
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Settlement:
    outcome: WebhookOutcome
    change: OrderChange
    parties: OrderParties | None = None


async def buyer_chat_of(session: AsyncSession, order_number: str) -> int | None:
    """The buyer's chat, so a payment update queues behind what that buyer is doing."""
    return await session.scalar(
        select(Customer.telegram_user_id)
        .join(Order, Order.customer_id == Customer.id)
        .where(Order.number == order_number)
    )


async def settle_payment(
    session: AsyncSession, event: PaymentEvent, *, now: datetime
) -> Settlement:
    """Record `event` once and apply it to its order; raises `WebhookRejected` when the
    checkout changed since the event was verified (nothing is written then)."""
    outcome = await settle_event(session, event)
    if event.order_number is None:
        return Settlement(outcome, OrderChange.NONE)
    if outcome.status is Outcome.PAID_AGAIN:
        change = await _paid_again(session, event, now)
    elif not outcome.actionable:
        return Settlement(outcome, OrderChange.NONE)
    else:
        actor = Actor(ActorKind.PROVIDER, event.provider[:64])
        change = await _apply(session, event, actor, now)
    parties = await parties_of(session, event.order_number)
    if parties is None:  # a checkout without its order: a bug elsewhere, keep the record
        log.error("order %s of %s event %s is gone", event.order_number, event.provider,
                  event.event_id)  # fmt: skip
        return Settlement(outcome, OrderChange.NONE)
    return Settlement(outcome, change, parties)


async def _apply(
    session: AsyncSession, event: PaymentEvent, actor: Actor, now: datetime
) -> OrderChange:
    assert event.order_number is not None
    note = f"{event.provider} {event.event_id}"[:500]
    if event.kind is EventKind.PAID:
        try:
            paid = await record_payment(
                session, number=event.order_number, actor=actor, now=now, note=note
            )
        except OrderNotFound:
            return OrderChange.NONE
        if paid is PaymentOutcome.NEEDS_REFUND:
            log.error("order %s was paid after its stock was gone: refund it", event.order_number)
            return OrderChange.NEEDS_REFUND
        if paid is PaymentOutcome.ALREADY_PAID:  # a racing first payment committed before us
            return await _paid_again(session, event, now)
        return OrderChange.PAID
    if event.kind is EventKind.REFUNDED:
        return await _refund(session, event, actor, now, note)
    if event.kind is EventKind.FAILED:
        return OrderChange.FAILED
    if event.kind is EventKind.PENDING:
        return OrderChange.PENDING
    return OrderChange.NONE  # expired checkout: the order's own expiry job handles the stock


async def _paid_again(session: AsyncSession, event: PaymentEvent, now: datetime) -> OrderChange:
    """A `paid` event for a paid order: a second payment is owed back (once, however many
    events report it); the same payment reported again changes nothing."""
    assert event.order_number is not None
    await lock_order(session, number=event.order_number)  # one verdict at a time per order
    if not await second_payments.is_second_payment(session, event):
        log.info("order %s: %s event %s is its payment again", event.order_number,
                 event.provider, event.event_id)  # fmt: skip
        return OrderChange.NONE
    if await second_payments.owe_back(session, event, now=now) is None:
        return OrderChange.NONE
    log.warning("order %s was paid a second time (%s event %s): refunding it",
                event.order_number, event.provider, event.event_id)  # fmt: skip
    return OrderChange.SECOND_PAYMENT


async def _refund(
    session: AsyncSession, event: PaymentEvent, actor: Actor, now: datetime, note: str
) -> OrderChange:
    assert event.order_number is not None
    order = await lock_order(session, number=event.order_number)
    second = await _second_payment_refunded(session, event, now)
    if second is not None:
        return second
    if order is None or OrderStatus(order.status) not in PAID_STATUSES:
        return OrderChange.NONE
    charged = Money.from_minor(order.charge_total_minor, order.charge_currency)
    if event.amount is not None and event.amount != charged:
        return OrderChange.PARTLY_REFUNDED
    await apply_status(session, order, OrderStatus.REFUNDED, actor=actor, note=note, now=now)
    return OrderChange.REFUNDED


async def _second_payment_refunded(
    session: AsyncSession, event: PaymentEvent, now: datetime
) -> OrderChange | None:
    """A refund notice about a second payment (a shop refunding a flagged one with its own
    provider) settles that payment, never the order's; None when it is about another."""
    if event.provider_reference is None:
        return None
    row = await second_payments.by_reference(
        session, provider=event.provider, reference=event.provider_reference
    )
    if row is None:
        return None
    moved = await second_payments.settle(
        session, row.id, to=SecondPaymentState.REFUNDED, now=now, refund_id=event.event_id[:255]
    )
    return OrderChange.SECOND_REFUNDED if moved else OrderChange.NONE


async def parties_of(session: AsyncSession, order_number: str) -> OrderParties | None:
    """Who hears about order `order_number`; None when there is no such order."""
    row = (
        await session.execute(
            select(Order, Customer.telegram_user_id, Customer.locale, Merchant.name)
            .join(Customer, Customer.id == Order.customer_id)
            .join(Merchant, Merchant.id == Order.merchant_id)
            .where(Order.number == order_number)
        )
    ).first()
    if row is None:
        return None
    order, chat_id, locale, merchant_name = row
    return OrderParties(
        number=order.number,
        buyer_chat_id=chat_id,
        buyer_locale=locale,
        merchant_name=merchant_name,
        charge=Money.from_minor(order.charge_total_minor, order.charge_currency),
        expires_at=order.expires_at,
    )
