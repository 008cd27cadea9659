"""Recording events once and opening checkouts once, on SQLite and PostgreSQL.

Webhooks go the whole way: the real SDK creates the session on the stand-in, the stand-in signs
the event with Stripe's scheme, and `receive_webhook` verifies, checks and records it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.database import SessionFactory, transaction
from db import utcnow
from money import Money
from payments import (
    AmountMismatch,
    CheckoutLink,
    CheckoutRequest,
    EventKind,
    InvalidSignature,
    MalformedEvent,
    Outcome,
    PaymentEvent,
    PaymentLinkProvider,
    Provider,
    ProviderUnavailable,
    SandboxProvider,
    StaleEvent,
    StripeCheckout,
    UnknownOrder,
    WebhookOutcome,
    events_for_order,
    open_checkout,
    receive_webhook,
    record_event,
)
from payments.ledger import find_checkout
from payments.models import PaymentEventRecord
from payments.signed_callback import signature_header
from tests.payments.factories import (
    CALLBACK_SECRET,
    SANDBOX_SECRET,
    WEBHOOK_SECRET,
    checkout_request,
)
from tests.payments.stripe_standin import StripeStandIn, closed_port_url

ORDER = "A-1001"


async def deliver(
    sessions: SessionFactory,
    provider: Provider,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
) -> WebhookOutcome:
    """What the web layer does per request: one transaction around `receive_webhook`."""
    async with transaction(sessions) as session:
        return await receive_webhook(session, provider, headers, body, now=now or utcnow())


async def event_count(sessions: SessionFactory) -> int:
    async with transaction(sessions) as session:
        return await session.scalar(select(func.count()).select_from(PaymentEventRecord)) or 0


async def paid_stripe_session(
    sessions: SessionFactory, standin: StripeStandIn, provider: StripeCheckout
) -> CheckoutLink:
    link = await open_checkout(sessions, provider, checkout_request(order=ORDER), now=utcnow())
    standin.complete(link.provider_reference)
    return link


# --- record_event -----------------------------------------------------------------------------


def event(event_id: str = "evt_1", kind: EventKind = EventKind.PAID) -> PaymentEvent:
    return PaymentEvent(
        provider="stripe",
        event_id=event_id,
        kind=kind,
        order_number=ORDER,
        amount=Money.of("24.68", "USD"),
        provider_reference="cs_test_1",
        occurred_at=utcnow(),
        raw={"id": event_id},
    )


async def test_an_event_is_recorded_the_first_time_only(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        assert await record_event(session, event()) is True
        assert await record_event(session, event()) is False
        assert await record_event(session, event("evt_2")) is True

    async with transaction(sessions) as session:
        records = await events_for_order(session, ORDER)
    assert [record.event_id for record in records] == ["evt_1", "evt_2"]
    assert records[0].amount == Money.of("24.68", "USD")
    assert records[0].kind == "paid"
    assert records[0].raw == {"id": "evt_1"}


async def test_same_event_id_from_another_provider_is_another_event(
    sessions: SessionFactory,
) -> None:
    other = replace(event(), provider="payment_link:m1")
    async with transaction(sessions) as session:
        assert await record_event(session, event()) is True
        assert await record_event(session, other) is True


async def test_concurrent_deliveries_of_one_event_are_recorded_once(
    sessions: SessionFactory,
) -> None:
    async def one() -> bool:
        async with transaction(sessions) as session:
            return await record_event(session, event())

    results = await asyncio.gather(*(one() for _ in range(100)))

    assert results.count(True) == 1
    assert await event_count(sessions) == 1


# --- Stripe webhooks end to end ---------------------------------------------------------------


async def test_a_payment_replayed_100_times_is_recorded_once(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await paid_stripe_session(sessions, standin, stripe_checkout)
    headers, body = standin.webhook(
        link.provider_reference, "checkout.session.completed", secret=WEBHOOK_SECRET
    )

    outcomes = [await deliver(sessions, stripe_checkout, headers, body) for _ in range(100)]

    assert [o.status for o in outcomes] == [Outcome.ACCEPTED] + [Outcome.DUPLICATE] * 99
    assert outcomes[0].event.kind is EventKind.PAID
    assert outcomes[0].actionable and not outcomes[1].actionable
    assert await event_count(sessions) == 1


async def test_a_payment_delivered_100_times_at_once_is_accepted_once(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await paid_stripe_session(sessions, standin, stripe_checkout)
    headers, body = standin.webhook(
        link.provider_reference, "checkout.session.completed", secret=WEBHOOK_SECRET
    )

    outcomes = await asyncio.gather(
        *(deliver(sessions, stripe_checkout, headers, body) for _ in range(100))
    )

    statuses = [outcome.status for outcome in outcomes]
    assert statuses.count(Outcome.ACCEPTED) == 1
    assert statuses.count(Outcome.DUPLICATE) == 99
    assert await event_count(sessions) == 1


@pytest.mark.parametrize(
    ("sign_with", "age", "overrides", "error"),
    [
        ("whsec_forged", 0, {}, InvalidSignature),
        (WEBHOOK_SECRET, 301, {}, StaleEvent),
        (WEBHOOK_SECRET, 0, {"amount_total": 1}, AmountMismatch),
        (WEBHOOK_SECRET, 0, {"currency": "eur"}, AmountMismatch),
        (WEBHOOK_SECRET, 0, {"amount_total": "lots"}, MalformedEvent),
        (
            WEBHOOK_SECRET,
            0,
            {"client_reference_id": "NOPE", "metadata": {"order_number": "NOPE"}},
            UnknownOrder,
        ),
    ],
)
async def test_refused_webhooks_are_logged_and_change_nothing(
    sessions: SessionFactory,
    standin: StripeStandIn,
    stripe_checkout: StripeCheckout,
    caplog: pytest.LogCaptureFixture,
    sign_with: str,
    age: int,
    overrides: dict[str, object],
    error: type[Exception],
) -> None:
    link = await paid_stripe_session(sessions, standin, stripe_checkout)
    headers, body = standin.webhook(
        link.provider_reference,
        "checkout.session.completed",
        secret=sign_with,
        timestamp=standin.clock() - age,
        overrides=overrides,
    )

    with caplog.at_level(logging.WARNING, logger="payments.ledger"), pytest.raises(error):
        await deliver(sessions, stripe_checkout, headers, body)

    assert await event_count(sessions) == 0
    refusals = [r for r in caplog.records if r.name == "payments.ledger"]
    assert len(refusals) == 1
    assert error.__name__ in refusals[0].getMessage()
    assert refusals[0].levelno >= logging.WARNING


async def test_an_ignored_event_type_is_answered_and_not_recorded(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await paid_stripe_session(sessions, standin, stripe_checkout)
    headers, body = standin.webhook(
        link.provider_reference, "customer.created", secret=WEBHOOK_SECRET
    )

    outcome = await deliver(sessions, stripe_checkout, headers, body)

    assert outcome.status is Outcome.IGNORED
    assert await event_count(sessions) == 0


async def test_a_late_expiry_after_payment_changes_nothing(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await paid_stripe_session(sessions, standin, stripe_checkout)
    paid = standin.webhook(
        link.provider_reference, "checkout.session.completed", secret=WEBHOOK_SECRET
    )
    expired = standin.webhook(
        link.provider_reference, "checkout.session.expired", secret=WEBHOOK_SECRET
    )

    assert (await deliver(sessions, stripe_checkout, *paid)).status is Outcome.ACCEPTED
    assert (await deliver(sessions, stripe_checkout, *expired)).status is Outcome.SUPERSEDED
    assert await event_count(sessions) == 2  # both kept for the record


async def test_async_payment_success_before_completion_keeps_the_order_paid(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await open_checkout(sessions, stripe_checkout, checkout_request(), now=utcnow())
    standin.complete(link.provider_reference, payment_status="unpaid")  # a bank debit
    completed = standin.webhook(
        link.provider_reference, "checkout.session.completed", secret=WEBHOOK_SECRET
    )
    succeeded = standin.webhook(
        link.provider_reference,
        "checkout.session.async_payment_succeeded",
        secret=WEBHOOK_SECRET,
        overrides={"payment_status": "paid"},
    )

    first = await deliver(sessions, stripe_checkout, *succeeded)
    late = await deliver(sessions, stripe_checkout, *completed)

    assert (first.status, first.event.kind) == (Outcome.ACCEPTED, EventKind.PAID)
    assert (late.status, late.event.kind) == (Outcome.SUPERSEDED, EventKind.PENDING)


async def test_pending_then_paid_are_both_accepted(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await open_checkout(sessions, stripe_checkout, checkout_request(), now=utcnow())
    standin.complete(link.provider_reference, payment_status="unpaid")
    completed = standin.webhook(
        link.provider_reference, "checkout.session.completed", secret=WEBHOOK_SECRET
    )
    succeeded = standin.webhook(
        link.provider_reference,
        "checkout.session.async_payment_succeeded",
        secret=WEBHOOK_SECRET,
        overrides={"payment_status": "paid"},
    )

    assert (await deliver(sessions, stripe_checkout, *completed)).status is Outcome.ACCEPTED
    assert (await deliver(sessions, stripe_checkout, *succeeded)).status is Outcome.ACCEPTED


async def test_expiry_of_an_earlier_checkout_does_not_expire_the_current_one(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    first = await open_checkout(sessions, stripe_checkout, checkout_request(), now=utcnow())
    # An hour later the first link has (nearly) run out; the buyer asks again.
    renewed = checkout_request(expires_at=utcnow() + timedelta(hours=2))
    second = await open_checkout(
        sessions, stripe_checkout, renewed, now=utcnow() + timedelta(hours=1)
    )
    assert second.provider_reference != first.provider_reference
    old_expiry = standin.webhook(
        first.provider_reference, "checkout.session.expired", secret=WEBHOOK_SECRET
    )

    outcome = await deliver(sessions, stripe_checkout, *old_expiry)

    assert outcome.status is Outcome.SUPERSEDED


async def test_a_paid_event_for_a_paid_order_is_recorded_as_paid_again(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    """Recorded, never applied to the order again; whether it is the same payment reported
    twice (as here) or a second one to give back is the settlement's call, under the order's
    lock (tests/web/test_second_payments.py)."""
    link = await paid_stripe_session(sessions, standin, stripe_checkout)
    first = standin.webhook(
        link.provider_reference, "checkout.session.completed", secret=WEBHOOK_SECRET
    )
    second = standin.webhook(
        link.provider_reference, "checkout.session.async_payment_succeeded", secret=WEBHOOK_SECRET
    )
    await deliver(sessions, stripe_checkout, *first)

    outcome = await deliver(sessions, stripe_checkout, *second)

    assert outcome.status is Outcome.PAID_AGAIN and not outcome.actionable
    assert await event_count(sessions) == 2


async def test_an_event_for_an_order_paid_elsewhere_is_refused(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    await open_checkout(sessions, stripe_checkout, checkout_request(order=ORDER), now=utcnow())
    sandbox = SandboxProvider(SANDBOX_SECRET, "http://127.0.0.1:8080")
    token = (await sandbox.create_checkout(checkout_request(order=ORDER))).url.rsplit("/", 1)[1]

    with pytest.raises(UnknownOrder):
        await deliver(sessions, sandbox, *sandbox.signed_event(token, "paid"))
    assert await event_count(sessions) == 0


# --- payment link and sandbox through the same path -------------------------------------------


async def test_payment_link_callback_replayed_is_recorded_once(sessions: SessionFactory) -> None:
    provider = PaymentLinkProvider("https://pay.example/{order}", CALLBACK_SECRET, name="pl:m1")
    link = await open_checkout(sessions, provider, checkout_request(currency="EUR"), now=utcnow())
    body = (
        '{"event_id":"tx-1","order":"A-1001","status":"paid","amount":"24.68",'
        f'"currency":"EUR","reference":"{link.provider_reference}"}}'
    ).encode()
    now = utcnow()
    headers = {
        "X-Chatshop-Signature": signature_header(
            CALLBACK_SECRET, body, timestamp=int(now.timestamp())
        )
    }

    first = await deliver(sessions, provider, headers, body, now=now)
    replay = await deliver(sessions, provider, headers, body, now=now + timedelta(seconds=30))

    assert (first.status, replay.status) == (Outcome.ACCEPTED, Outcome.DUPLICATE)
    with pytest.raises(StaleEvent):
        await deliver(sessions, provider, headers, body, now=now + timedelta(minutes=6))
    assert await event_count(sessions) == 1


@pytest.mark.parametrize(
    ("refunded", "accepted"), [("10.00", True), ("24.68", True), ("30.00", False)]
)
async def test_a_refund_may_be_partial_but_not_larger_than_the_payment(
    sessions: SessionFactory, refunded: str, accepted: bool
) -> None:
    provider = PaymentLinkProvider("https://pay.example/{order}", CALLBACK_SECRET, name="pl:m1")
    await open_checkout(sessions, provider, checkout_request(currency="EUR"), now=utcnow())
    body = (
        '{"event_id":"tx-2","order":"A-1001","status":"refunded",'
        f'"amount":"{refunded}","currency":"EUR"}}'
    ).encode()
    now = utcnow()
    headers = {
        "X-Chatshop-Signature": signature_header(
            CALLBACK_SECRET, body, timestamp=int(now.timestamp())
        )
    }

    if accepted:
        outcome = await deliver(sessions, provider, headers, body, now=now)
        assert (outcome.status, outcome.event.kind) == (Outcome.ACCEPTED, EventKind.REFUNDED)
    else:
        with pytest.raises(AmountMismatch):
            await deliver(sessions, provider, headers, body, now=now)


async def test_sandbox_pay_goes_down_the_webhook_path(sessions: SessionFactory) -> None:
    sandbox = SandboxProvider(SANDBOX_SECRET, "http://127.0.0.1:8080")
    link = await open_checkout(sessions, sandbox, checkout_request(), now=utcnow())
    token = link.url.rsplit("/", 1)[1]

    first = await deliver(sessions, sandbox, *sandbox.signed_event(token, "paid"))
    second_click = await deliver(sessions, sandbox, *sandbox.signed_event(token, "paid"))

    assert (first.status, second_click.status) == (Outcome.ACCEPTED, Outcome.DUPLICATE)
    assert first.event.amount == Money.of("24.68", "USD")


# --- open_checkout ----------------------------------------------------------------------------


async def test_opening_twice_reuses_the_stored_checkout(
    sessions: SessionFactory, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    request = checkout_request()

    first = await open_checkout(sessions, stripe_checkout, request, now=utcnow())
    again = await open_checkout(sessions, stripe_checkout, request, now=utcnow())

    assert again == first
    assert len(standin.requests) == 1  # the second came from the database
    async with transaction(sessions) as session:
        record = await find_checkout(session, ORDER)
    assert record is not None
    assert (record.provider_reference, record.amount) == (first.provider_reference, request.amount)


@pytest.mark.parametrize(
    "change",
    ["amount", "near_expiry", "provider"],
)
async def test_a_checkout_is_replaced_when_it_no_longer_fits(
    sessions: SessionFactory,
    standin: StripeStandIn,
    stripe_checkout: StripeCheckout,
    change: str,
) -> None:
    first = await open_checkout(sessions, stripe_checkout, checkout_request(), now=utcnow())
    request: CheckoutRequest = checkout_request()
    now = utcnow()
    provider: Provider = stripe_checkout
    if change == "amount":
        request = checkout_request(unit="13.00")
    elif change == "near_expiry":
        now = first.expires_at - timedelta(minutes=4)
        request = checkout_request(expires_at=now + timedelta(hours=1))
    else:
        provider = SandboxProvider(SANDBOX_SECRET, "http://127.0.0.1:8080")

    second = await open_checkout(sessions, provider, request, now=now)

    assert second.provider_reference != first.provider_reference
    async with transaction(sessions) as session:
        record = await find_checkout(session, ORDER)
    assert record is not None
    assert (record.provider, record.provider_reference) == (
        provider.name,
        second.provider_reference,
    )


async def test_unreachable_provider_leaves_no_checkout_behind(sessions: SessionFactory) -> None:
    provider = StripeCheckout(
        "sk_test_x", WEBHOOK_SECRET, api_base=closed_port_url(), max_network_retries=0
    )
    try:
        with pytest.raises(ProviderUnavailable):
            await open_checkout(sessions, provider, checkout_request(), now=utcnow())
    finally:
        await provider.aclose()

    async with transaction(sessions) as session:
        assert await find_checkout(session, ORDER) is None
