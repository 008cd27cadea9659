"""Stripe Checkout through the real `stripe` SDK, against the loopback stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from db import utcnow
from money import Money
from payments import (
    CheckoutLine,
    CheckoutRequest,
    InvalidAmount,
    ProviderRejected,
    ProviderUnavailable,
    StripeCheckout,
)
from payments.stripe_checkout import DEFAULT_TOLERANCE_SECONDS, stripe_expiry, stripe_locale
from tests.payments.factories import WEBHOOK_SECRET, checkout_request
from tests.payments.stripe_standin import StripeStandIn, closed_port_url


@pytest.mark.parametrize(
    ("currency", "unit", "unit_minor"),
    [("USD", "12.34", 1234), ("JPY", "500", 500), ("KWD", "1.250", 1250), ("ISK", "990", 99000)],
)
async def test_session_is_created_in_stripe_minor_units(
    standin: StripeStandIn,
    stripe_checkout: StripeCheckout,
    currency: str,
    unit: str,
    unit_minor: int,
) -> None:
    request = checkout_request(currency=currency, unit=unit, quantity=2)

    link = await stripe_checkout.create_checkout(request)

    session = standin.sessions[link.provider_reference]
    assert session["currency"] == currency.lower()
    assert session["amount_total"] == 2 * unit_minor
    sent = standin.requests[-1].params
    assert sent["line_items"][0]["price_data"]["unit_amount"] == str(unit_minor)
    assert sent["line_items"][0]["quantity"] == "2"
    assert link.url == session["url"]
    assert link.provider == "stripe"


async def test_session_carries_the_order_and_return_urls(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    request = checkout_request(order="B-77")

    link = await stripe_checkout.create_checkout(request)

    sent = standin.requests[-1]
    assert sent.params["client_reference_id"] == "B-77"
    assert sent.params["metadata"] == {"order_number": "B-77", "customer_reference": "tg:42"}
    assert sent.params["payment_intent_data"] == {"metadata": {"order_number": "B-77"}}
    assert sent.params["success_url"] == request.success_url
    assert sent.params["cancel_url"] == request.cancel_url
    assert sent.params["mode"] == "payment"
    assert sent.headers["idempotency-key"].startswith("checkout-B-77-")
    assert int(sent.params["expires_at"]) == int(link.expires_at.timestamp())


async def test_creating_twice_returns_the_same_session(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    request = checkout_request()

    first = await stripe_checkout.create_checkout(request)
    second = await stripe_checkout.create_checkout(request)

    assert second == first
    assert len(standin.sessions) == 1
    assert len(standin.requests) == 2  # the second was answered from Stripe's idempotency store


async def test_a_renewed_reservation_gets_a_new_session(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    first = await stripe_checkout.create_checkout(
        checkout_request(expires_at=utcnow() + timedelta(hours=1))
    )
    second = await stripe_checkout.create_checkout(
        checkout_request(expires_at=utcnow() + timedelta(hours=2))
    )

    assert second.provider_reference != first.provider_reference
    assert len(standin.sessions) == 2


async def test_a_repriced_order_gets_a_new_session(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    expires_at = utcnow() + timedelta(hours=1)
    first = await stripe_checkout.create_checkout(checkout_request(expires_at=expires_at))
    repriced = await stripe_checkout.create_checkout(
        checkout_request(expires_at=expires_at, currency="EUR", unit="11.50")
    )

    assert repriced.provider_reference != first.provider_reference
    assert standin.sessions[repriced.provider_reference]["amount_total"] == 2300


@pytest.mark.parametrize(
    ("reserved_for", "expected"),
    [
        (timedelta(minutes=10), timedelta(minutes=31)),  # Stripe's minimum is 30 minutes
        (timedelta(hours=3, seconds=42), timedelta(hours=3)),  # floored to the minute
        (timedelta(days=3), timedelta(hours=23, minutes=59)),  # Stripe's maximum is 24 hours
    ],
)
def test_expiry_is_clamped_into_stripes_window(
    reserved_for: timedelta, expected: timedelta
) -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert stripe_expiry(now + reserved_for, now) == now + expected


@pytest.mark.parametrize("reserved_for", [timedelta(minutes=5), timedelta(days=2)])
async def test_a_reservation_outside_stripes_window_still_gets_a_session(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, reserved_for: timedelta
) -> None:
    link = await stripe_checkout.create_checkout(
        checkout_request(expires_at=utcnow() + reserved_for)
    )

    remaining = link.expires_at - utcnow()
    assert timedelta(minutes=30) < remaining < timedelta(hours=24)


@pytest.mark.parametrize(
    ("ours", "stripes"),
    [
        (None, "auto"),
        ("de_CH", "de"),
        ("pt_BR", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("uk", "auto"),
        ("en_GB", "en-GB"),
        ("fr_BE", "fr"),
        ("no", "nb"),
        ("es-419", "es-419"),
    ],
)
def test_locale_becomes_one_stripe_displays(ours: str | None, stripes: str) -> None:
    assert stripe_locale(ours) == stripes


@pytest.mark.parametrize(("currency", "unit"), [("KWD", "1.234"), ("JPY", "0.5"), ("ISK", "0.5")])
async def test_amount_stripe_cannot_charge_is_refused_before_calling(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, currency: str, unit: str
) -> None:
    unit_amount = Money.of(unit, currency)
    request = CheckoutRequest(
        order_number="A-1",
        amount=unit_amount,
        lines=[CheckoutLine("Thing", 1, unit_amount)],
        expires_at=utcnow() + timedelta(hours=1),
        success_url="https://example.com/ok",
        cancel_url="https://example.com/cancel",
    )

    with pytest.raises(InvalidAmount):
        await stripe_checkout.create_checkout(request)
    assert standin.requests == []


# --- refunds ----------------------------------------------------------------------------------


async def test_full_refund_by_checkout_reference(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await stripe_checkout.create_checkout(checkout_request(unit="12.34", quantity=2))
    session = standin.complete(link.provider_reference)

    result = await stripe_checkout.refund(link.provider_reference)

    assert result.amount == Money.of("24.68", "USD")
    assert result.status == "succeeded"
    refund = standin.refunds[result.refund_id]
    assert refund["payment_intent"] == session["payment_intent"]
    assert refund["metadata"] == {"order_number": "A-1001"}


async def test_partial_refunds_add_up_and_stop_at_the_total(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await stripe_checkout.create_checkout(checkout_request(currency="JPY", unit="1500"))
    intent = standin.complete(link.provider_reference)["payment_intent"]

    first = await stripe_checkout.refund(intent, Money.of(1000, "JPY"))
    second = await stripe_checkout.refund(intent, Money.of(2000, "JPY"))

    assert (first.amount, second.amount) == (Money.of(1000, "JPY"), Money.of(2000, "JPY"))
    with pytest.raises(ProviderRejected) as refused:
        await stripe_checkout.refund(intent, Money.of(1, "JPY"))
    assert refused.value.status == 400
    assert refused.value.code == "charge_already_refunded"


async def test_repeated_refund_click_refunds_once(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await stripe_checkout.create_checkout(checkout_request())
    standin.complete(link.provider_reference)

    first = await stripe_checkout.refund(link.provider_reference, Money.of("5.00", "USD"))
    again = await stripe_checkout.refund(link.provider_reference, Money.of("5.00", "USD"))

    assert again.refund_id == first.refund_id
    assert len(standin.refunds) == 1


async def test_refund_of_an_unpaid_checkout_is_refused(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await stripe_checkout.create_checkout(checkout_request())

    with pytest.raises(ProviderRejected, match="no payment"):
        await stripe_checkout.refund(link.provider_reference)
    assert standin.refunds == {}


async def test_refund_in_another_currency_is_refused(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    link = await stripe_checkout.create_checkout(checkout_request(currency="USD"))
    standin.complete(link.provider_reference)

    with pytest.raises(InvalidAmount):
        await stripe_checkout.refund(link.provider_reference, Money.of("5", "EUR"))
    assert standin.refunds == {}


async def test_refund_of_an_unknown_payment_is_a_rejection_with_stripes_message(
    stripe_checkout: StripeCheckout,
) -> None:
    with pytest.raises(ProviderRejected) as refused:
        await stripe_checkout.refund("pi_test_nothing")

    assert refused.value.status == 404
    assert refused.value.code == "resource_missing"
    assert "pi_test_nothing" in refused.value.message


# --- faults -----------------------------------------------------------------------------------


async def test_wrong_api_key_is_a_rejection(standin: StripeStandIn) -> None:
    provider = StripeCheckout("sk_test_wrong", WEBHOOK_SECRET, api_base=standin.api_base)
    try:
        with pytest.raises(ProviderRejected) as refused:
            await provider.create_checkout(checkout_request())
    finally:
        await provider.aclose()
    assert refused.value.status == 401


async def test_card_error_is_a_rejection(
    standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    standin.fail_next(
        status=402, type="card_error", message="Your card was declined.", code="card_declined"
    )

    with pytest.raises(ProviderRejected) as refused:
        await stripe_checkout.create_checkout(checkout_request())

    assert (refused.value.status, refused.value.code) == (402, "card_declined")
    assert refused.value.message == "Your card was declined."


@pytest.mark.parametrize(
    ("status", "kind"), [(500, "api_error"), (503, "api_error"), (429, "rate_limit_error")]
)
async def test_server_errors_and_rate_limits_mean_unavailable(
    standin: StripeStandIn, stripe_checkout: StripeCheckout, status: int, kind: str
) -> None:
    standin.fail_next(status=status, type=kind)

    with pytest.raises(ProviderUnavailable):
        await stripe_checkout.create_checkout(checkout_request())
    assert standin.sessions == {}


async def test_unreachable_stripe_is_unavailable() -> None:
    provider = StripeCheckout(
        "sk_test_x", WEBHOOK_SECRET, api_base=closed_port_url(), max_network_retries=0
    )
    try:
        with pytest.raises(ProviderUnavailable, match="unavailable"):
            await provider.create_checkout(checkout_request())
        with pytest.raises(ProviderUnavailable):
            await provider.refund("pi_test_123")
    finally:
        await provider.aclose()


@pytest.fixture
async def slow_standin() -> AsyncIterator[StripeStandIn]:
    async with StripeStandIn(delay_seconds=2).running() as running:
        yield running


async def test_a_stripe_that_does_not_answer_in_time_is_unavailable(
    slow_standin: StripeStandIn,
) -> None:
    provider = StripeCheckout(
        slow_standin.api_key,
        WEBHOOK_SECRET,
        api_base=slow_standin.api_base,
        timeout_seconds=1,
        max_network_retries=0,
    )
    try:
        with pytest.raises(ProviderUnavailable):
            await provider.create_checkout(checkout_request())
    finally:
        await provider.aclose()


async def test_a_passing_server_error_is_retried_with_the_same_idempotency_key(
    standin: StripeStandIn,
) -> None:
    provider = StripeCheckout(
        standin.api_key, WEBHOOK_SECRET, api_base=standin.api_base, max_network_retries=2
    )
    standin.fail_next(status=500)
    try:
        link = await provider.create_checkout(checkout_request())
    finally:
        await provider.aclose()

    assert list(standin.sessions) == [link.provider_reference]
    keys = {request.headers["idempotency-key"] for request in standin.requests}
    assert len(standin.requests) == 2
    assert len(keys) == 1


def test_our_signature_age_limit_is_stripes_own() -> None:
    import stripe

    assert stripe.Webhook.DEFAULT_TOLERANCE == DEFAULT_TOLERANCE_SECONDS
