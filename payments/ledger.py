"""What payments remember: events recorded once, and one current checkout per order.

`receive_webhook` is the use case for one provider notification: verify, check against the
order's checkout, record once, and say whether the order should change. The web server runs it
in two halves: `verify_webhook` before answering the provider (writes nothing), `settle_event`
in the PTB update that hands an `ACCEPTED` event to `orders/` in the same transaction, so the
event and the order change commit together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import insert_for, utcnow
from money import Money
from payments.base import (
    AmountMismatch,
    CheckoutLink,
    CheckoutRequest,
    EventKind,
    PaymentEvent,
    Provider,
    UnknownOrder,
    WebhookRejected,
)
from payments.models import CheckoutRecord, PaymentEventRecord

log = logging.getLogger(__name__)

# A checkout closer than this to its expiry is not handed out again: the buyer needs time to pay.
REUSE_MARGIN = timedelta(minutes=5)


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # new and meaningful: hand it to orders
    DUPLICATE = "duplicate"  # this event id was recorded before: a replay or a redelivery
    SUPERSEDED = "superseded"  # new, recorded, but the order is past it (paid, newer checkout)
    # New, recorded, `paid`, and the order has a `paid` event already: the same payment reported
    # again, or a second payment to give back (`payments.settlement` tells which, under lock).
    PAID_AGAIN = "paid_again"
    IGNORED = "ignored"  # an event type we do not act on; not recorded


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    """What happened to one notification; the web layer answers 2xx for every outcome."""

    status: Outcome
    event: PaymentEvent
    reason: str | None = None

    @property
    def actionable(self) -> bool:
        return self.status is Outcome.ACCEPTED


# --- events -----------------------------------------------------------------------------------


async def record_event(session: AsyncSession, event: PaymentEvent) -> bool:
    """Insert the event; True the first time, False if (provider, event_id) is already there.

    `INSERT … ON CONFLICT DO NOTHING RETURNING id` leans on the unique constraint, so two
    concurrent deliveries of one event cannot both be first, and the surrounding transaction
    stays usable (no IntegrityError to recover from).
    """
    if event.kind is None or event.order_number is None:
        raise ValueError("only events with a kind and an order are recorded")
    statement = (
        insert_for(session, PaymentEventRecord)
        .values(
            provider=event.provider,
            event_id=event.event_id,
            order_number=event.order_number,
            kind=event.kind.value,
            amount_minor=event.amount.to_minor() if event.amount else None,
            currency=event.amount.currency if event.amount else None,
            provider_reference=event.provider_reference,
            occurred_at=event.occurred_at,
            received_at=utcnow(),
            raw=_jsonable(event.raw),
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(PaymentEventRecord.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def events_for_order(session: AsyncSession, order_number: str) -> list[PaymentEventRecord]:
    """Every recorded event of an order, oldest first (support, audits, tests)."""
    result = await session.scalars(
        select(PaymentEventRecord)
        .where(PaymentEventRecord.order_number == order_number)
        .order_by(PaymentEventRecord.id)
    )
    return list(result)


async def receive_webhook(
    session: AsyncSession,
    provider: Provider,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
) -> WebhookOutcome:
    """Verify, check and record one notification (`verify_webhook`, then `settle_event`).

    Raises a `WebhookRejected` subclass (bad signature, stale, malformed, unknown order, wrong
    amount or currency) after logging it; nothing is written then. Otherwise returns the
    outcome; only `ACCEPTED` should change the order.
    """
    event = await verify_webhook(session, provider, headers, body, now=now)
    if event.kind is None:
        return WebhookOutcome(Outcome.IGNORED, event, "event type not handled")
    return await settle_event(session, event)


async def verify_webhook(
    session: AsyncSession,
    provider: Provider,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
) -> PaymentEvent:
    """The verified event, checked against its order's checkout; writes nothing.

    The web layer calls this before it answers the provider (so a refusal is a 4xx), then hands
    the event on; an event with `kind` None is one we ignore. Raises (and logs) a
    `WebhookRejected` subclass: bad signature, stale, malformed, unknown order, wrong amount.
    """
    try:
        event = provider.parse_webhook(headers, body, now=now)
        if event.kind is not None:
            checkout = await _checkout_for(session, event)
            _check_amount(event, checkout.amount)
    except WebhookRejected as error:
        _log_refusal(provider.name, error)
        raise
    return event


async def settle_event(session: AsyncSession, event: PaymentEvent) -> WebhookOutcome:
    """Record a verified event once and say whether the order should change.

    The checkout is checked again, in this transaction: it may have been replaced since the
    event was verified. Out-of-order deliveries are settled here: once an order has a payment,
    a later pending/failed/expired event is `SUPERSEDED`, as is one for an earlier checkout of
    the same order; a later `paid` event is `PAID_AGAIN`. A replayed event id is `DUPLICATE`.
    """
    if event.kind is None:
        return WebhookOutcome(Outcome.IGNORED, event, "event type not handled")
    try:
        checkout = await _checkout_for(session, event)
        _check_amount(event, checkout.amount)
    except WebhookRejected as error:
        _log_refusal(event.provider, error)
        raise
    earlier = set(
        await session.scalars(
            select(PaymentEventRecord.kind).where(
                PaymentEventRecord.order_number == checkout.order_number
            )
        )
    )
    if not await record_event(session, event):
        log.info("%s event %s is a replay", event.provider, event.event_id)
        return WebhookOutcome(Outcome.DUPLICATE, event, "event already recorded")
    if event.kind is EventKind.PAID and EventKind.PAID.value in earlier:
        log.info("%s event %s: the order has a payment already", event.provider, event.event_id)
        return WebhookOutcome(Outcome.PAID_AGAIN, event, "order was already paid")
    reason = _superseded_by(event, earlier, checkout)
    if reason:
        log.info("%s event %s: %s", event.provider, event.event_id, reason)
        return WebhookOutcome(Outcome.SUPERSEDED, event, reason)
    return WebhookOutcome(Outcome.ACCEPTED, event)


def _log_refusal(provider: str, error: WebhookRejected) -> None:
    level = logging.ERROR if isinstance(error, AmountMismatch) else logging.WARNING
    log.log(level, "%s webhook refused: %s: %s", provider, type(error).__name__, error)


async def _checkout_for(session: AsyncSession, event: PaymentEvent) -> CheckoutRecord:
    assert event.order_number is not None  # providers set it for every event with a kind
    checkout = await find_checkout(session, event.order_number)
    if checkout is None:
        raise UnknownOrder(f"no checkout was opened for order {event.order_number!r}")
    if checkout.provider != event.provider:
        raise UnknownOrder(
            f"order {event.order_number!r} is paid through {checkout.provider}, "
            f"not {event.provider}"
        )
    return checkout


def _check_amount(event: PaymentEvent, expected: Money) -> None:
    """Money-moving events must match what we asked for; failures and expiries move none."""
    if event.kind in (EventKind.FAILED, EventKind.EXPIRED):
        return
    if event.amount is None:
        if event.kind is EventKind.PAID:
            raise AmountMismatch(f"payment for order {event.order_number} carries no amount")
        return
    if event.amount.currency != expected.currency:
        raise AmountMismatch(
            f"order {event.order_number}: event in {event.amount.currency}, "
            f"checkout in {expected.currency}"
        )
    if event.kind is EventKind.REFUNDED:
        if not Money.zero(expected.currency) < event.amount <= expected:
            raise AmountMismatch(f"order {event.order_number}: refund of {event.amount}")
    elif event.amount.amount != expected.amount:
        raise AmountMismatch(
            f"order {event.order_number}: event for {event.amount}, checkout for {expected}"
        )


def _superseded_by(event: PaymentEvent, earlier: set[str], checkout: CheckoutRecord) -> str | None:
    settled = {EventKind.PAID.value, EventKind.REFUNDED.value} & earlier
    if event.kind in (EventKind.PENDING, EventKind.FAILED, EventKind.EXPIRED):
        if settled:
            return "order already has a payment"
        if event.provider_reference and event.provider_reference != checkout.provider_reference:
            return "event for an earlier checkout of this order"
    return None


# --- checkouts --------------------------------------------------------------------------------


async def find_checkout(session: AsyncSession, order_number: str) -> CheckoutRecord | None:
    return await session.scalar(
        select(CheckoutRecord).where(CheckoutRecord.order_number == order_number)
    )


async def reusable_checkout(
    session: AsyncSession, *, provider: str, request: CheckoutRequest, now: datetime
) -> CheckoutLink | None:
    """The order's open checkout, if it is with this provider, for this amount, and still has
    time left; otherwise None and a new one must be created."""
    record = await find_checkout(session, request.order_number)
    if (
        record is None
        or record.provider != provider
        or record.amount != request.amount
        or record.expires_at <= now + REUSE_MARGIN
    ):
        return None
    return CheckoutLink(record.url, record.provider, record.provider_reference, record.expires_at)


async def save_checkout(
    session: AsyncSession, request: CheckoutRequest, link: CheckoutLink
) -> None:
    """Make `link` the order's current checkout, replacing an older one (an upsert, so two
    racing saves for one order both succeed and the later one stays)."""
    values = {
        "provider": link.provider,
        "provider_reference": link.provider_reference,
        "url": link.url,
        "amount_minor": request.amount.to_minor(),
        "currency": request.amount.currency,
        "expires_at": link.expires_at,
        "created_at": utcnow(),
    }
    statement = insert_for(session, CheckoutRecord).values(
        order_number=request.order_number, **values
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["order_number"], set_=values)
    )


async def open_checkout(
    sessions: async_sessionmaker[AsyncSession],
    provider: Provider,
    request: CheckoutRequest,
    *,
    now: datetime,
) -> CheckoutLink:
    """The order's checkout link: the stored one while it is valid, else a new one.

    Two short transactions around the provider call, never one spanning it: a slow provider
    must not hold a database lock (on SQLite, the only write lock). If two buyers' taps race,
    the provider's own idempotency (Stripe's key, deterministic links elsewhere) makes both
    calls return the same checkout, and the later save is harmless.
    """
    async with sessions() as session, session.begin():
        link = await reusable_checkout(session, provider=provider.name, request=request, now=now)
    if link is not None:
        return link
    link = await provider.create_checkout(request)
    async with sessions() as session, session.begin():
        await save_checkout(session, request, link)
    return link


def _jsonable(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in raw.items()}
