"""The stand-in itself behaves like Stripe where our tests rely on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import stripe
from stripe.params.checkout import SessionCreateParams

from db import utcnow
from tests.payments.stripe_standin import StripeStandIn, decode_form


def test_bracketed_form_keys_become_nested_lists_and_dicts() -> None:
    pairs = [
        ("line_items[0][price_data][unit_amount]", "1234"),
        ("line_items[0][quantity]", "2"),
        ("line_items[1][quantity]", "1"),
        ("metadata[order_number]", "A-1"),
        ("mode", "payment"),
    ]

    assert decode_form(pairs) == {
        "line_items": [{"price_data": {"unit_amount": "1234"}, "quantity": "2"}, {"quantity": "1"}],
        "metadata": {"order_number": "A-1"},
        "mode": "payment",
    }


@pytest.fixture
async def client(standin: StripeStandIn) -> AsyncIterator[stripe.StripeClient]:
    http = stripe.HTTPXClient()
    yield stripe.StripeClient(
        standin.api_key, base_addresses={"api": standin.api_base}, http_client=http
    )
    await http.close_async()


def params(unit_amount: int) -> SessionCreateParams:
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "usd",
                    "unit_amount": unit_amount,
                    "product_data": {"name": "Shirt"},
                },
            }
        ],
        "expires_at": int((utcnow() + timedelta(hours=1)).timestamp()),
        "success_url": "https://example.com/ok",
        "cancel_url": "https://example.com/cancel",
    }


async def test_a_key_reused_with_other_parameters_is_an_idempotency_error(
    client: stripe.StripeClient,
) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "k-1"}
    await client.v1.checkout.sessions.create_async(params(100), options)

    with pytest.raises(stripe.IdempotencyError):
        await client.v1.checkout.sessions.create_async(params(200), options)


async def test_sessions_can_be_read_back_and_expired_once(
    standin: StripeStandIn, client: stripe.StripeClient
) -> None:
    session = await client.v1.checkout.sessions.create_async(params(100))

    read = await client.v1.checkout.sessions.retrieve_async(session.id)
    expired = await client.v1.checkout.sessions.expire_async(session.id)

    assert (read.id, read.amount_total, read.status) == (session.id, 100, "open")
    assert expired.status == "expired"
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.checkout.sessions.expire_async(session.id)
    with pytest.raises(stripe.InvalidRequestError) as missing:
        await client.v1.checkout.sessions.retrieve_async("cs_test_missing")
    assert missing.value.http_status == 404


async def test_expiry_outside_stripes_window_is_refused(client: stripe.StripeClient) -> None:
    too_soon: SessionCreateParams = {
        **params(100),
        "expires_at": int((utcnow() + timedelta(minutes=10)).timestamp()),
    }

    with pytest.raises(stripe.InvalidRequestError, match="30 minutes and 24 hours"):
        await client.v1.checkout.sessions.create_async(too_soon)
