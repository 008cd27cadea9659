"""End to end, a shop's group where the bot is a plain member with privacy mode on (BotFather's
default), so it sees only commands and replies to its own messages: the tracking prompt is a
forced reply for the presser alone, a reply to it ships the order it names (not the last one
pressed), a second reply corrects the tracking and the buyer gets the new link in German.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.database import transaction
from bot.standin.driver import Message
from catalog.models import Merchant
from i18n import translator
from merchants.signup import issue_claim_code
from orders.models import Order
from tests.e2e.conftest import MerchantWorld
from tests.e2e.test_merchant import TIMEOUT, paid_order

pytestmark = pytest.mark.slow
USPS = "https://tools.usps.com/go/TrackConfirmAction?tLabels="


def about(number: str, *words: str) -> Callable[[Message], bool]:
    return lambda m: number in (m.text or "") and all(w in (m.text or "") for w in words)


def _edited_by_mia(notice: Message) -> Callable[[Message], bool]:
    return lambda m: m == notice and "Mia" in (m.text or "")


async def _status(world: MerchantWorld, number: str) -> tuple[str, str | None]:
    async with transaction(world.sessions) as session:
        order = await session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        return order.status, order.tracking


def _asks_mia_alone(world: MerchantWorld, prompt: Message) -> None:
    markup = prompt.record.sent_markup
    assert markup is not None and markup.kind == "force_reply"
    assert markup.option("selective") is True
    assert markup.option("input_field_placeholder") == "Carrier and tracking number"
    mentioned = [e["user"]["id"] for e in prompt.entities if e["type"] == "text_mention"]
    assert mentioned == [world.mia.id]


async def test_staff_answer_tracking_prompts_by_replying_where_the_bot_reads_only_replies(
    world: MerchantWorld,
) -> None:
    quiet = world.standin.group("Quiet orders", members={world.mia: "administrator"})
    await world.ana.send("/start")
    await world.ana.chat.wait_for(timeout=TIMEOUT)
    async with transaction(world.sessions) as session:
        merchant = await session.scalar(select(Merchant.id).where(Merchant.slug == "demo-us"))
        assert merchant is not None
        code = await issue_claim_code(session, merchant_id=merchant)
    await world.mia.send(f"/setup demo-us {code}", quiet)
    await quiet.wait_for(lambda m: "now receives" in (m.text or ""), timeout=TIMEOUT)

    first, _ = await paid_order(world)
    second, _ = await paid_order(world)
    notices = {number: await quiet.wait_for(about(number), TIMEOUT) for number in (first, second)}
    prompts: dict[str, Message] = {}
    for number, notice in notices.items():
        await world.mia.press(notice, "✅ Accept", timeout=TIMEOUT)
        await quiet.wait_for(_edited_by_mia(notice), TIMEOUT)
        await world.mia.press(notice, "🚚 Ship", timeout=TIMEOUT)
        prompts[number] = await quiet.wait_for(about(number, "tracking number"), TIMEOUT)
        _asks_mia_alone(world, prompts[number])

    # Typed without a reply, the answer never reaches the bot (privacy mode): nothing ships.
    await world.mia.send("DHL 00340434161094042557", quiet)
    await world.standin.settle()
    assert await _status(world, second) == ("accepted", None)

    # A reply to the first prompt ships the first order, though the second was pressed last.
    await world.mia.send("USPS 9400 1118 9922 3197 4284 90", quiet, reply_to=prompts[first])
    told = await world.ana.chat.wait_for(about(first, "9400111899223197428490"), TIMEOUT)
    assert [url for row in told.buttons for _, url in row] == [USPS + "9400111899223197428490"]
    assert await _status(world, first) == ("shipped", "9400111899223197428490")
    assert await _status(world, second) == ("accepted", None)

    # Replying to the same prompt again corrects it: the buyer gets the new link in German.
    await world.mia.send("UPS 1Z 5R8 939 03 5756 7127", quiet, reply_to=prompts[first])
    corrected = await world.ana.chat.wait_for(about(first, "1Z5R89390357567127"), TIMEOUT)
    [[(label, url)]] = corrected.buttons
    assert label == translator("de").gettext("📦 Track the parcel")
    assert url is not None and url.endswith("trackNums=1Z5R89390357567127")
    assert await _status(world, first) == ("shipped", "1Z5R89390357567127")

    # An answer without a number is asked again, as a reply again, for the same order.
    await world.mia.send("tomorrow", quiet, reply_to=prompts[second])
    again = await quiet.wait_for(lambda m: "I need the carrier" in (m.text or ""), TIMEOUT)
    _asks_mia_alone(world, again)
    await world.mia.send("DHL 00340434161094042557", quiet, reply_to=again)
    await world.ana.chat.wait_for(about(second, "00340434161094042557"), TIMEOUT)
    assert await _status(world, second) == ("shipped", "00340434161094042557")
