"""Issue 12: an unpaid order is paid later from /orders, through the real bot.

Ana (German) places two orders, one per shop, and pays neither at once. /orders lists both as
waiting for payment with a Pay button each; Pay makes a (fresh) payment link; the sandbox's
signed event pays it; /orders then shows one order left to pay, and the paid one offers no Pay
and no "to pay".
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from bot.standin.driver import Message
from bot.web.receipts import receipt_route
from i18n import translator
from tests.e2e import test_merchant_more as merchant_e2e
from tests.e2e.test_merchant_more import TIMEOUT, World, place, set_up, world  # noqa: F401

pytestmark = pytest.mark.slow
DE = translator("de")


def pay_buttons(message: Message) -> list[tuple[tuple[int, int], str]]:
    return [
        ((r, c), data)
        for r, row in enumerate(message.buttons)
        for c, (_, data) in enumerate(row)
        if data and data.startswith("1:pay:")
    ]


async def answer_to(shop: World, send: object) -> Message:
    chat = shop.ana.chat
    before = len(chat.bot_messages)
    await send  # type: ignore[misc]
    await chat.wait_for(lambda _m: len(chat.bot_messages) > before, timeout=TIMEOUT)
    await shop.standin.settle()
    return chat.bot_messages[-1]


async def test_an_unpaid_order_is_paid_later_from_orders(world: World) -> None:  # noqa: F811
    await set_up(world)
    mug, teapot = await place(world, world.variants.mug, world.variants.teapot)

    listing = await answer_to(world, world.ana.send("/orders"))
    assert listing.text is not None
    waiting = DE.ngettext(
        "{count} order is waiting for payment.", "{count} orders are waiting for payment.", 2
    ).format(count=2)
    assert waiting in listing.text, listing.text
    buttons = dict((data, where) for where, data in pay_buttons(listing))
    assert set(buttons) == {f"1:pay:{mug.order_id}", f"1:pay:{teapot.order_id}"}

    link = await answer_to(
        world, world.ana.press(listing, buttons[f"1:pay:{mug.order_id}"], timeout=TIMEOUT)
    )
    assert link.text is not None and mug.number in link.text
    [[(_label, url)]] = link.buttons
    assert url is not None and url.startswith("http")

    # The buyer pays on the sandbox's page: its signed event reaches the running bot.
    headers, body = world.sandbox.signed_event(url.rsplit("/", 1)[1], "paid")
    async with merchant_e2e.transaction(world.sessions) as session:
        event = await merchant_e2e.verify_webhook(
            session, world.sandbox, headers, body, now=merchant_e2e.utcnow()
        )
    update = merchant_e2e.PaymentUpdate(event, chat_id=world.ana.id)
    paid_note = DE.gettext(
        "Thank you! Your payment of {amount} for order {number} has arrived. "
        "{shop} will prepare it now."
    ).split("{amount}")[0]
    assert world.application is not None
    await world.application.update_queue.put(update)
    await asyncio.wait_for(update.done, TIMEOUT)
    # The outbox owes the buyer "payment received": let it arrive before the next question, so
    # that the next answer read is the answer to that question, however loaded the machine.
    await world.ana.chat.wait_for(
        lambda m: m.text is not None and mug.number in m.text and paid_note in m.text,
        timeout=TIMEOUT,
    )

    listing = await answer_to(world, world.ana.send("/orders"))
    assert listing.text is not None
    one_left = DE.ngettext(
        "{count} order is waiting for payment.", "{count} orders are waiting for payment.", 1
    ).format(count=1)
    assert one_left in listing.text, listing.text
    assert [data for _where, data in pay_buttons(listing)] == [f"1:pay:{teapot.order_id}"]

    opened = [
        (r, c)
        for r, row in enumerate(listing.buttons)
        for c, (_, data) in enumerate(row)
        if data == f"1:order:{mug.order_id}"
    ]
    await world.ana.press(listing, opened[0], timeout=TIMEOUT)  # edits the list into the order
    await world.standin.settle()
    paid = next(m for m in world.ana.chat.messages if m.id == listing.id)
    assert paid.text is not None and mug.number in paid.text, paid.text
    assert paid.text is not None and DE.gettext("paid") in paid.text
    assert not pay_buttons(paid) and DE.gettext("To pay: {amount}").split("{")[0] not in paid.text

    # The paid order links its receipt: a page of the web server, in German.
    [receipt_url] = [
        data for row in paid.buttons for _, data in row if data and "/receipt/" in data
    ]
    app = Starlette(routes=[receipt_route(world.services)])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://shop"
    ) as client:
        page = await client.get("/receipt/" + receipt_url.split("/receipt/", 1)[1])
        forged = await client.get(f"/receipt/{teapot.order_id}/{'A' * 22}")
    assert page.status_code == 200 and mug.number in page.text
    assert DE.gettext("Receipt for order {number}").format(number=mug.number) in page.text
    assert forged.status_code == 404
