"""Buyer ↔ shop messages end to end: "Ask the shop" on an order, the question in the shop's
group marked with the order and the buyer's language, a staff member's reply back in the
buyer's chat; strangers' replies refused, Cancel sends nothing, the Ship dialog still works.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.standin.driver import Message
from tests.e2e.test_merchant import (
    TIMEOUT,
    MerchantWorld,
    about,
    paid_order,
    set_up,
)

pytestmark = pytest.mark.slow


def button(message: Message, prefix: str) -> str:
    """The text of the button whose payload starts with `prefix`."""
    for row in message.buttons:
        for label, data in row:
            if (data or "").startswith(prefix):
                return label
    raise AssertionError(f"no {prefix} button on {message!r}: {message.buttons}")


def has_button(prefix: str) -> Callable[[Message], bool]:
    return lambda m: any((data or "").startswith(prefix) for row in m.buttons for _, data in row)


async def open_ask_prompt(world: MerchantWorld, number: str, order_id: int) -> Message:
    """Ana opens /orders, the order, and presses "Ask the shop"."""
    await world.ana.send("/orders")
    listing = await world.ana.chat.wait_for(has_button(f"1:order:{order_id}"), TIMEOUT)
    await world.ana.press(listing, button(listing, f"1:order:{order_id}"), TIMEOUT)
    details = await world.ana.chat.wait_for(has_button(f"1:ask:{order_id}"), TIMEOUT)
    assert number in (details.text or "")
    await world.ana.press(details, button(details, f"1:ask:{order_id}"), TIMEOUT)
    return await world.ana.chat.wait_for(has_button("1:ask:0"), TIMEOUT)


async def test_a_question_reaches_the_shop_and_a_staff_reply_reaches_the_buyer(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    number, order_id = await paid_order(world)
    await world.group.wait_for(about(number), TIMEOUT)  # the order's notice
    await open_ask_prompt(world, number, order_id)

    await world.ana.send("Können Sie es als Geschenk verpacken?")
    question = await world.group.wait_for(lambda m: "Question about" in (m.text or ""), TIMEOUT)
    assert number in (question.text or "") and "German (de)" in (question.text or "")
    assert "Können Sie es als Geschenk verpacken?" in (question.text or "")

    # People read before they reply: by then the outbox has recorded which message it was.
    await world.standin.settle()
    await world.bob.send("Nope", world.group, reply_to=question)  # not on the staff
    await world.group.wait_for(lambda m: "Only the shop's staff" in (m.text or ""), TIMEOUT)

    await world.mia.send("Yes, for free <3", world.group, reply_to=question)
    await world.group.wait_for(lambda m: "Sent to the buyer" in (m.text or ""), TIMEOUT)
    answer = await world.ana.chat.wait_for(lambda m: "Yes, for free <3" in (m.text or ""),
                                           TIMEOUT)  # fmt: skip
    assert number in (answer.text or "")
    await world.standin.settle()
    assert not [m for m in world.ana.chat.bot_messages if "Nope" in (m.text or "")]
    assert len([m for m in world.group.bot_messages if "Question about" in (m.text or "")]) == 1


async def test_cancel_sends_nothing_and_the_next_text_is_a_search_again(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    number, order_id = await paid_order(world)
    prompt = await open_ask_prompt(world, number, order_id)
    await world.ana.press(prompt, button(prompt, "1:ask:0"), TIMEOUT)
    await world.ana.send("mug")
    await world.ana.chat.wait_for(timeout=TIMEOUT)
    await world.standin.settle()
    assert not [m for m in world.group.bot_messages if "Question about" in (m.text or "")]


async def test_the_tracking_number_may_be_sent_as_a_reply_to_the_bots_prompt(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    number, _ = await paid_order(world)
    notice = await world.group.wait_for(about(number), TIMEOUT)
    await world.mia.press(notice, "✅ Accept", timeout=TIMEOUT)
    await world.group.wait_for(lambda m: m == notice and "Mia" in (m.text or ""), TIMEOUT)
    await world.mia.press(notice, "🚚 Ship", timeout=TIMEOUT)
    prompt = await world.group.wait_for(lambda m: "tracking number" in (m.text or ""), TIMEOUT)
    await world.mia.send("DHL 00340434161094042557", world.group, reply_to=prompt)
    await world.ana.chat.wait_for(lambda m: "00340434161094042557" in (m.text or ""), TIMEOUT)
