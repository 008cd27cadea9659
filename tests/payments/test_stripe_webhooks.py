"""Verifying and mapping Stripe webhooks, signed with Stripe's real scheme by the SDK's signer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from money import Money
from payments import (
    EventKind,
    InvalidSignature,
    MalformedEvent,
    StaleEvent,
    StripeCheckout,
)
from tests.payments.factories import WEBHOOK_SECRET, checkout_request
from tests.payments.stripe_standin import StripeStandIn, sign_event

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


@pytest.fixture
async def session_id(standin: StripeStandIn, stripe_checkout: StripeCheckout) -> str:
    link = await stripe_checkout.create_checkout(checkout_request(order="W-1", unit="12.34"))
    return link.provider_reference


@pytest.mark.parametrize(
    ("event_type", "payment_status", "kind"),
    [
        ("checkout.session.completed", "paid", EventKind.PAID),
        ("checkout.session.completed", "unpaid", EventKind.PENDING),
        ("checkout.session.async_payment_succeeded", "paid", EventKind.PAID),
        ("checkout.session.async_payment_failed", "unpaid", EventKind.FAILED),
        ("checkout.session.expired", "unpaid", EventKind.EXPIRED),
    ],
)
def test_checkout_events_are_mapped(
    standin: StripeStandIn,
    stripe_checkout: StripeCheckout,
    session_id: str,
    event_type: str,
    payment_status: str,
    kind: EventKind,
) -> None:
    standin.complete(session_id, payment_status=payment_status)
    headers, body = standin.webhook(
        session_id, event_type, secret=WEBHOOK_SECRET, timestamp=T, event_id="evt_1"
    )

    event = stripe_checkout.parse_webhook(headers, body, now=NOW)

    assert event.kind is kind
    assert event.event_id == "evt_1"
    assert event.order_number == "W-1"
    assert event.amount == Money.of("24.68", "USD")
    assert event.provider_reference == session_id
    assert event.occurred_at == NOW
    assert event.raw["type"] == event_type


def test_other_event_types_are_ignored_not_refused(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, session_id: str
) -> None:
    headers, body = standin.webhook(
        session_id, "payment_intent.succeeded", secret=WEBHOOK_SECRET, timestamp=T
    )

    event = stripe_checkout.parse_webhook(headers, body, now=NOW)

    assert event.kind is None
    assert event.order_number is None


def test_header_name_is_case_insensitive(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, session_id: str
) -> None:
    headers, body = standin.webhook(
        session_id, "checkout.session.expired", secret=WEBHOOK_SECRET, timestamp=T
    )
    lowered = {key.lower(): value for key, value in headers.items()}

    assert stripe_checkout.parse_webhook(lowered, body, now=NOW).kind is EventKind.EXPIRED


def test_signature_with_another_secret_is_refused(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, session_id: str
) -> None:
    headers, body = standin.webhook(
        session_id, "checkout.session.completed", secret="whsec_someone_else", timestamp=T
    )

    with pytest.raises(InvalidSignature):
        stripe_checkout.parse_webhook(headers, body, now=NOW)


def test_tampered_body_is_refused(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, session_id: str
) -> None:
    standin.complete(session_id)
    headers, body = standin.webhook(
        session_id, "checkout.session.completed", secret=WEBHOOK_SECRET, timestamp=T
    )
    tampered = body.replace(b'"amount_total": 2468', b'"amount_total": 1')
    assert tampered != body

    with pytest.raises(InvalidSignature):
        stripe_checkout.parse_webhook(headers, tampered, now=NOW)


@pytest.mark.parametrize(
    "header", [None, "", "garbage", "t=abc,v1=00", f"t={T}", f"t={T},v0=deadbeef"]
)
def test_missing_or_garbled_signature_header_is_refused(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, session_id: str, header: str | None
) -> None:
    _, body = standin.webhook(
        session_id, "checkout.session.completed", secret=WEBHOOK_SECRET, timestamp=T
    )
    headers = {} if header is None else {"Stripe-Signature": header}

    with pytest.raises(InvalidSignature):
        stripe_checkout.parse_webhook(headers, body, now=NOW)


@pytest.mark.parametrize(("age", "accepted"), [(299, True), (300, True), (301, False)])
def test_events_older_than_five_minutes_are_stale(
    standin: StripeStandIn,
    stripe_checkout: StripeCheckout,
    session_id: str,
    age: int,
    accepted: bool,
) -> None:
    headers, body = standin.webhook(
        session_id, "checkout.session.expired", secret=WEBHOOK_SECRET, timestamp=T - age
    )

    if accepted:
        assert stripe_checkout.parse_webhook(headers, body, now=NOW).kind is EventKind.EXPIRED
    else:
        with pytest.raises(StaleEvent):
            stripe_checkout.parse_webhook(headers, body, now=NOW)


def test_correctly_signed_non_json_is_malformed(stripe_checkout: StripeCheckout) -> None:
    import stripe

    body = "{not json"
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET, T)

    with pytest.raises(MalformedEvent):
        stripe_checkout.parse_webhook({"Stripe-Signature": header}, body.encode(), now=NOW)


@pytest.mark.parametrize(
    "event",
    [
        [],
        {"object": "list"},
        {"object": "event", "id": "evt_1", "type": "checkout.session.completed", "created": T},
        {
            "object": "event",
            "id": "evt_1",
            "type": "checkout.session.completed",
            "created": T,
            "data": {"object": {"object": "payment_intent", "id": "pi_1"}},
        },
    ],
)
def test_signed_events_we_cannot_read_are_malformed(
    stripe_checkout: StripeCheckout, event: dict[str, Any]
) -> None:
    headers, body = sign_event(event, secret=WEBHOOK_SECRET, timestamp=T)

    with pytest.raises(MalformedEvent):
        stripe_checkout.parse_webhook(headers, body, now=NOW)


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_reference_id": "OTHER", "metadata": {"order_number": "W-1"}},
        {"client_reference_id": None, "metadata": {}},
        {"amount_total": "2468"},
        {"currency": "zzz"},
    ],
)
def test_sessions_with_conflicting_or_missing_fields_are_malformed(
    standin: StripeStandIn,
    stripe_checkout: StripeCheckout,
    session_id: str,
    overrides: dict[str, object],
) -> None:
    headers, body = standin.webhook(
        session_id,
        "checkout.session.completed",
        secret=WEBHOOK_SECRET,
        timestamp=T,
        overrides=overrides,
    )

    with pytest.raises(MalformedEvent):
        stripe_checkout.parse_webhook(headers, body, now=NOW)


def test_order_number_from_metadata_alone_is_enough(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, session_id: str
) -> None:
    headers, body = standin.webhook(
        session_id,
        "checkout.session.expired",
        secret=WEBHOOK_SECRET,
        timestamp=T,
        overrides={"client_reference_id": None},
    )

    assert stripe_checkout.parse_webhook(headers, body, now=NOW).order_number == "W-1"


def test_zero_decimal_amount_is_read_back_exactly(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, session_id: str
) -> None:
    headers, body = standin.webhook(
        session_id,
        "checkout.session.completed",
        secret=WEBHOOK_SECRET,
        timestamp=T,
        overrides={"amount_total": 3000, "currency": "jpy", "payment_status": "paid"},
    )

    event = stripe_checkout.parse_webhook(headers, body, now=NOW)

    assert event.amount == Money.of(3000, "JPY")
    assert json.loads(body)["data"]["object"]["amount_total"] == 3000


def test_the_callers_clock_decides_staleness(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, session_id: str
) -> None:
    headers, body = standin.webhook(
        session_id, "checkout.session.expired", secret=WEBHOOK_SECRET, timestamp=T
    )

    stripe_checkout.parse_webhook(headers, body, now=NOW + timedelta(minutes=4))
    with pytest.raises(StaleEvent):
        stripe_checkout.parse_webhook(headers, body, now=NOW + timedelta(minutes=6))
