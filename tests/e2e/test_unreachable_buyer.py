"""Issue 14.3: a dead letter only for what Telegram calls permanent, with the shop told.

Through the real bot and the Bot API stand-in: a buyer who blocked the bot (the stand-in answers
403 "bot was blocked by the user"), or whose chat Telegram no longer finds (an injected 400
"chat not found"), cannot be told about their order; the order's shop hears of it once, in the
shop's language, however many of that order's messages are refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import select

from conversation.views.merchant import buyer_unreachable
from i18n import translator
from merchants.unreachable_buyers import Why
from outbox.models import OutboxMessage, OutboxState
from tests.e2e.test_merchant_more import (  # noqa: F401 - pytest finds the fixture by name
    TIMEOUT,
    World,
    about,
    pay,
    place,
    set_up,
    world,
)

pytestmark = pytest.mark.slow


def _texts(messages: Sequence[object]) -> list[str]:
    return [str(getattr(m, "text", "") or "") for m in messages]


async def _failed_to(shop_world: World, chat_id: int) -> list[OutboxMessage]:
    async with shop_world.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id, OutboxMessage.state == OutboxState.FAILED.value
            )
        )
        return list(rows)


async def test_a_buyer_who_blocked_the_bot_is_reported_to_the_shop_once(
    world: World,  # noqa: F811
) -> None:
    await set_up(world)
    [order] = await place(world, world.variants.mug)
    await world.ana.block_bot()
    await world.standin.settle()

    await pay(world, order)  # "thank you, paid" to Ana is refused: 403
    told = buyer_unreachable(translator("de"), order.number, Why.BLOCKED).text
    await world.mugs_group.wait_for(lambda m: m.text == told, timeout=TIMEOUT)
    # Staff cancel and refund: the buyer's news is refused again, the shop is not told again.
    notice = await world.mugs_group.wait_for(about(order.number), timeout=TIMEOUT)
    cancel = translator("de").gettext("↩️ Cancel and refund")
    before = len(world.mugs_group.bot_messages)
    await world.mia.press(notice, cancel, timeout=TIMEOUT)
    confirm = await world.mugs_group.wait_for(
        lambda m: len(world.mugs_group.bot_messages) > before and bool(m.buttons), TIMEOUT
    )
    await world.mia.press(confirm, (0, 0), timeout=TIMEOUT)
    await world.mugs_group.wait_for(lambda m: m == notice and not m.buttons, TIMEOUT)
    for _ in range(50):  # until the refund's news to Ana has been refused too
        if len(await _failed_to(world, world.ana.id)) >= 2:
            break
        await world.standin.settle()
    await world.standin.settle()

    assert len(await _failed_to(world, world.ana.id)) == 2  # paid, refunded: both dead letters
    assert _texts(world.mugs_group.bot_messages).count(told) == 1


async def test_a_chat_telegram_no_longer_finds_is_reported_in_the_shops_language(
    world: World,  # noqa: F811
) -> None:
    await set_up(world)
    [order] = await place(world, world.variants.teapot)  # Tea House: notices in Chinese
    world.standin.inject_fault(
        "sendMessage", status=400, description="Bad Request: chat not found", times=None,
        chat=world.ana.id,
    )  # fmt: skip

    await pay(world, order)

    told = buyer_unreachable(translator("zh_Hans"), order.number, Why.GONE).text
    await world.tea_group.wait_for(lambda m: m.text == told, timeout=TIMEOUT)
    await world.standin.settle()
    assert _texts(world.tea_group.bot_messages).count(told) == 1
    assert not any(order.number in t for t in _texts(world.mugs_group.bot_messages))
