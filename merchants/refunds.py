"""Cancel and refund: a staff member gives a paid, not yet shipped order's money back.

Three steps, never one transaction around the provider (a slow provider must not hold a lock,
and on SQLite the only write lock):

1. read, under the order's row lock: authorised? still paid or accepted? which payment?
2. ask the order's provider to refund the whole payment (no database open);
3. under the lock again: record the refund in the payments ledger, move the order to
   refunded, put the stock back on the shelf and owe the edited notice and the buyer's message
   (`merchants.desk.move`), all in one transaction.

Idempotent: a second press, or a replayed confirmation, finds the order refunded in step 1 and
changes nothing. Two racing confirmations on two workers may both reach step 2: the refund is
asked with a stable reference (the payment's own, for the full amount), which providers treat
as one request (Stripe's idempotency key, the sandbox's derived id), and step 3 records it once
(the ledger's unique event id) and moves the order once (the status re-read under the lock).
If the provider cannot be reached or refuses, `RefundFailed` is raised and nothing changed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import utcnow
from merchants.desk import REFUNDABLE, DeskRefused, DeskResult, Refusal, authorise, move
from money import Money
from orders.lifecycle import lock_order
from orders.models import OrderStatus
from payments import (
    EventKind,
    NotSupported,
    PaymentError,
    PaymentEvent,
    ProviderUnavailable,
    RefundResult,
    record_event,
)
from payments.models import CheckoutRecord
from payments.second_payments import paying_payment

log = logging.getLogger(__name__)


class Refunder(Protocol):
    """What a refund needs of a provider; every `payments.Provider` is one."""

    name: str

    async def refund(
        self, provider_reference: str, amount: Money | None = None
    ) -> RefundResult: ...


# The provider that took a merchant's payment recorded under a provider name (the money sits
# there): `PaymentDirectory.took_payment` fits.
ProviderFor = Callable[[AsyncSession, int, str], Awaitable[Refunder | None]]
# Writes what a result owes to the outbox, in the transaction of the change (the caller renders).
Owe = Callable[[AsyncSession, DeskResult], Awaitable[None]]


class RefundProblem(StrEnum):
    UNAVAILABLE = "unavailable"  # the provider could not be reached: try again later
    REJECTED = "rejected"  # the provider answered no
    NOT_SUPPORTED = "not_supported"  # the merchant refunds with its own provider, not through us
    NO_PROVIDER = "no_provider"  # the payment's provider is not on this server (any more)
    NO_PAYMENT = "no_payment"  # no payment of this order is on record


class RefundFailed(Exception):
    """Nothing changed; `problem` says why, for the message in the merchant's chat."""

    def __init__(self, problem: RefundProblem, number: str, language: str, detail: str = ""):
        super().__init__(f"{number} {problem.value}: {detail}")
        self.problem, self.number, self.language, self.detail = problem, number, language, detail


@dataclass(frozen=True, slots=True)
class Payment:
    """The payment an order was paid with: whom to ask, and the provider's reference."""

    provider: str
    reference: str


async def payment_of(session: AsyncSession, order_number: str) -> Payment | None:
    """The provider and reference of the order's payment: the `paid` event that paid it (not a
    second payment, which `merchants.second_payments` gives back on its own), else its
    checkout (a payment confirmed some other way still went through that checkout)."""
    paid = await paying_payment(session, order_number)
    if paid is not None and paid[1] is not None:
        return Payment(paid[0], paid[1])
    checkout = await session.scalar(
        select(CheckoutRecord).where(CheckoutRecord.order_number == order_number)
    )
    return Payment(checkout.provider, checkout.provider_reference) if checkout else None


@dataclass(frozen=True, slots=True)
class _Plan:
    number: str
    merchant_id: int
    payment: Payment
    provider: Refunder
    language: str


async def refund_order(
    sessions: async_sessionmaker[AsyncSession],
    provider_for: ProviderFor,
    owe: Owe,
    *,
    chat_id: int,
    user_id: int,
    actor_name: str,
    order_id: int,
    notice_message_id: int | None,
    now: datetime | None = None,
) -> DeskResult:
    """Staff confirmed Cancel and refund on order `order_id` in `chat_id`.

    `owe` writes the result's messages (the edited notice, the buyer's news) to the outbox in
    the refund's own transaction. Returns the desk's result (`changed=False` for a repeat:
    nothing was refunded again).
    Raises `DeskRefused` (not staff, another shop's order, shipped already) and `RefundFailed`
    (the provider could not or would not refund); either way nothing changed.
    """
    async with sessions() as session, session.begin():
        plan = await _plan(session, provider_for, chat_id=chat_id, user_id=user_id,
                           order_id=order_id)  # fmt: skip
        if isinstance(plan, DeskResult):
            return plan
    result = await _ask_provider(plan)
    async with sessions() as session, session.begin():
        settled = await _settle(
            session, plan, result, chat_id=chat_id, user_id=user_id, actor_name=actor_name,
            order_id=order_id, notice_message_id=notice_message_id, now=now or utcnow(),
        )  # fmt: skip
        await owe(session, settled)
    return settled


async def _plan(
    session: AsyncSession, provider_for: ProviderFor, *, chat_id: int, user_id: int,
    order_id: int,
) -> _Plan | DeskResult:  # fmt: skip
    shop, _ = await authorise(session, chat_id=chat_id, user_id=user_id, order_id=order_id)
    order = await lock_order(session, order_id=order_id)
    assert order is not None  # authorise found it, and orders are never deleted
    status = OrderStatus(order.status)
    if status == OrderStatus.REFUNDED:
        return DeskResult(order.number, status, changed=False, language=shop.language)
    if status not in REFUNDABLE:
        raise DeskRefused(Refusal.NOT_NOW, status)
    payment = await payment_of(session, order.number)
    if payment is None:
        raise RefundFailed(RefundProblem.NO_PAYMENT, order.number, shop.language)
    # The money sits with the provider that took it: a merchant who switched providers (or set
    # Stripe keys of its own) since is refunded through the account that was paid.
    provider = await provider_for(session, order.merchant_id, payment.provider)
    if provider is None or provider.name != payment.provider:
        raise RefundFailed(RefundProblem.NO_PROVIDER, order.number, shop.language,
                           payment.provider)  # fmt: skip
    return _Plan(order.number, order.merchant_id, payment, provider, shop.language)


async def _ask_provider(plan: _Plan) -> RefundResult:
    try:
        # The whole payment (amount None): the provider's stable request for this reference.
        return await plan.provider.refund(plan.payment.reference)
    except NotSupported as error:
        raise RefundFailed(RefundProblem.NOT_SUPPORTED, *_who(plan), str(error)) from error
    except ProviderUnavailable as error:
        log.warning("refund of order %s: provider unavailable: %s", plan.number, error)
        raise RefundFailed(RefundProblem.UNAVAILABLE, *_who(plan), str(error)) from error
    except PaymentError as error:  # refused, or an amount it cannot refund
        log.warning("refund of order %s refused by the provider: %s", plan.number, error)
        raise RefundFailed(RefundProblem.REJECTED, *_who(plan), str(error)) from error
    except OSError as error:  # a provider that lets a network error through
        raise RefundFailed(RefundProblem.UNAVAILABLE, *_who(plan), str(error)) from error


def _who(plan: _Plan) -> tuple[str, str]:
    return plan.number, plan.language


async def _settle(
    session: AsyncSession, plan: _Plan, result: RefundResult, *, chat_id: int, user_id: int,
    actor_name: str, order_id: int, notice_message_id: int | None, now: datetime,
) -> DeskResult:  # fmt: skip
    shop, _ = await authorise(session, chat_id=chat_id, user_id=user_id, order_id=order_id)
    order = await lock_order(session, order_id=order_id)
    assert order is not None
    before = OrderStatus(order.status)
    charge = Money.from_minor(order.charge_total_minor, order.charge_currency)
    await record_event(session, _refund_event(plan, result, charge, now))
    if before == OrderStatus.REFUNDED:  # a racing confirmation got here first
        return DeskResult(order.number, before, changed=False, language=shop.language)
    if before not in REFUNDABLE:  # shipped in between: the money is back, the goods are not
        log.warning("order %s was refunded while %s", order.number, before.value)
    # Moving to REFUNDED puts a never-shipped order's stock back (orders.lifecycle.apply_status).
    return await move(session, shop, order_id, OrderStatus.REFUNDED, user_id, actor_name,
                      notice_message_id, now)  # fmt: skip


def _refund_event(plan: _Plan, result: RefundResult, charge: Money, now: datetime) -> PaymentEvent:
    """The provider's answer as a ledger event: its refund id keeps it recorded once."""
    return PaymentEvent(
        provider=result.provider,
        event_id=f"refund:{result.refund_id}"[:255],
        kind=EventKind.REFUNDED,
        order_number=plan.number,
        amount=result.amount or charge,
        provider_reference=result.provider_reference,
        occurred_at=now,
        raw={"refund_status": result.status, "requested_by": "merchant", **dict(result.raw)},
    )


__all__ = ["Owe", "Payment", "ProviderFor", "RefundFailed", "RefundProblem", "Refunder",
           "payment_of", "refund_order"]  # fmt: skip
