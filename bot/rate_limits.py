"""PTB's rate limiter shared by every worker of a deployment, through the database.

Before each call that posts into a chat, a slot is taken in the deployment-wide windows of
`outbox.limits` (30 per second for the bot, 20 per minute per group); a 429 one worker gets
pauses all of them for Telegram's `retry_after`. PTB's `AIORateLimiter` still retries the 429
itself. With SQLite (one process) the plain `AIORateLimiter` does all of it in memory.

A busy worker takes the bot's slots a few at a time: as many as it sent in the previous second
(or so far in this one), up to a quarter of the limit. The slots it holds are its own for that
second only, so the deployment never sends more than the limit; at worst a worker whose load
just stopped leaves a few unused, and the others get a little less than 30 in that second. A
worker sending now and then takes one at a time, one statement each, as before.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.database import SessionFactory
from db.unit import release_parked
from inbox.fence import replay_safe
from outbox.limits import forget_windows, pause, take_slots

log = logging.getLogger(__name__)

BOT_PER_SECOND = 30
GROUP_PER_MINUTE = 20


class SharedRateLimiter(BaseRateLimiter[int]):
    def __init__(
        self,
        sessions: SessionFactory,
        *,
        per_second: int = BOT_PER_SECOND,
        group_per_minute: int = GROUP_PER_MINUTE,
        max_retries: int = 3,
    ) -> None:
        self.sessions = sessions
        self.per_second = per_second
        self.group_per_minute = group_per_minute
        # Only for its 429 retries: the limits themselves are the shared ones.
        self.inner = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
        self._held = (0, 0)  # (window, bot slots taken for it and not used yet)
        self._sent = (0, 0, 0)  # (window, bot slots used in it, in the one before)
        self._paused_until = 0.0  # as last read, in seconds
        self._refill = asyncio.Lock()

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if chat_id is not None:
            await self._take_bot_slot()
            if isinstance(chat_id, str) or int(chat_id) < 0:
                await self._take(f"g{chat_id}"[:32], 60.0, self.group_per_minute)

        async def call(*a: Any, **k: Any) -> bool | dict[str, Any] | list[dict[str, Any]]:
            try:
                return await callback(*a, **k)
            except RetryAfter as error:
                await self._pause_everyone(error.retry_after)
                raise

        return await self.inner.process_request(call, args, kwargs, endpoint, data, rate_limit_args)

    async def _take_bot_slot(self) -> None:
        """One of the bot's slots for this second: from those this worker holds, else from the
        database, with a few more for the messages that will follow it. One task at a time
        asks the database; the others then take from what it got."""
        while True:
            now = time.time()
            if now < self._paused_until:
                await asyncio.sleep(self._paused_until - now)
                continue
            if self._use_held():
                return
            async with self._refill:
                if self._use_held():  # another task refilled meanwhile
                    return
                window, taken = await self._take(
                    "bot", 1.0, self.per_second, count=self._batch(int(time.time()))
                )
                held_window, held = self._held
                self._held = (window, taken + (held if held_window == window else 0))

    def _use_held(self) -> bool:
        window = int(time.time())
        held_window, held = self._held
        if held_window != window or held <= 0:
            return False
        self._held = (window, held - 1)
        self._count_sent(window)
        return True

    def _batch(self, window: int) -> int:
        """As many as were sent in the previous second or so far in this one, within bounds."""
        sent_window, now, before = self._sent
        recent = (
            now if sent_window == window - 1 else max(now, before) if sent_window == window else 0
        )
        return max(1, min(recent, self.per_second // 4))

    def _count_sent(self, window: int) -> None:
        sent_window, now, _ = self._sent
        if sent_window == window:
            self._sent = (window, now + 1, self._sent[2])
        else:
            self._sent = (window, 1, now if sent_window == window - 1 else 0)

    async def _take(
        self, key: str, period: float, limit: int, *, count: int = 1
    ) -> tuple[int, int]:
        """`count` slots of `key` (a single one if the window has no room for that many), in
        the window the message really goes out in: (that window, how many). The
        deployment-wide pause is read by the same statement, and waited out."""
        while True:
            now = time.time()
            window = int(now // period)
            # A slot taken is no effect of the update: it must not mark it done (inbox.fence).
            with replay_safe():
                async with self.sessions() as session, session.begin():
                    slots = await take_slots(
                        session, key=key, window=window, limit=limit, count=count
                    )
                    if not slots.taken and count > 1:
                        count = 1
                        slots = await take_slots(session, key=key, window=window, limit=limit)
                    if slots.taken and random.random() < 0.002:  # now and then, drop old windows
                        await forget_windows(session, key=key, before=window - 10)
            self._paused_until = max(self._paused_until, slots.paused_until_ms / 1000)
            if time.time() < self._paused_until:
                await asyncio.sleep(self._paused_until - time.time())
                continue  # the slots taken went with the pause's windows
            end = (window + 1) * period
            if slots.taken and time.time() < end:
                return window, slots.taken
            # Full, or the slot's window passed while the database answered (a slow commit):
            # a slot of the window the message really goes out in is needed.
            await asyncio.sleep(max(0.0, end - time.time()) if not slots.taken else 0)

    async def _pause_everyone(self, retry_after: Any) -> None:
        seconds = (
            retry_after.total_seconds()
            if hasattr(retry_after, "total_seconds")
            else float(retry_after)
        )
        until = time.time() + seconds
        self._paused_until = max(self._paused_until, until)
        self._held = (0, 0)
        try:
            with replay_safe():
                async with self.sessions() as session, session.begin():
                    await pause(session, until_ms=int(until * 1000))
        except Exception:
            log.exception("could not share Telegram's flood wait with the other workers")


class ReleasingRateLimiter(BaseRateLimiter[Any]):
    """Every Bot API request passes here first: the handling update's parked read-only
    transaction (`db.unit`) ends before the bot waits on Telegram, never held across it."""

    def __init__(self, inner: BaseRateLimiter[Any]) -> None:
        self.inner = inner

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def process_request(self, *args: Any, **kwargs: Any) -> Any:
        await release_parked()
        return await self.inner.process_request(*args, **kwargs)


def rate_limiter_for(sessions: SessionFactory) -> BaseRateLimiter[Any]:
    """Shared through PostgreSQL when several workers may run; in memory on SQLite."""
    bind = sessions.kw.get("bind")
    if bind is not None and bind.dialect.name == "postgresql":
        return SharedRateLimiter(sessions)
    return AIORateLimiter(max_retries=3)
