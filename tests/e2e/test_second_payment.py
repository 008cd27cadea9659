"""Issue 14.8 through the real bot: Ana pays one order twice (two checkouts of it).

With the sandbox on the server, the second payment is refunded at once, and Ana (German) and
Mugs & Co's group (German) are told once each. With the provider that took it gone from the
server, Mugs & Co is asked to refund it and gets a Refunded button: a member who is not staff
cannot press it, Mia can, once, and then Ana hears her money is back.
"""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.runner import polling
from bot.settings import DEMO_TOKEN
from conversation.views.payment import second_payment_buyer, second_payment_shop
from db import utcnow
from handlers.payment_updates import PaymentUpdate
from i18n import translator
from merchants.payment_providers import PaymentDirectory
from orders.models import Order, OrderStatus
from orders.placement import PlacedOrder
from payments import CheckoutLine, CheckoutRequest, open_checkout, verify_webhook
from payments.second_payments import SecondPaymentState, of_order
from tests.e2e import test_merchant_more as merchant_e2e
from tests.e2e.test_merchant_more import (  # noqa: F401 - pytest finds the fixture by name
    BASE_URL,
    TIMEOUT,
    World,
    about,
    place,
    set_up,
    world,
)

pytestmark = pytest.mark.slow
DE = translator("de")


def _request(order: PlacedOrder, minutes: int) -> CheckoutRequest:
    return CheckoutRequest(
        order_number=order.number, amount=order.charge,
        lines=[CheckoutLine(f"Order {order.number}", 1, order.charge)],
        expires_at=utcnow() + timedelta(minutes=minutes), success_url=f"{BASE_URL}/ok",
        cancel_url=f"{BASE_URL}/cancel", locale="de",
    )  # fmt: skip


async def _pay_twice(shop_world: World, order: PlacedOrder) -> str:
    """Two checkouts of one order (the link was renewed), both paid; the second's reference."""
    first = await open_checkout(
        shop_world.sessions, shop_world.sandbox, _request(order, 30), now=utcnow()
    )
    second = await shop_world.sandbox.create_checkout(_request(order, 45))
    assert second.provider_reference != first.provider_reference
    for link in (first, second, first, second):  # each event delivered twice
        headers, body = shop_world.sandbox.signed_event(link.url.rsplit("/", 1)[1], "paid")
        async with merchant_e2e.transaction(shop_world.sessions) as session:
            event = await verify_webhook(session, shop_world.sandbox, headers, body, now=utcnow())
        update = PaymentUpdate(event, chat_id=shop_world.ana.id)
        assert shop_world.application is not None
        await shop_world.application.update_queue.put(update)
        await merchant_e2e.asyncio.wait_for(update.done, TIMEOUT)
    return second.provider_reference


def _shown(text: str) -> str:
    return html.unescape(text)  # as the chat shows the HTML


async def test_a_second_payment_is_refunded_through_the_sandbox_and_both_are_told_once(
    world: World,  # noqa: F811
) -> None:
    await set_up(world)
    [order] = await place(world, world.variants.mug)

    await _pay_twice(world, order)

    buyer = _shown(second_payment_buyer(DE, SecondPaymentState.REFUNDED, order.number,
                                        order.charge, "Mugs & Co").text)  # fmt: skip
    await world.ana.chat.wait_for(lambda m: m.text == buyer, timeout=TIMEOUT)
    async with world.sessions() as session:
        (second,) = await of_order(session, order.number)
        status = await session.scalar(select(Order.status).where(Order.number == order.number))
    shop_news = second_payment_shop(
        DE, SecondPaymentState.REFUNDED, order.number, order.charge,
        second.provider_reference, second.id,
    )  # fmt: skip
    shop = _shown(shop_news.text)
    await world.mugs_group.wait_for(lambda m: m.text == shop, timeout=TIMEOUT)
    await world.standin.settle()
    assert second.state == SecondPaymentState.REFUNDED.value
    assert status == OrderStatus.PAID.value  # the first payment still pays the order
    assert [m.text for m in world.ana.chat.bot_messages].count(buyer) == 1
    assert [m.text for m in world.mugs_group.bot_messages].count(shop) == 1


async def test_a_second_payment_nobody_here_can_refund_is_the_shops_with_a_button(
    world: World,  # noqa: F811
) -> None:
    await set_up(world)
    [order] = await place(world, world.variants.mug)
    # This server no longer holds the provider that took the payments.
    await world.stop_bot()
    services = replace(world.services, payments=PaymentDirectory())
    application = build_application(services, token=DEMO_TOKEN, api_url=world.standin.api_url)
    await world._stack.enter_async_context(polling(application))
    world.application = application

    reference = await _pay_twice(world, order)

    asked = _shown(second_payment_buyer(DE, SecondPaymentState.FLAGGED, order.number,
                                        order.charge, "Mugs & Co").text)  # fmt: skip
    await world.ana.chat.wait_for(lambda m: m.text == asked, timeout=TIMEOUT)
    flagged = await world.mugs_group.wait_for(
        lambda m: reference in (m.text or "") and bool(m.buttons), timeout=TIMEOUT
    )
    refunded_label = "✅ " + DE.gettext("Refunded")
    assert [label for label, _ in flagged.buttons[0]] == [refunded_label]

    refused = await world.bob.press(flagged, refunded_label, timeout=TIMEOUT)  # not staff
    assert refused is not None
    async with world.sessions() as session:
        (second,) = await of_order(session, order.number)
    assert second.state == SecondPaymentState.FLAGGED.value

    done = await world.mia.press(flagged, refunded_label, timeout=TIMEOUT)
    assert done is not None and done.text == translator("en").gettext(
        "Recorded: the buyer has been told the second payment was refunded."
    )
    back = _shown(second_payment_buyer(DE, SecondPaymentState.REFUNDED, order.number,
                                       order.charge, "Mugs & Co").text)  # fmt: skip
    await world.ana.chat.wait_for(lambda m: m.text == back, timeout=TIMEOUT)
    await world.mugs_group.wait_for(lambda m: m == flagged and not m.buttons, timeout=TIMEOUT)
    await world.standin.settle()
    async with world.sessions() as session:
        (second,) = await of_order(session, order.number)
    assert second.state == SecondPaymentState.REFUNDED.value
    texts = [m.text for m in world.ana.chat.bot_messages]
    assert (texts.count(asked), texts.count(back)) == (1, 1)
