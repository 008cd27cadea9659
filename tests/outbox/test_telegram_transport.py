"""The Telegram transport: what is retried, what is given up (at least once, never lost)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.request import BaseRequest

from outbox import Claimed, Permanent, Transient
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
