"""Giving a second payment back: refund it where it was paid, or ask the shop to.

`payments.settlement` records a distinct second payment for a paid order as owed
(`payments.second_payments`) in the transaction of its event. `give_back` then, for each owed
one (of an order, or all: the job that retries after a crash or an unreachable provider):

1. reads the payment and finds the provider that took it (the account that holds the money,
   `PaymentDirectory.took_payment`), no transaction held after;
2. asks that provider to refund the whole payment (no database open: a slow provider must not
   hold a lock); a provider that cannot refund through us (a merchant's own payment link) or
   refuses, or one that is gone, makes it flagged instead: the shop must refund it;
3. in one transaction: records the refund in the ledger, moves the payment to refunded (or
   flagged) and owes the buyer's and the shop's messages (`owe`), once.

Idempotent: the move in step 3 happens only from `owed`, so a replay, a second worker or the job
running beside the webhook tell nobody twice; the refund itself is asked with a stable reference
(Stripe's idempotency key, the sandbox's derived id), so racing workers refund once. A provider
that cannot be reached leaves the payment owed, for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import utcnow
from merchants.refunds import ProviderFor, Refunder
from money import Money
from orders.models import Order
from payments import (
    EventKind,
    NotSupported,
    PaymentError,
    PaymentEvent,
    ProviderUnavailable,
    RefundResult,
    record_event,
)
from payments import second_payments as ledger
from payments.models import SecondPayment
from payments.second_payments import SecondPaymentState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SecondPaymentNews:
    """What became of one second payment, for the buyer and the shop."""

    payment_id: int
    order_number: str
    amount: Money
    state: SecondPaymentState  # REFUNDED, or FLAGGED: the shop must refund it
    reference: str | None  # the provider's reference, for the shop to find the payment


# Writes what the news owes to the outbox, in the transaction of the change (the caller renders).
Owe = Callable[[AsyncSession, SecondPaymentNews], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Plan:
    payment_id: int
    order_number: str
    amount: Money
    reference: str | None
    provider: Refunder | None


async def give_back(
    sessions: async_sessionmaker[AsyncSession],
    provider_for: ProviderFor,
    owe: Owe,
    *,
    order_number: str | None = None,
    now: datetime | None = None,
) -> list[SecondPaymentNews]:
    """Refunds (or flags) the owed second payments of `order_number` (None: of every order);
    returns what changed now (empty for a repeat)."""
    async with sessions() as session, session.begin():
        plans = [await _plan(session, provider_for, row)
                 for row in await ledger.owed(session, order_number=order_number)]  # fmt: skip
    news: list[SecondPaymentNews] = []
    for plan in plans:
        changed = await _give_back_one(sessions, plan, owe, now)
        if changed is not None:
            news.append(changed)
    return news


async def mark_refunded_by_shop(
    session: AsyncSession, owe: Owe, *, payment_id: int, now: datetime | None = None
) -> SecondPaymentNews | None:
    """Staff pressed Refunded on a flagged second payment (they refunded it with their own
    provider): record it and owe the buyer's message; None when it was not flagged (a repeat).
    The caller authorises the staff member for the payment's shop (`shop_of_payment`)."""
    row = await session.get(SecondPayment, payment_id, with_for_update=True)
    if row is None or row.state != SecondPaymentState.FLAGGED.value:
        return None
    moved = await ledger.settle(
        session, row.id, to=SecondPaymentState.REFUNDED, now=now or utcnow(),
        refund_id=f"shop-refund:{row.id}",
    )  # fmt: skip
    if not moved:
        return None
    when = now or utcnow()
    await record_event(session, PaymentEvent(
        provider=row.provider, event_id=f"shop-refund:{row.id}", kind=EventKind.REFUNDED,
        order_number=row.order_number, amount=row.amount,
        provider_reference=row.provider_reference, occurred_at=when,
        raw={"requested_by": "second payment", "refunded_by": "shop"},
    ))  # fmt: skip
    news = SecondPaymentNews(row.id, row.order_number, row.amount, SecondPaymentState.REFUNDED,
                             row.provider_reference)  # fmt: skip
    await owe(session, news)
    return news


async def order_of_payment(session: AsyncSession, payment_id: int) -> Order | None:
    """The order a second payment was made for (to authorise a press about it)."""
    return await session.scalar(
        select(Order)
        .join(SecondPayment, SecondPayment.order_number == Order.number)
        .where(SecondPayment.id == payment_id)
    )


async def _plan(session: AsyncSession, provider_for: ProviderFor, row: SecondPayment) -> _Plan:
    merchant_id = await session.scalar(
        select(Order.merchant_id).where(Order.number == row.order_number)
    )
    provider = None
    if merchant_id is not None and row.provider_reference is not None:
        provider = await provider_for(session, merchant_id, row.provider)
    return _Plan(row.id, row.order_number, row.amount, row.provider_reference, provider)


async def _give_back_one(
    sessions: async_sessionmaker[AsyncSession], plan: _Plan, owe: Owe, now: datetime | None
) -> SecondPaymentNews | None:
    result: RefundResult | None = None
    problem = "the provider that took it is not on this server"
    if plan.provider is not None and plan.reference is not None:
        try:
            result = await plan.provider.refund(plan.reference)
        except NotSupported as error:
            problem = str(error)
        except (ProviderUnavailable, OSError) as error:  # nothing known to have happened
            log.warning("second payment %d of order %s: provider unavailable, later: %s",
                        plan.payment_id, plan.order_number, error)  # fmt: skip
            async with sessions() as session, session.begin():
                await ledger.note_attempt(session, plan.payment_id, error=str(error))
            return None
        except PaymentError as error:  # refused: a person must look at it
            log.warning("second payment %d of order %s: refund refused: %s",
                        plan.payment_id, plan.order_number, error)  # fmt: skip
            problem = f"refused: {error}"
    when = now or utcnow()
    async with sessions() as session, session.begin():
        if result is not None:
            await record_event(session, _refund_event(plan, result, when))
            moved = await ledger.settle(
                session, plan.payment_id, to=SecondPaymentState.REFUNDED, now=when,
                refund_id=result.refund_id[:255],
            )  # fmt: skip
            state = SecondPaymentState.REFUNDED
        else:
            moved = await ledger.settle(
                session, plan.payment_id, to=SecondPaymentState.FLAGGED, now=when, error=problem
            )
            state = SecondPaymentState.FLAGGED
        if not moved:  # another worker got there first: it told everyone
            return None
        news = SecondPaymentNews(plan.payment_id, plan.order_number, plan.amount, state,
                                 plan.reference)  # fmt: skip
        await owe(session, news)
    return news


def _refund_event(plan: _Plan, result: RefundResult, now: datetime) -> PaymentEvent:
    """The provider's answer as a ledger event: its refund id keeps it recorded once."""
    return PaymentEvent(
        provider=result.provider,
        event_id=f"refund:{result.refund_id}"[:255],
        kind=EventKind.REFUNDED,
        order_number=plan.order_number,
        amount=result.amount or plan.amount,
        provider_reference=result.provider_reference,
        occurred_at=now,
        raw={"refund_status": result.status, "requested_by": "second payment",
             **dict(result.raw)},
    )  # fmt: skip


__all__ = ["Owe", "SecondPaymentNews", "give_back", "mark_refunded_by_shop", "order_of_payment"]
