"""Each merchant is paid through its own stored choice of provider, and only with its own secret.

Two shops from `seed_shop`: "mugs" takes payment by its own payment link, "tea" chose nothing
and falls back to the platform's default (here the sandbox).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from bot.web.pay_button import PaymentLink, PaymentsNotSetUp, payment_link
from bot.web.providers import PaymentDirectory
from catalog.models import Merchant
from conversation import callbacks
from conversation.views.payment import payments_not_set_up
from db import utcnow
from handlers import payment
from i18n import translator
from merchants.settings import set_payment, shop_by_slug
from orders import cart
from orders.customers import Buyer
from orders.models import Order, OrderStatus
from orders.placement import place_orders
from payments import SandboxProvider, StripeCheckout
from payments.signed_callback import callback_body, signature_header
from tests.handlers import fakes
from tests.orders.factories import make_customer, quoter, ready_draft, seed_shop
from tests.payments.factories import CALLBACK_SECRET, SANDBOX_SECRET, WEBHOOK_SECRET
from tests.web.conftest import BASE_URL, BUYER_ID, Harness

MUGS_TEMPLATE = "https://pay.mugs.example/checkout?ref={reference}&sum={amount}&note={order}"
TEA_SECRET = "tea-house-callback-secret-0456"


async def place_both(sessions: SessionFactory) -> dict[str, tuple[int, int]]:
    """One order per shop for one buyer: {slug: (order id, customer id)}."""
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        buyer = await make_customer(session, BUYER_ID, currency="USD")
        for variant in (shop.mug_red, shop.teapot):
            await cart.add_to_cart(session, customer_id=buyer, variant_id=variant)
        await place_orders(
            session,
            customer_id=buyer,
            draft=ready_draft(),
            buyer_currency="USD",
            quoter=quoter(utcnow()),
            now=utcnow(),
            ttl=timedelta(minutes=30),
        )
        rows = await session.execute(
            select(Merchant.slug, Order.id, Order.customer_id).join(
                Merchant, Merchant.id == Order.merchant_id
            )
        )
        return {slug: (order_id, customer_id) for slug, order_id, customer_id in rows}


async def choose(sessions: SessionFactory, slug: str, kind: str | None, **values: str) -> None:
    """What `chatshop merchant edit --payment-provider ... --payment k=v` stores."""
    async with transaction(sessions) as session:
        shop = await shop_by_slug(session, slug)
        assert shop is not None
        set_payment(shop.settings, kind, values)


async def on_payment_link(
    sessions: SessionFactory,
    slug: str,
    template: str = MUGS_TEMPLATE,
    secret: str = CALLBACK_SECRET,
) -> None:
    await choose(sessions, slug, "payment_link", url_template=template, callback_secret=secret)


async def pay_button(
    sessions: SessionFactory, directory: PaymentDirectory, ids: tuple[int, int]
) -> PaymentLink:
    order_id, customer_id = ids
    return await payment_link(
        sessions,
        directory,
        customer_id=customer_id,
        order_id=order_id,
        locale="en",
        public_url=BASE_URL,
        now=utcnow(),
    )


def sandbox_directory() -> PaymentDirectory:
    return PaymentDirectory(
        sandbox=SandboxProvider(SANDBOX_SECRET, BASE_URL), public_base_url=BASE_URL
    )


async def signed_callback(
    link: PaymentLink, *, secret: str, event_id: str = "tx-1"
) -> tuple[bytes, dict[str, str]]:
    body = callback_body(
        event_id=event_id,
        order=link.order.number,
        status="paid",
        amount=link.charge,
        reference=link.link.provider_reference,
    )
    header = signature_header(secret, body, timestamp=int(time.time()))
    return body, {"X-Chatshop-Signature": header}


async def status_of(sessions: SessionFactory, order_id: int) -> str:
    async with transaction(sessions) as session:
        status = await session.scalar(
            select(Order.status)
            .where(Order.id == order_id)
            .execution_options(populate_existing=True)
        )
    assert status is not None
    return status


# --- the Pay button ---------------------------------------------------------------------------


async def test_each_shop_gets_its_own_provider(sessions: SessionFactory) -> None:
    orders = await place_both(sessions)
    await on_payment_link(sessions, "mugs")
    directory = sandbox_directory()

    mugs = await pay_button(sessions, directory, orders["mugs"])
    tea = await pay_button(sessions, directory, orders["tea"])

    assert mugs.link.provider == "payment_link:mugs"
    assert mugs.link.url.startswith("https://pay.mugs.example/checkout?")
    query = parse_qs(urlsplit(mugs.link.url).query)
    assert query["note"] == [mugs.order.number]
    assert query["ref"] == [mugs.link.provider_reference]
    assert tea.link.provider == "sandbox"
    assert tea.link.url.startswith(BASE_URL)


async def test_a_shop_on_stripe_uses_the_platform_account(sessions: SessionFactory) -> None:
    await place_both(sessions)
    await choose(sessions, "tea", "stripe")
    stripe = StripeCheckout("sk_test_platform", WEBHOOK_SECRET)
    directory = PaymentDirectory(sandbox=SandboxProvider(SANDBOX_SECRET, BASE_URL), stripe=stripe)
    async with sessions() as session:
        tea = await session.scalar(select(Merchant.id).where(Merchant.slug == "tea"))
        assert tea is not None
        chosen = await directory.for_merchant(session, tea)
    await stripe.aclose()
    assert chosen is stripe


async def test_a_shop_on_a_provider_this_server_lacks_is_not_sent_elsewhere(
    sessions: SessionFactory,
) -> None:
    orders = await place_both(sessions)
    await choose(sessions, "tea", "stripe")  # no platform Stripe here: not the sandbox either
    with pytest.raises(PaymentsNotSetUp):
        await pay_button(sessions, sandbox_directory(), orders["tea"])


async def test_the_provider_is_built_once_and_rebuilt_when_the_settings_change(
    sessions: SessionFactory,
) -> None:
    orders = await place_both(sessions)
    await on_payment_link(sessions, "mugs")
    directory = sandbox_directory()
    async with sessions() as session:
        first = await directory.link_for(session, "mugs")
        again = await directory.link_for(session, "mugs")
    assert first is again

    await on_payment_link(sessions, "mugs", template="https://elsewhere.example/p?o={order}")
    async with sessions() as session:
        changed = await directory.link_for(session, "mugs")
    link = await pay_button(sessions, directory, orders["mugs"])

    assert changed is not first
    assert link.link.url.startswith("https://elsewhere.example/p?o=")


async def test_a_bad_template_tells_the_buyer_payments_are_not_set_up(
    sessions: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    orders = await place_both(sessions)
    await on_payment_link(sessions, "mugs", template="https://pay.example/?x={ammount}&o={order}")
    caplog.set_level(logging.WARNING, logger="bot.web.providers")

    with pytest.raises(PaymentsNotSetUp):
        await pay_button(sessions, sandbox_directory(), orders["mugs"])

    assert "mugs" in caplog.text and "{ammount}" in caplog.text
    assert CALLBACK_SECRET not in caplog.text
    assert await status_of(sessions, orders["mugs"][0]) == OrderStatus.AWAITING_PAYMENT.value


@dataclass
class _Settings:
    web_base_url: str = BASE_URL


@dataclass
class _Services:
    sessions: SessionFactory
    settings: _Settings = field(default_factory=_Settings)


@dataclass
class _Context(fakes.FakeContext):
    """`FakeContext` plus what the Pay button reads: the directory in `bot_data`."""

    bot_data: dict[str, Any] = field(default_factory=dict)


async def test_the_pay_button_shows_each_shops_own_link_or_says_not_set_up(
    sessions: SessionFactory,
) -> None:
    orders = await place_both(sessions)
    await on_payment_link(sessions, "mugs")
    await on_payment_link(sessions, "tea", template="https://tea.example/pay/{ammount}/{order}")
    buyer = Buyer(orders["mugs"][1], BUYER_ID, "en", "USD")
    context: Any = _Context(fakes.FakeBot(), _Services(sessions), buyer)  # type: ignore[arg-type]  # its own fake services
    context.bot_data["payments"] = sandbox_directory()
    t = translator("en")

    await payment.pay(fakes.press(context, callbacks.encode("pay", orders["mugs"][0])), context)
    mugs = context.bot.sent[-1]
    await payment.pay(fakes.press(context, callbacks.encode("pay", orders["tea"][0])), context)
    tea = context.bot.sent[-1]

    [[button]] = mugs.markup.inline_keyboard
    assert button.url.startswith("https://pay.mugs.example/checkout?")
    assert tea.text == payments_not_set_up(t).text


# --- the merchant's callback ------------------------------------------------------------------


async def test_a_callback_signed_with_the_shops_secret_pays_its_order(harness: Harness) -> None:
    orders = await place_both(harness.sessions)
    await on_payment_link(harness.sessions, "mugs")
    link = await pay_button(harness.sessions, harness.directory, orders["mugs"])
    body, headers = await signed_callback(link, secret=CALLBACK_SECRET)

    response = await harness.client.post("/payments/link/mugs", content=body, headers=headers)

    assert response.status_code == 200, response.text
    assert await status_of(harness.sessions, orders["mugs"][0]) == OrderStatus.PAID.value


async def test_a_callback_signed_with_another_secret_is_refused(harness: Harness) -> None:
    orders = await place_both(harness.sessions)
    await on_payment_link(harness.sessions, "mugs")
    link = await pay_button(harness.sessions, harness.directory, orders["mugs"])
    body, headers = await signed_callback(link, secret=TEA_SECRET)

    response = await harness.client.post("/payments/link/mugs", content=body, headers=headers)

    assert response.status_code == 400
    assert (
        await status_of(harness.sessions, orders["mugs"][0]) == OrderStatus.AWAITING_PAYMENT.value
    )


async def test_a_callback_at_another_shops_path_is_refused(harness: Harness) -> None:
    orders = await place_both(harness.sessions)
    await on_payment_link(harness.sessions, "mugs")
    link = await pay_button(harness.sessions, harness.directory, orders["mugs"])
    mugs_signed = await signed_callback(link, secret=CALLBACK_SECRET)
    tea_signed = await signed_callback(link, secret=TEA_SECRET)

    post = harness.client.post
    tea_without_link = await post(
        "/payments/link/tea", content=mugs_signed[0], headers=mugs_signed[1]
    )
    unknown_shop = await post(
        "/payments/link/nobody", content=mugs_signed[0], headers=mugs_signed[1]
    )
    await on_payment_link(harness.sessions, "tea", secret=TEA_SECRET)
    wrong_secret = await post("/payments/link/tea", content=mugs_signed[0], headers=mugs_signed[1])
    # Tea's own secret cannot pay an order whose checkout Mugs opened.
    not_its_order = await post("/payments/link/tea", content=tea_signed[0], headers=tea_signed[1])

    assert (tea_without_link.status_code, unknown_shop.status_code) == (404, 404)
    assert (wrong_secret.status_code, not_its_order.status_code) == (400, 400)
    assert (
        await status_of(harness.sessions, orders["mugs"][0]) == OrderStatus.AWAITING_PAYMENT.value
    )


async def test_a_shop_that_left_the_payment_link_gets_no_callbacks(harness: Harness) -> None:
    orders = await place_both(harness.sessions)
    await on_payment_link(harness.sessions, "mugs")
    link = await pay_button(harness.sessions, harness.directory, orders["mugs"])
    body, headers = await signed_callback(link, secret=CALLBACK_SECRET)
    await choose(harness.sessions, "mugs", "sandbox")

    response = await harness.client.post("/payments/link/mugs", content=body, headers=headers)

    assert response.status_code == 404
    async with harness.sessions() as session:
        assert await harness.directory.link_for(session, "mugs") is None
    assert (
        await status_of(harness.sessions, orders["mugs"][0]) == OrderStatus.AWAITING_PAYMENT.value
    )
