"""The merchant's group, end to end: /setup, a paid order's notice, staff-only buttons, Ship with
tracking, the buyer told of each change, and every notice exactly once through 429s and 5xx.

The real PTB Application polls the Bot API stand-in; the merchant handlers and the outbox sender
are wired here the way the lead wires them in the app.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.database import transaction
from bot.standin.driver import Chat, Message
from catalog.models import Merchant
from merchants.signup import issue_claim_code
from orders.customers import identify_buyer
from orders.models import Order, OrderLine
from tests.e2e.conftest import ANNA_IN_BERLIN, MerchantWorld, store_paid

pytestmark = pytest.mark.slow
TIMEOUT = 20
_numbers = itertools.count(1)


async def set_up(world: MerchantWorld) -> None:
    await world.ana.send("/start")  # a buyer has talked to the bot before buying
    await world.ana.chat.wait_for(timeout=TIMEOUT)
    await claim(world, "demo-us")


async def claim(world: MerchantWorld, slug: str, *, answer: str = "now receives") -> None:
    """Mia claims the shop `slug` for the group with the one-time code the operator gives; the
    bot's `answer` (in the shop's language) says it worked."""
    async with transaction(world.sessions) as session:
        merchant = await session.scalar(select(Merchant.id).where(Merchant.slug == slug))
        assert merchant is not None
        code = await issue_claim_code(session, merchant_id=merchant)
    await world.mia.send(f"/setup {slug} {code}", world.group)
    await world.group.wait_for(lambda m: answer in (m.text or ""), timeout=TIMEOUT)


async def paid_order(world: MerchantWorld) -> tuple[str, int]:
    """A paid order of Ana's at demo-us, its notice owed as the payment settlement owes it."""
    number = f"T{next(_numbers):03d}-E2E"
    async with transaction(world.sessions) as session:
        buyer = await identify_buyer(
            session, telegram_user_id=world.ana.id, locale="de", currency="EUR"
        )
        merchant = await session.scalar(select(Merchant).where(Merchant.slug == "demo-us"))
        assert merchant is not None
        order = Order(
            number=number, checkout_token=number, customer_id=buyer.customer_id,
            merchant_id=merchant.id, currency="USD", subtotal_minor=2200, shipping_minor=500,
            total_minor=2700, buyer_currency="EUR", buyer_total_minor=2500, fx_rate="1.08",
            fx_margin_percent="0", charge_currency="EUR", charge_total_minor=2500,
            delivery=ANNA_IN_BERLIN.to_dict(),
            lines=[OrderLine(title="Ceramic mug", options={"Colour": "Red"}, quantity=2,
                             unit_price_minor=1100, line_total_minor=2200,
                             buyer_unit_price_minor=1000)],
        )  # fmt: skip
        await store_paid(session, order)
    world.sender.sender.wake()
    return number, order.id


def about(number: str) -> Callable[[Message], bool]:
    return lambda m: number in (m.text or "")


def notices_of(chat: Chat, number: str) -> list[Message]:
    return [m for m in chat.bot_messages if f"Order {number}" in (m.text or "")]


async def test_staff_accept_and_ship_a_paid_order_and_the_buyer_hears(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    number, _ = await paid_order(world)
    notice = await world.group.wait_for(about(number), timeout=TIMEOUT)
    assert [[label for label, _ in row] for row in notice.buttons] == [
        ["✅ Accept"],
        ["↩️ Cancel and refund"],
    ]
    assert "Anna Müller" in (notice.text or "") and "$27.00" in (notice.text or "")

    refused = await world.bob.press(notice, "✅ Accept", timeout=TIMEOUT)
    assert refused is not None and "staff" in (refused.text or "")

    accepted = await world.mia.press(notice, "✅ Accept", timeout=TIMEOUT)
    assert accepted is not None and "Done" in (accepted.text or "")
    await world.group.wait_for(lambda m: m == notice and "Mia" in (m.text or ""), TIMEOUT)
    await world.ana.chat.wait_for(about(number), timeout=TIMEOUT)

    await world.mia.send("DHL 00340434161094042557", world.group)  # chatter: no dialog yet
    await world.mia.press(notice, "🚚 Ship", timeout=TIMEOUT)
    await world.group.wait_for(lambda m: "tracking number" in (m.text or ""), TIMEOUT)
    await world.mia.send("DHL 00340434161094042557", world.group)
    told = await world.ana.chat.wait_for(
        lambda m: "00340434161094042557" in (m.text or ""), timeout=TIMEOUT
    )
    assert "DHL" in (told.text or "")
    await world.group.wait_for(
        lambda m: m == notice and "00340434161094042557" in (m.text or ""), TIMEOUT
    )
    await world.standin.settle()
    assert [[label for label, _ in row] for row in notice.buttons] == [
        ["📦 Delivered"],
        ["✏️ Correct tracking"],
    ]
    buyer_news = [m for m in world.ana.chat.bot_messages if number in (m.text or "")]
    assert len(buyer_news) == 2  # accepted, shipped: once each
    assert len(notices_of(world.group, number)) == 1  # the notice was edited, never re-sent


async def test_a_double_press_changes_nothing_twice(world: MerchantWorld) -> None:
    await set_up(world)
    number, _ = await paid_order(world)
    notice = await world.group.wait_for(about(number), timeout=TIMEOUT)

    first = await world.mia.press(notice, "✅ Accept", timeout=TIMEOUT)
    second = await world.mia.press(notice, "✅ Accept", timeout=TIMEOUT)
    await world.ana.chat.wait_for(about(number), timeout=TIMEOUT)
    await world.standin.settle()

    assert first is not None and "Done" in (first.text or "")
    assert second is not None and "Already" in (second.text or "")
    assert len([m for m in world.ana.chat.bot_messages if number in (m.text or "")]) == 1


async def test_every_notice_arrives_once_through_flood_limits_and_5xx(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    world.standin.inject_fault("sendMessage", status=429, retry_after=1, times=5)
    world.standin.inject_fault("sendMessage", status=502, times=2)
    world.standin.inject_fault("sendMessage", status=500, times=2)
    numbers = [(await paid_order(world))[0] for _ in range(3)]

    for number in numbers:
        await world.group.wait_for(about(number), timeout=TIMEOUT * 2)
    await world.standin.settle()

    assert [len(notices_of(world.group, number)) for number in numbers] == [1, 1, 1]
