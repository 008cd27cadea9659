"""The Telegram transport: what is retried, what is given up (at least once, never lost)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.request import BaseRequest

from bot.settings import DEMO_TOKEN
from bot.standin import StandIn
from conversation.reply import Reply
from outbox import Claimed, OutboxKind, Permanent, Transient
from outbox.payload import reply_payload
from outbox.telegram import TelegramTransport


class Failing(BaseRequest):
    def __init__(self, error: Exception) -> None:
        self.error = error

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        raise self.error


MESSAGE = Claimed(1, "token", 42, "send", None, {"text": "Paid, thank you", "buttons": []}, 1)


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (TimedOut("read timed out"), Transient),  # Telegram may not have posted it: again
        (NetworkError("502 Bad Gateway"), Transient),
        (Forbidden("bot was blocked by the user"), Permanent),
        (BadRequest("chat not found"), Permanent),
    ],
)
async def test_only_what_telegram_calls_permanent_is_given_up(
    error: Exception, outcome: type[Exception]
) -> None:
    bot = Bot("123456:test-token-not-for-telegram-0000", request=Failing(error))

    with pytest.raises(outcome):
        await TelegramTransport(bot).deliver(MESSAGE)


async def test_an_edit_of_a_message_that_is_gone_is_sent_as_a_new_message() -> None:
    """As the handlers do: the buyer still sees the reply, below, rather than nothing."""
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN)
        ana = standin.user("Ana")
        await ana.send("/start")  # a private chat exists once its user wrote to the bot
        async with Bot(DEMO_TOKEN, base_url=f"{standin.api_url}/bot") as bot:
            edit = Claimed(2, "token", ana.id, OutboxKind.EDIT.value, 999_999,
                           {"text": "Step 2 of 7", "buttons": []}, 1)  # fmt: skip

            message_id = await TelegramTransport(bot).deliver(edit)

        [shown] = ana.chat.bot_messages
        assert shown.text == "Step 2 of 7" and message_id == shown.id


async def test_a_share_my_phone_keyboard_survives_the_outbox() -> None:
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN)
        ana = standin.user("Ana")
        await ana.send("/start")  # a private chat exists once its user wrote to the bot
        reply = Reply("Which phone number can the courier call?", contact_request="Share")
        message = Claimed(3, "token", ana.id, OutboxKind.SEND.value, None,
                          reply_payload(reply), 1)  # fmt: skip
        async with Bot(DEMO_TOKEN, base_url=f"{standin.api_url}/bot") as bot:
            await TelegramTransport(bot).deliver(message)

        [shown] = ana.chat.bot_messages
        assert shown.reply_keyboard == [["Share"]] and ana.chat.reply_keyboard == [["Share"]]
