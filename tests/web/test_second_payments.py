"""Issue 14.8, every payment accounted for: an order paid N times over HTTP into the running bot.

The first payment pays the order; every other distinct payment (another Checkout Session of the
same order) is refunded through the Stripe stand-in with the key that took it, recorded in the
ledger, and the buyer (in German) and the shop are told, once each, however often Stripe
redelivers. A payment-link shop cannot be refunded through us: the shop is asked, with a button.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from db import utcnow
from handlers.payment_updates import give_back_second_payments
from i18n import translator
from merchants.settings import change_settings, set_payment, shop_by_slug
from money import Money
from orders.models import Order, OrderStatus
from payments import (
    PaymentEvent,
    PaymentLinkProvider,
    StripeCheckout,
    events_for_order,
    verify_webhook,
)
from payments.checkout_links import checkout_request_for
from payments.second_payments import SecondPaymentState, of_order
from payments.settlement import OrderChange, settle_payment
from payments.signed_callback import callback_body, signature_header
from tests.payments.factories import CALLBACK_SECRET, WEBHOOK_SECRET
from tests.payments.stripe_standin import StripeStandIn
from tests.web.conftest import BASE_URL, BUYER_ID, Harness, open_order_checkout, place_order

SHOP_CHAT = -100555


@pytest.fixture(autouse=True)
def _refunds_through_the_directory(harness: Harness) -> None:
    """The bot's services know the providers (as `bootstrap` wires them), so refunds can go out."""
    harness.application.bot_data.services.payments = harness.directory


DE = translator("de")
PAYMENTS = 5


async def _shop_chat(harness: Harness, provider: str, config: dict[str, str]) -> None:
    async with transaction(harness.sessions) as session:
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        set_payment(shop.settings, provider, config, harness.directory.secrets)
        change_settings(shop.settings, notify_chat_id=SHOP_CHAT, language="en")


async def _sessions_of_one_order(
    harness: Harness, standin: StripeStandIn, provider: StripeCheckout, number: str, count: int
) -> list[str]:
    """`count` distinct Checkout Sessions of one order (the buyer renewed the link), each paid."""
    first = await open_order_checkout(harness.sessions, provider, number, locale="de")
    async with transaction(harness.sessions) as session:
        request = await checkout_request_for(
            session, number=number, locale="de", public_url=BASE_URL
        )
    references = [first.provider_reference]
    for extra in range(1, count):
        renewed = dataclasses.replace(
            request, expires_at=utcnow() + timedelta(hours=2, minutes=extra)
        )
        references.append((await provider.create_checkout(renewed)).provider_reference)
    assert len(set(references)) == count
    for reference in references:
        standin.complete(reference)
    return references


def _texts(harness: Harness, chat_id: int) -> list[str]:
    return [str(m["text"]) for m in harness.api.sent() if m["chat_id"] == chat_id]


async def _status(sessions: SessionFactory, number: str) -> str:
    async with sessions() as session:
        status = await session.scalar(select(Order.status).where(Order.number == number))
    assert status is not None
    return status


@pytest.mark.slow
async def test_n_payments_for_one_order_pay_it_once_and_the_rest_go_back(
    harness: Harness, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    harness.directory.stripe = stripe_checkout
    number = await place_order(harness.sessions, locale="de")
    await _shop_chat(harness, "stripe", {})
    references = await _sessions_of_one_order(harness, standin, stripe_checkout, number, PAYMENTS)
    deliveries = [
        standin.webhook(reference, "checkout.session.completed", secret=WEBHOOK_SECRET,
                        timestamp=int(time.time()))
        for reference in references
    ]  # fmt: skip
    # The first payment reported again under another event id: the same money, nothing back.
    again = standin.webhook(references[0], "checkout.session.async_payment_succeeded",
                            secret=WEBHOOK_SECRET, timestamp=int(time.time()))  # fmt: skip

    answers = [
        (await harness.client.post("/payments/stripe/mugs", content=body, headers=headers))
        for headers, body in [*deliveries, again, *deliveries]  # every event redelivered once
    ]

    assert [a.status_code for a in answers] == [200] * (2 * PAYMENTS + 1)
    assert await _status(harness.sessions, number) == OrderStatus.PAID
    async with harness.sessions() as session:
        owed_back = await of_order(session, number)
        ledger = await events_for_order(session, number)
    assert [row.state for row in owed_back] == [SecondPaymentState.REFUNDED.value] * (PAYMENTS - 1)
    assert {row.provider_reference for row in owed_back} == set(references[1:])
    # Stripe refunded exactly the later payments, each once, never the one that paid the order.
    refunded = sorted(r["payment_intent"] for r in standin.refunds.values())
    later = sorted(standin.sessions[ref]["payment_intent"] for ref in references[1:])
    assert refunded == later
    kinds = [event.kind for event in ledger]
    assert (kinds.count("paid"), kinds.count("refunded")) == (PAYMENTS + 1, PAYMENTS - 1)

    amount = Money.of("16.50", "USD")
    told_buyer = DE.gettext(
        "Order {number} was already paid, so your second payment of {amount} has been "
        "refunded to you. Your bank may take a few days to show it."
    ).format(number=number, amount=_money(amount, "de"))
    buyer = _texts(harness, BUYER_ID)
    assert buyer.count(told_buyer) == PAYMENTS - 1, buyer
    assert len(buyer) == PAYMENTS  # "thank you, paid" once, then one per payment given back
    told_shop = (
        f"Order {number} was paid twice. The second payment of {_money(amount, 'en')} has been "
        "refunded to the buyer."
    )
    shop = _texts(harness, SHOP_CHAT)
    assert shop.count(told_shop) == PAYMENTS - 1, shop
    assert len(shop) == PAYMENTS  # the paid order's notice, then one per payment given back

    # The refund job finds nothing left to do: nobody is told anything again.
    assert await give_back_second_payments(harness.application.bot_data.services) == []
    assert len(harness.api.sent()) == 2 * PAYMENTS


async def test_payments_racing_in_at_once_pay_once_and_the_rest_go_back(
    harness: Harness, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    harness.directory.stripe = stripe_checkout
    number = await place_order(harness.sessions)
    await _shop_chat(harness, "stripe", {})
    references = await _sessions_of_one_order(harness, standin, stripe_checkout, number, 4)
    deliveries = [
        standin.webhook(reference, "checkout.session.completed", secret=WEBHOOK_SECRET,
                        timestamp=int(time.time()))
        for reference in references
    ]  # fmt: skip

    answers = await asyncio.gather(*(
        harness.client.post("/payments/stripe/mugs", content=body, headers=headers)
        for headers, body in deliveries * 2
    ))  # fmt: skip

    assert {a.status_code for a in answers} == {200}
    assert await _status(harness.sessions, number) == OrderStatus.PAID
    async with harness.sessions() as session:
        owed_back = await of_order(session, number)
    assert [row.state for row in owed_back] == [SecondPaymentState.REFUNDED.value] * 3
    assert len(standin.refunds) == 3
    paid_with = set(references) - {str(row.provider_reference) for row in owed_back}
    assert len(paid_with) == 1  # one payment kept: the one that paid the order
    (kept,) = paid_with
    kept_intent = standin.sessions[kept]["payment_intent"]
    assert kept_intent not in {r["payment_intent"] for r in standin.refunds.values()}


async def test_a_payment_link_shop_is_asked_to_refund_a_second_payment(harness: Harness) -> None:
    number = await place_order(harness.sessions, locale="de")
    await _shop_chat(harness, "payment_link", {
        "url_template": "https://pay.example/checkout?ref={reference}&note={order}",
        "callback_secret": CALLBACK_SECRET,
    })  # fmt: skip
    async with harness.sessions() as session:
        provider = await harness.directory.link_for(session, "mugs")
    assert isinstance(provider, PaymentLinkProvider)
    await open_order_checkout(harness.sessions, provider, number)

    async def callback(event_id: str, status: str, reference: str) -> int:
        body = callback_body(event_id=event_id, order=number, status=status,
                             amount=Money.of("16.50", "USD"), reference=reference)  # fmt: skip
        signed = signature_header(CALLBACK_SECRET, body, timestamp=int(time.time()))
        response = await harness.client.post(
            "/payments/link/mugs", content=body, headers={"X-Chatshop-Signature": signed}
        )
        return response.status_code

    assert await callback("tx-1", "paid", "bank-1") == 200
    assert await callback("tx-2", "paid", "bank-2") == 200  # paid again, in another tab
    assert await callback("tx-2", "paid", "bank-2") == 200  # redelivered

    async with harness.sessions() as session:
        (second,) = await of_order(session, number)
    assert (second.state, second.provider_reference) == ("flagged", "bank-2")
    buyer = _texts(harness, BUYER_ID)
    asked = DE.gettext(
        "Order {number} was already paid, and you paid {amount} a second time. "
        "{shop} has been asked to refund it to you."
    ).format(number=number, amount=_money(Money.of("16.50", "USD"), "de"), shop="Mugs &amp; Co")
    assert buyer.count(asked) == 1, buyer
    (notice,) = [m for m in harness.api.sent() if m["chat_id"] == SHOP_CHAT
                 and "paid twice" in str(m["text"])]  # fmt: skip
    assert "bank-2" in str(notice["text"])
    assert "m2ref" in str(notice["reply_markup"])

    # The shop refunds it with its own provider, which reports it: the buyer hears once.
    assert await callback("tx-3", "refunded", "bank-2") == 200
    assert await callback("tx-3", "refunded", "bank-2") == 200
    async with harness.sessions() as session:
        (second,) = await of_order(session, number)
    assert second.state == "refunded"
    assert await _status(harness.sessions, number) == OrderStatus.PAID  # the order stays paid
    refunded = DE.gettext(
        "Order {number} was already paid, so your second payment of {amount} has been "
        "refunded to you. Your bank may take a few days to show it."
    ).format(number=number, amount=_money(Money.of("16.50", "USD"), "de"))
    assert _texts(harness, BUYER_ID).count(refunded) == 1


def _money(amount: Money, locale: str) -> str:
    from money.formatting import format_money

    return format_money(amount, locale)


async def test_a_second_payment_stripe_cannot_refund_yet_is_given_back_by_the_job(
    harness: Harness, standin: StripeStandIn, stripe_checkout: StripeCheckout
) -> None:
    """Stripe answers 500 while the second payment is settled: it stays owed, nobody is told
    yet; the refund job (as after a crash) gives it back and tells each party once."""
    harness.directory.stripe = stripe_checkout
    number = await place_order(harness.sessions, locale="de")
    await _shop_chat(harness, "stripe", {})
    first, second = await _sessions_of_one_order(harness, standin, stripe_checkout, number, 2)
    for reference in (first, second):
        if reference == second:
            standin.fail_next(1, status=500)  # the refund's first request fails
        headers, body = standin.webhook(
            reference, "checkout.session.completed", secret=WEBHOOK_SECRET
        )
        response = await harness.client.post("/payments/stripe/mugs", content=body,
                                             headers=headers)  # fmt: skip
        assert response.status_code == 200

    async with harness.sessions() as session:
        (owed,) = await of_order(session, number)
    assert (owed.state, owed.attempts, standin.refunds) == ("owed", 1, {})
    assert len(_texts(harness, BUYER_ID)) == 1  # only "thank you, paid"

    services = harness.application.bot_data.services
    (news,) = await give_back_second_payments(services)
    assert await give_back_second_payments(services) == []  # the next run: nothing left
    assert news.state is SecondPaymentState.REFUNDED
    (refund,) = standin.refunds.values()
    assert refund["payment_intent"] == standin.sessions[second]["payment_intent"]


async def test_two_first_payments_settled_at_once_pay_the_order_once(
    harness: Harness,
) -> None:
    """Two workers settle two distinct payments of one unpaid order at the same moment (on
    PostgreSQL both transactions record their event before either commits): exactly one pays
    the order, the other is owed back, whichever commits first."""
    number = await place_order(harness.sessions)
    first = await open_order_checkout(harness.sessions, harness.sandbox, number)
    async with transaction(harness.sessions) as session:
        request = await checkout_request_for(
            session, number=number, locale="en", public_url=BASE_URL
        )
    second = await harness.sandbox.create_checkout(
        dataclasses.replace(request, expires_at=utcnow() + timedelta(hours=3))
    )
    events = []
    for link in (first, second):
        headers, body = harness.sandbox.signed_event(link.url.rsplit("/", 1)[1], "paid")
        async with transaction(harness.sessions) as session:
            events.append(
                await verify_webhook(session, harness.sandbox, headers, body, now=utcnow())
            )

    async def settle(event: PaymentEvent) -> OrderChange:
        async with transaction(harness.sessions) as session:
            return (await settle_payment(session, event, now=utcnow())).change

    changes = await asyncio.gather(*(settle(event) for event in events))

    assert sorted(changes) == sorted([OrderChange.PAID, OrderChange.SECOND_PAYMENT])
    async with harness.sessions() as session:
        (owed,) = await of_order(session, number)
    paid_by = events[changes.index(OrderChange.PAID)].provider_reference
    owed_back = events[changes.index(OrderChange.SECOND_PAYMENT)].provider_reference
    assert (owed.state, owed.provider_reference) == ("owed", owed_back)
    assert paid_by != owed_back
    assert await _status(harness.sessions, number) == OrderStatus.PAID
