"""Payment webhooks over HTTP into the running bot: paid once, refusals change nothing."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from bot.database import SessionFactory, transaction
from merchants.settings import set_payment, shop_by_slug
from money import Money
from orders.models import Order, OrderEvent, OrderStatus
from payments import PaymentLinkProvider, StripeCheckout
from payments.models import PaymentEventRecord
from payments.signed_callback import callback_body, signature_header
from tests.payments.factories import CALLBACK_SECRET, WEBHOOK_SECRET
from tests.payments.stripe_standin import StripeStandIn
from tests.web.conftest import BUYER_ID, Harness, open_order_checkout, place_order

STRIPE_PATH = "/payments/stripe/mugs"


async def state(sessions: SessionFactory, number: str) -> tuple[str, int, int]:
    """(order status, payment events recorded, status changes of the order)."""
    async with transaction(sessions) as session:
        order = await session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        recorded = await session.scalar(
            select(func.count())
            .select_from(PaymentEventRecord)
            .where(PaymentEventRecord.order_number == number)
        )
        moves = await session.scalar(
            select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id == order.id)
        )
    return order.status, recorded or 0, moves or 0


async def stripe_paid_order(
    harness: Harness, standin: StripeStandIn, provider: StripeCheckout
) -> tuple[str, str]:
    """An order with an open Stripe Checkout the buyer has just completed: (number, session)."""
    harness.directory.stripe = provider
    number = await place_order(harness.sessions)
    link = await open_order_checkout(harness.sessions, provider, number)
    standin.complete(link.provider_reference)
    return number, link.provider_reference


@pytest.mark.slow
async def test_a_replayed_stripe_webhook_pays_once_and_notifies_once(
    harness: Harness, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    number, session_id = await stripe_paid_order(harness, standin, stripe_checkout)
    headers, body = standin.webhook(
        session_id, "checkout.session.completed", secret=WEBHOOK_SECRET, timestamp=int(time.time())
    )

    answers = [
        (await harness.client.post(STRIPE_PATH, content=body, headers=headers)).status_code
        for _ in range(100)
    ]

    assert answers == [200] * 100
    status, recorded, moves = await state(harness.sessions, number)
    assert (status, recorded, moves) == (OrderStatus.PAID, 1, 2)  # placed, then paid
    sent = harness.api.sent()
    assert [message["chat_id"] for message in sent] == [BUYER_ID]
    assert number in sent[0]["text"]


async def test_first_delivery_answers_accepted_and_a_replay_duplicate(
    harness: Harness, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    number, session_id = await stripe_paid_order(harness, standin, stripe_checkout)
    headers, body = standin.webhook(
        session_id, "checkout.session.completed", secret=WEBHOOK_SECRET, timestamp=int(time.time())
    )

    first = await harness.client.post(STRIPE_PATH, content=body, headers=headers)
    second = await harness.client.post(STRIPE_PATH, content=body, headers=headers)

    assert (first.status_code, first.text) == (200, "accepted")
    assert (second.status_code, second.text) == (200, "duplicate")
    assert (await state(harness.sessions, number))[0] == OrderStatus.PAID


@pytest.mark.parametrize(
    "fault",
    ["bad signature", "old timestamp", "wrong amount", "wrong currency", "unknown order"],
)
async def test_refused_webhooks_change_nothing(
    harness: Harness,
    standin: StripeStandIn,
    stripe_checkout: StripeCheckout,
    fault: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    number, session_id = await stripe_paid_order(harness, standin, stripe_checkout)
    now = int(time.time())
    secret, timestamp = WEBHOOK_SECRET, now
    overrides: dict[str, object] = {}
    if fault == "bad signature":
        secret = "whsec_someone_else_0000000000"
    elif fault == "old timestamp":
        timestamp = now - 3600
    elif fault == "wrong amount":
        overrides = {"amount_total": 1}
    elif fault == "wrong currency":
        overrides = {"currency": "eur"}
    else:
        overrides = {"client_reference_id": "ZZ-9999", "metadata": {"order_number": "ZZ-9999"}}
    headers, body = standin.webhook(
        session_id,
        "checkout.session.completed",
        secret=secret,
        timestamp=timestamp,
        overrides=overrides,
    )

    response = await harness.client.post(STRIPE_PATH, content=body, headers=headers)

    assert response.status_code == 400
    assert await state(harness.sessions, number) == (OrderStatus.AWAITING_PAYMENT, 0, 1)
    assert harness.api.sent() == []
    assert any("refused" in record.getMessage() for record in caplog.records)


async def test_an_event_type_we_ignore_is_acknowledged(
    harness: Harness, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    number, session_id = await stripe_paid_order(harness, standin, stripe_checkout)
    headers, body = standin.webhook(
        session_id, "customer.created", secret=WEBHOOK_SECRET, timestamp=int(time.time())
    )

    response = await harness.client.post(STRIPE_PATH, content=body, headers=headers)

    assert (response.status_code, response.text) == (200, "ignored")
    assert await state(harness.sessions, number) == (OrderStatus.AWAITING_PAYMENT, 0, 1)


async def test_merchant_payment_link_callback_pays_the_order(harness: Harness) -> None:
    number = await place_order(harness.sessions)
    async with transaction(harness.sessions) as session:
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        set_payment(
            shop.settings,
            "payment_link",
            {
                "url_template": "https://pay.example/checkout?ref={reference}&note={order}",
                "callback_secret": CALLBACK_SECRET,
            },
            harness.directory.secrets,
        )
    async with harness.sessions() as session:
        provider = await harness.directory.link_for(session, "mugs")
    assert isinstance(provider, PaymentLinkProvider) and provider.name == "payment_link:mugs"
    link = await open_order_checkout(harness.sessions, provider, number)
    body = callback_body(
        event_id="tx-1",
        order=number,
        status="paid",
        amount=Money.of("16.50", "USD"),
        reference=link.provider_reference,
    )
    headers = {
        "X-Chatshop-Signature": signature_header(CALLBACK_SECRET, body, timestamp=int(time.time()))
    }

    response = await harness.client.post("/payments/link/mugs", content=body, headers=headers)
    other_shop = await harness.client.post("/payments/link/tea", content=body, headers=headers)
    forged = await harness.client.post(
        "/payments/link/mugs",
        content=body.replace(b'"paid"', b'"refunded"'),
        headers=headers,
    )

    assert response.status_code == 200
    assert other_shop.status_code == 404
    assert forged.status_code == 400
    assert (await state(harness.sessions, number))[0] == OrderStatus.PAID
    assert json.loads(body)["amount"] == "16.50"
