"""The Pay button opens a checkout only for the presser's own unpaid order."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from conversation.views.payment import payment_link as payment_link_view
from db import utcnow
from i18n import translator
from merchants.payment_providers import PaymentDirectory
from orders.customers import Customer
from orders.models import Order, OrderStatus
from payments import Provider, ProviderUnavailable, SandboxProvider, StripeCheckout
from payments.pay_button import NotPayable, PaymentLink, payment_link
from tests.payments.factories import SANDBOX_SECRET, WEBHOOK_SECRET
from tests.payments.stripe_standin import closed_port_url
from tests.web.test_provider_unreachable import BASE_URL, placed_order


async def _ids(sessions: SessionFactory, number: str) -> tuple[int, int]:
    async with transaction(sessions) as session:
        order = await session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        return order.id, order.customer_id


async def _link(
    sessions: SessionFactory, provider: Provider, order_id: int, customer_id: int
) -> PaymentLink:
    """The link as the Pay button gets it; the shop has no stored choice, so `provider` is used
    as the platform's default (a `StripeCheckout` as Stripe, anything else as the sandbox)."""
    if isinstance(provider, StripeCheckout):
        directory = PaymentDirectory(stripe=provider)
    else:
        assert isinstance(provider, SandboxProvider)
        directory = PaymentDirectory(sandbox=provider)
    return await payment_link(
        sessions,
        directory,
        customer_id=customer_id,
        order_id=order_id,
        locale="en",
        public_url=BASE_URL,
        now=utcnow(),
    )


async def test_the_buyer_gets_one_link_per_order_however_often_they_press(
    sessions: SessionFactory,
) -> None:
    number, _ = await placed_order(sessions)
    order_id, customer_id = await _ids(sessions, number)
    sandbox = SandboxProvider(SANDBOX_SECRET, BASE_URL)
    first = await _link(sessions, sandbox, order_id, customer_id)
    again = await _link(sessions, sandbox, order_id, customer_id)
    assert first.link.url == again.link.url
    assert first.order.number == number
    reply = payment_link_view(translator("en"), "USD", first)
    [[button]] = reply.buttons
    assert button.url == first.link.url and "Pay" in button.text


async def test_someone_elses_order_is_not_payable(sessions: SessionFactory) -> None:
    number, _ = await placed_order(sessions)
    order_id, _owner = await _ids(sessions, number)
    async with transaction(sessions) as session:
        stranger = Customer(telegram_user_id=4242, locale="en", currency="USD")
        session.add(stranger)
        await session.flush()
        stranger_id = stranger.id
    with pytest.raises(NotPayable) as refused:
        await _link(sessions, SandboxProvider(SANDBOX_SECRET, BASE_URL), order_id, stranger_id)
    assert refused.value.order is None  # nothing about the order is revealed


async def test_a_paid_order_is_not_paid_twice(sessions: SessionFactory) -> None:
    number, _ = await placed_order(sessions)
    order_id, customer_id = await _ids(sessions, number)
    async with transaction(sessions) as session:
        order = await session.get_one(Order, order_id)
        order.status = OrderStatus.PAID.value
    with pytest.raises(NotPayable) as refused:
        await _link(sessions, SandboxProvider(SANDBOX_SECRET, BASE_URL), order_id, customer_id)
    assert refused.value.order is not None and refused.value.order.status == OrderStatus.PAID


async def test_an_unreachable_provider_is_said_and_changes_nothing(
    sessions: SessionFactory,
) -> None:
    number, _ = await placed_order(sessions)
    order_id, customer_id = await _ids(sessions, number)
    stripe = StripeCheckout("sk_test_x", WEBHOOK_SECRET, api_base=closed_port_url())
    try:
        with pytest.raises(ProviderUnavailable):
            await _link(sessions, stripe, order_id, customer_id)
    finally:
        await stripe.aclose()
    async with transaction(sessions) as session:
        order = await session.get_one(Order, order_id)
        assert order.status == OrderStatus.AWAITING_PAYMENT.value
