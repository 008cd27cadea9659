"""The outbox's Telegram side: a transport over PTB's bot, and the sender's start and stop.

The only module of `outbox/` that imports PTB. The bot's `AIORateLimiter` keeps sends under
Telegram's global and per-chat limits and waits out short 429s itself; a 429 it gives up on
arrives here as `RetryAfter` and the row waits `retry_after` seconds in the database instead.

Delivery is at least once: a timeout is retried with backoff whether or not the request left
(a paid order's notice must arrive), so the one message in flight to a chat may arrive twice
when Telegram posted it but its answer was lost. Only what Telegram calls permanent (blocked,
chat gone, a bad request) is given up.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application

from outbox.claims import Claimed
from outbox.models import OutboxKind
from outbox.payload import reply_from_payload
from outbox.sender import OutboxSender, Permanent, RetryLater, Sessions, Transient

log = logging.getLogger(__name__)

BOT_DATA_KEY = "outbox_sender"
# Short: renewed every third of it while sending, so a killed worker's rows return within it.
DEFAULT_LEASE_SECONDS = 15
# Failures that prove the request never reached Telegram (no duplicate possible).
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _markup(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    reply = reply_from_payload(payload)
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.action)
                for b in row
            ]
            for row in reply.buttons
        ]
    )


@dataclass
class TelegramTransport:
    bot: Bot

    async def deliver(self, message: Claimed) -> int | None:
        text, markup = str(message.payload["text"]), _markup(message.payload)
        try:
            if message.kind == OutboxKind.EDIT.value:
                assert message.edit_message_id is not None
                result = await self.bot.edit_message_text(
                    text,
                    chat_id=message.chat_id,
                    message_id=message.edit_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                return result.message_id if isinstance(result, Message) else None
            sent = await self.bot.send_message(
                message.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
            return sent.message_id
        except RetryAfter as error:
            retry = error.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            raise RetryLater(seconds, f"retry after {seconds:g} s") from error
        except BadRequest as error:
            if message.kind == OutboxKind.EDIT.value and "not modified" in error.message:
                return message.edit_message_id  # it already shows exactly this
            raise Permanent(f"bad request: {error.message}") from error
        except (Forbidden, ChatMigrated) as error:
            raise Permanent(f"{type(error).__name__}: {error.message}") from error
        except TimedOut as error:
            if isinstance(error.__cause__, _NOT_SENT):
                raise Transient(f"timed out connecting: {error.message}") from error
            raise Transient(f"timed out, delivery unknown: {error.message}") from error
        except NetworkError as error:  # 5xx, a dropped connection
            raise Transient(f"network: {error.message}") from error
        except TelegramError as error:
            raise Transient(f"{type(error).__name__}: {error.message}") from error


@dataclass
class RunningSender:
    sender: OutboxSender
    stop_event: asyncio.Event
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.stop_event.set()
        self.sender.wake()
        await asyncio.wait([self.task])


def start_outbox_sender(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    sessions: Sessions | None = None,
    poll_seconds: float = 1.0,
) -> RunningSender:
    """Starts delivering owed messages in the background (call from `post_init` or after
    `application.initialize()`); `stop_outbox_sender` ends it. Sessions default to the
    services' own."""
    if sessions is None:
        sessions = application.bot_data["services"].sessions
    sender = OutboxSender(
        sessions,
        TelegramTransport(application.bot),
        lease=timedelta(seconds=DEFAULT_LEASE_SECONDS),
        poll_seconds=poll_seconds,
    )
    stop = asyncio.Event()
    running = RunningSender(sender, stop, asyncio.create_task(sender.run(stop)))
    application.bot_data[BOT_DATA_KEY] = running
    return running


async def stop_outbox_sender(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Ends the sender (from `post_stop`/`post_shutdown`); a claimed row's lease just expires."""
    running = application.bot_data.pop(BOT_DATA_KEY, None)
    if isinstance(running, RunningSender):
        await running.stop()


async def deliver_owed(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """After committing something that enqueued: the running sender is woken; without one (a
    harness that never started it) rounds are run here until nothing is due. Claims keep the two
    from ever sending the same row; whatever fails here waits in the outbox for the next round."""
    running = application.bot_data.get(BOT_DATA_KEY)
    if isinstance(running, RunningSender):
        running.sender.wake()
        return
    services = application.bot_data.get("services")
    if services is None:
        return
    sender = OutboxSender(
        services.sessions,
        TelegramTransport(application.bot),
        lease=timedelta(seconds=DEFAULT_LEASE_SECONDS),
    )
    try:
        for _ in range(20):  # one message per chat per round: a few rounds for a few messages
            if not await sender.run_once():
                break
    except Exception:
        log.exception("delivering owed messages failed; they stay in the outbox")
