"""Second payments: a distinct payment for an order that is already paid, owed back.

A buyer can pay one order twice: two checkouts of one order (a renewed link, a switched
currency) both paid, a payment link opened in two tabs. The first payment pays the order; every
other one is recorded here (`owe_back`, in the transaction that records its event) and given
back by `merchants.second_payments` through the provider that took it.

"Distinct" is the provider's reference of the payment (Stripe's Checkout Session): two events
about one reference (`completed`, then `async_payment_succeeded`; a redelivery under a new event
id) are one payment reported twice, and are never refunded; that would give back the only
payment of the order.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import insert_for, rowcount
from payments.base import EventKind, PaymentEvent
from payments.models import PaymentEventRecord, SecondPayment

ERROR_MAX = 1000


class SecondPaymentState(StrEnum):
    OWED = "owed"  # to be refunded through the provider that took it
    REFUNDED = "refunded"  # the money went back (the ledger has the refund event)
    FLAGGED = "flagged"  # that provider cannot refund through us: the shop was asked to


def payment_key(event: PaymentEvent) -> str:
    """What makes a payment distinct: the provider's reference, else the event itself."""
    return (event.provider_reference or f"event:{event.event_id}")[:255]


async def _paid_keys(session: AsyncSession, order_number: str) -> list[tuple[str, str, str | None]]:
    """(provider, key, reference) of the order's `paid` events, oldest first."""
    rows = await session.execute(
        select(
            PaymentEventRecord.provider,
            PaymentEventRecord.event_id,
            PaymentEventRecord.provider_reference,
        )
        .where(
            PaymentEventRecord.order_number == order_number,
            PaymentEventRecord.kind == EventKind.PAID.value,
        )
        .order_by(PaymentEventRecord.id)
    )
    return [
        (provider, (reference or f"event:{event_id}")[:255], reference)
        for provider, event_id, reference in rows
    ]


async def _owed_back_keys(session: AsyncSession, order_number: str) -> set[tuple[str, str]]:
    rows = await session.execute(
        select(SecondPayment.provider, SecondPayment.payment_key).where(
            SecondPayment.order_number == order_number
        )
    )
    return {(provider, key) for provider, key in rows}


async def paying_payment(session: AsyncSession, order_number: str) -> tuple[str, str | None] | None:
    """(provider, reference) of the payment that paid the order: its first `paid` event that is
    not a second payment (ids are not commit order: a second payment's event can be older)."""
    owed_back = await _owed_back_keys(session, order_number)
    for provider, key, reference in await _paid_keys(session, order_number):
        if (provider, key) not in owed_back:
            return provider, reference
    return None


async def is_second_payment(session: AsyncSession, event: PaymentEvent) -> bool:
    """A `paid` event (already recorded) about another payment than the one that paid the
    order. Ask it under the order's lock: every payment committed before is then either the
    paying one or owed back, so of two racing first payments exactly one is the second."""
    if event.kind is not EventKind.PAID or event.order_number is None:
        return False
    mine = (event.provider, payment_key(event))
    owed_back = await _owed_back_keys(session, event.order_number)
    if mine in owed_back:
        return False  # owed back already: another event about the same second payment
    return any(
        (provider, key) != mine and (provider, key) not in owed_back
        for provider, key, _ in await _paid_keys(session, event.order_number)
    )


async def owe_back(session: AsyncSession, event: PaymentEvent, *, now: datetime) -> int | None:
    """Records that `event`'s payment is owed back; its row id, None when it already was
    (another event about the same payment). `ON CONFLICT DO NOTHING`, so racing deliveries of
    one payment write one row."""
    if event.amount is None or event.order_number is None:
        raise ValueError("a second payment needs its amount and order")
    statement = (
        insert_for(session, SecondPayment)
        .values(
            provider=event.provider,
            payment_key=payment_key(event),
            event_id=event.event_id[:255],
            order_number=event.order_number,
            provider_reference=event.provider_reference,
            amount_minor=event.amount.to_minor(),
            currency=event.amount.currency,
            state=SecondPaymentState.OWED.value,
            attempts=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["provider", "payment_key"])
        .returning(SecondPayment.id)
    )
    written: int | None = (await session.execute(statement)).scalar_one_or_none()
    return written


async def owed(session: AsyncSession, *, order_number: str | None = None) -> list[SecondPayment]:
    """Second payments still to refund (of one order, or all), oldest first."""
    query = select(SecondPayment).where(SecondPayment.state == SecondPaymentState.OWED.value)
    if order_number is not None:
        query = query.where(SecondPayment.order_number == order_number)
    return list(await session.scalars(query.order_by(SecondPayment.id)))


async def of_order(session: AsyncSession, order_number: str) -> list[SecondPayment]:
    """Every second payment of an order, oldest first (support, tests)."""
    return list(
        await session.scalars(
            select(SecondPayment)
            .where(SecondPayment.order_number == order_number)
            .order_by(SecondPayment.id)
        )
    )


async def by_reference(
    session: AsyncSession, *, provider: str, reference: str
) -> SecondPayment | None:
    """The second payment a provider's refund notice is about, if it is one."""
    return await session.scalar(
        select(SecondPayment).where(
            SecondPayment.provider == provider, SecondPayment.payment_key == reference[:255]
        )
    )


async def settle(
    session: AsyncSession,
    row_id: int,
    *,
    to: SecondPaymentState,
    now: datetime,
    refund_id: str | None = None,
    error: str | None = None,
) -> bool:
    """Moves an owed (or, to refunded, a flagged) second payment on; False when another worker
    (or an earlier press, or a replay) moved it first: then nothing must be told again."""
    start = [SecondPaymentState.OWED.value]
    if to is SecondPaymentState.REFUNDED:
        start.append(SecondPaymentState.FLAGGED.value)
    result = await session.execute(
        update(SecondPayment)
        .where(SecondPayment.id == row_id, SecondPayment.state.in_(start))
        .values(
            state=to.value,
            refund_id=refund_id,
            last_error=error[:ERROR_MAX] if error else None,
            settled_at=now,
        )
    )
    return bool(rowcount(result))


async def note_attempt(session: AsyncSession, row_id: int, *, error: str) -> None:
    """A refund that could not be asked yet (provider unreachable): the job tries again."""
    await session.execute(
        update(SecondPayment)
        .where(SecondPayment.id == row_id)
        .values(attempts=SecondPayment.attempts + 1, last_error=error[:ERROR_MAX])
    )
