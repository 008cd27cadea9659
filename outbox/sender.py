"""The sender: claims owed messages, hands them to a transport, records the outcome.

Channel-neutral: a `Transport` turns one message into a channel call and reports the outcome
by returning the message's id or raising `RetryLater` (the channel asked us to wait: Telegram's
429 `retry_after`), `Transient` (a 5xx, a network error: try again after an exponential backoff)
or `Permanent` (refused for good). `outbox.telegram` is the Telegram transport.

At most one message per chat is in flight (see `outbox.claims`), messages of different chats
go out concurrently. A message is recorded as sent in its own transaction right after the
channel accepted it. Leases are short and renewed every `lease / 3` while a round is sending,
so a killed sender's rows are claimed again within one lease. Delivery is at least once: a
message goes out twice only when the channel accepted it and then the sender died (or timed
out waiting for the answer) before recording it: at most the one message in flight per chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import utcnow
from db.leases import wait_for_wake
from outbox.claims import Claimed, claim, mark_failed, mark_retry, mark_sent, renew

log = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]


class DeliveryError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(DeliveryError):
    """The channel asked us to wait `seconds` (a flood limit): not the message's fault."""

    def __init__(self, seconds: float, reason: str = "flood limit") -> None:
        super().__init__(reason)
        self.seconds = seconds


class Transient(DeliveryError):
    """Worth retrying after a backoff: a 5xx, a timeout, a dropped connection."""


class Permanent(DeliveryError):
    """Will never work: the bot was blocked or removed, the message to edit is gone."""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message the channel refused for good, for whoever must hear of it."""

    chat_id: int
    order_number: str | None  # the order it was about, if any (`enqueue(order_number=...)`)
    reason: str


# Called in the transaction that marks the message failed (so it runs once): may owe messages.
DeadLetterHook = Callable[[AsyncSession, DeadLetter], Awaitable[None]]


class Transport(Protocol):
    async def deliver(self, message: Claimed) -> int | None:
        """Sends or edits; returns the channel's message id (None when it has none)."""
        ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential: `base` × 2^(attempt-1), at most `ceiling`, in seconds."""

    base: float = 2.0
    ceiling: float = 60.0  # a chat's later messages wait behind a retry at most this long

    def delay(self, attempt: int) -> timedelta:
        return timedelta(seconds=min(self.ceiling, self.base * 2 ** max(0, attempt - 1)))


@dataclass
class OutboxSender:
    sessions: Sessions
    transport: Transport
    lease: timedelta = timedelta(seconds=15)
    batch: int = 20
    max_attempts: int = 10
    backoff: Backoff = Backoff()
    poll_seconds: float = 1.0
    clock: Callable[[], datetime] = utcnow
    on_dead_letter: DeadLetterHook | None = None
    worker: str | None = None  # the worker's stable name (`CHATSHOP_WORKER_NAME`), if any

    def __post_init__(self) -> None:
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was just enqueued: look now rather than at the next poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """One round: claim a batch, deliver it, record each outcome; returns how many."""
        async with self.sessions() as session, session.begin():
            batch = await claim(
                session, now=self.clock(), lease=self.lease, limit=self.batch, worker=self.worker
            )
        if not batch:
            return 0
        heartbeat = asyncio.create_task(self._heartbeat({m.token for m in batch}))
        try:
            await asyncio.gather(*(self._deliver(message) for message in batch))
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        return len(batch)

    async def _heartbeat(self, tokens: set[str]) -> None:
        """Renews the round's leases every `lease / 3` until cancelled."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                async with self.sessions() as session, session.begin():
                    await renew(session, tokens, now=self.clock(), lease=self.lease)
            except Exception:
                log.exception("outbox: renewing leases failed")

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until `stop` is set; an error in one round is logged, the next one follows."""
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("outbox round failed")
                handled = 0
            if handled:
                continue  # more may be waiting
            self._wake.clear()
            await wait_for_wake(self._wake, stop, seconds=self.poll_seconds)

    async def _deliver(self, message: Claimed) -> None:
        try:
            message_id = await self.transport.deliver(message)
        except RetryLater as wait:
            await self._record_retry(message, timedelta(seconds=wait.seconds), wait.reason, False)
        except Permanent as refusal:
            log.warning("outbox %d to chat %d refused: %s", message.id, message.chat_id,
                        refusal.reason)  # fmt: skip
            await self._dead_letter(message, refusal.reason)
        except Exception as error:  # Transient, or a bug in the transport: back off
            reason = error.reason if isinstance(error, DeliveryError) else repr(error)
            if message.attempts >= self.max_attempts:
                log.error("outbox %d to chat %d: giving up after %d attempts: %s", message.id,
                          message.chat_id, message.attempts, reason)  # fmt: skip
                await self._record(mark_failed, message, error=reason)
            else:
                delay = self.backoff.delay(message.attempts)
                await self._record_retry(message, delay, reason, True)
        else:
            await self._record(mark_sent, message, message_id=message_id, now=self.clock())

    async def _dead_letter(self, message: Claimed, reason: str) -> None:
        """Failed for good; who must hear of it is owed in the same transaction."""
        async with self.sessions() as session, session.begin():
            held = await mark_failed(session, message, error=reason)
            if held and self.on_dead_letter is not None:
                dead = DeadLetter(message.chat_id, message.order_number, reason)
                await self.on_dead_letter(session, dead)
        if not held:
            log.error("outbox %d: the claim expired before its outcome was recorded", message.id)

    async def _record_retry(
        self, message: Claimed, delay: timedelta, reason: str, counts: bool
    ) -> None:
        at = self.clock() + delay
        await self._record(mark_retry, message, at=at, error=reason, counts_as_attempt=counts)

    async def _record(
        self, mark: Callable[..., Awaitable[bool]], message: Claimed, **values: object
    ) -> None:
        async with self.sessions() as session, session.begin():
            held = await mark(session, message, **values)
        if not held:
            log.error("outbox %d: the claim expired before its outcome was recorded", message.id)
