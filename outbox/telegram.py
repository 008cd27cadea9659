"""The outbox's Telegram side: a transport over PTB's bot, and the sender's start and stop.

The only module of `outbox/` that imports PTB, and the one place a `Reply`'s buttons and
keyboards become Telegram markup (`keyboard`, `markup`, also used by `handlers.render`). The
bot's `AIORateLimiter` keeps sends under Telegram's global and per-chat limits and waits out
short 429s itself; a 429 it gives up on arrives here as `RetryAfter` and the row waits
`retry_after` seconds in the database instead. An edit of a message that is gone is sent as a
new message, as the handlers do.

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
from typing import Any, Protocol

import httpx
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
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

from conversation.reply import Button, Reply
from outbox.claims import Claimed
from outbox.models import OutboxKind
from outbox.payload import reply_from_payload
from outbox.sender import (
    DeadLetterHook,
    OutboxSender,
    Permanent,
    RetryLater,
    Sessions,
    Transient,
)

log = logging.getLogger(__name__)

# Short: renewed every third of it while sending, so a killed worker's rows return within it.
DEFAULT_LEASE_SECONDS = 15
# Failures that prove the request never reached Telegram (no duplicate possible).
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Telegram's answers to an edit of a message that cannot be edited any more.
_EDIT_GONE = ("message to edit not found", "message can't be edited")


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The inline buttons of `reply` as Telegram markup: the one renderer, also used by
    `handlers.render` for what the handlers send directly."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in reply.buttons])


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


def markup(reply: Reply) -> Markup | None:
    """The one markup a Telegram message can carry: inline buttons win over a reply keyboard."""
    if reply.buttons:
        return keyboard(reply)
    if reply.contact_request:
        return ReplyKeyboardMarkup(
            [[KeyboardButton(reply.contact_request, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    if reply.force_reply:
        return ForceReply(
            selective=reply.force_reply_selective or None,
            input_field_placeholder=reply.force_reply_placeholder,
        )
    return None


def _button(button: Button) -> InlineKeyboardButton:
    if button.url:
        return InlineKeyboardButton(button.text, url=button.url)
    if button.switch_inline_query is not None:
        return InlineKeyboardButton(
            button.text, switch_inline_query_current_chat=button.switch_inline_query
        )
    return InlineKeyboardButton(button.text, callback_data=button.action)


@dataclass
class TelegramTransport:
    bot: Bot

    async def deliver(self, message: Claimed) -> int | None:
        reply = reply_from_payload(message.payload)
        try:
            if message.kind == OutboxKind.EDIT.value:
                assert message.edit_message_id is not None
                edited = await self._edit(message, reply)
                if edited is not None:
                    return edited
            sent = await self.bot.send_message(
                message.chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=markup(reply)
            )
            return sent.message_id
        except RetryAfter as error:
            retry = error.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            raise RetryLater(seconds, f"retry after {seconds:g} s") from error
        except BadRequest as error:
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

    async def _edit(self, message: Claimed, reply: Reply) -> int | None:
        """The edit's message id; None when that message can no longer be edited (deleted, too
        old): the caller sends the reply as a new message, as `handlers.render.send` does."""
        try:
            result = await self.bot.edit_message_text(
                reply.text,
                chat_id=message.chat_id,
                message_id=message.edit_message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply),
            )
        except BadRequest as error:
            if "not modified" in error.message:
                return message.edit_message_id  # it already shows exactly this
            if any(reason in error.message.lower() for reason in _EDIT_GONE):
                return None
            raise
        return result.message_id if isinstance(result, Message) else message.edit_message_id


class _HasSessions(Protocol):
    @property
    def sessions(self) -> Sessions: ...


class SenderHost(Protocol):
    """What the outbox reads and keeps in the Application's `bot_data` (`bot.context.ShopData`):
    the services' sessions, and the running sender."""

    @property
    def services(self) -> _HasSessions | None: ...

    outbox_sender: RunningSender | None
    # Told when a message is refused for good (`OutboxSender.on_dead_letter`); None: nobody.
    outbox_dead_letter: DeadLetterHook | None


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
    worker: str | None = None,
) -> RunningSender:
    """Starts delivering owed messages in the background (call from `post_init` or after
    `application.initialize()`); `stop_outbox_sender` ends it. Sessions default to the
    services' own; `worker`: the worker's stable name, which starts its claim tokens."""
    host: SenderHost = application.bot_data
    if sessions is None:
        assert host.services is not None, "no sessions given and no services in bot_data"
        sessions = host.services.sessions
    sender = OutboxSender(
        sessions,
        TelegramTransport(application.bot),
        lease=timedelta(seconds=DEFAULT_LEASE_SECONDS),
        poll_seconds=poll_seconds,
        on_dead_letter=host.outbox_dead_letter,
        worker=worker,
    )
    stop = asyncio.Event()
    running = RunningSender(sender, stop, asyncio.create_task(sender.run(stop)))
    host.outbox_sender = running
    return running


async def stop_outbox_sender(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Ends the sender (from `post_stop`/`post_shutdown`); a claimed row's lease just expires."""
    host: SenderHost = application.bot_data
    running, host.outbox_sender = host.outbox_sender, None
    if running is not None:
        await running.stop()


async def deliver_owed(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """After committing something that enqueued: the running sender is woken; without one (a
    harness that never started it) rounds are run here until nothing is due. Claims keep the two
    from ever sending the same row; whatever fails here waits in the outbox for the next round."""
    host: SenderHost = application.bot_data
    if host.outbox_sender is not None:
        host.outbox_sender.sender.wake()
        return
    if host.services is None:
        return
    sender = OutboxSender(
        host.services.sessions,
        TelegramTransport(application.bot),
        lease=timedelta(seconds=DEFAULT_LEASE_SECONDS),
        on_dead_letter=host.outbox_dead_letter,
    )
    try:
        for _ in range(20):  # one message per chat per round: a few rounds for a few messages
            if not await sender.run_once():
                break
    except Exception:
        log.exception("delivering owed messages failed; they stay in the outbox")
