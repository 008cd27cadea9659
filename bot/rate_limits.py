"""PTB's rate limiter shared by every worker of a deployment, through the database.

Before each call that posts into a chat, a slot is taken in the deployment-wide windows of
`outbox.limits` (30 per second for the bot, 20 per minute per group); a 429 one worker gets
pauses all of them for Telegram's `retry_after`. PTB's `AIORateLimiter` still retries the 429
itself. With SQLite (one process) the plain `AIORateLimiter` does all of it in memory.
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
from outbox.limits import acquire, forget_windows, pause, paused_until

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
            await self._take("bot", 1.0, self.per_second, mind_pause=True)
            if isinstance(chat_id, str) or int(chat_id) < 0:
                await self._take(f"g{chat_id}"[:32], 60.0, self.group_per_minute)

        async def call(*a: Any, **k: Any) -> bool | dict[str, Any] | list[dict[str, Any]]:
            try:
                return await callback(*a, **k)
            except RetryAfter as error:
                await self._pause_everyone(error.retry_after)
                raise

        return await self.inner.process_request(call, args, kwargs, endpoint, data, rate_limit_args)

    async def _take(self, key: str, period: float, limit: int, *, mind_pause: bool = False) -> None:
        """A slot of `key`; with `mind_pause`, first waits out a deployment-wide pause, read in
        the same transaction (one per message, not two)."""
        while True:
            now = time.time()
            window = int(now // period)
            paused = 0.0
            # A slot taken is no effect of the update: it must not mark it done (inbox.fence).
            with replay_safe():
                async with self.sessions() as session, session.begin():
                    if mind_pause:
                        paused = await paused_until(session) / 1000 - now
                    taken = paused <= 0 and await acquire(
                        session, key=key, window=window, limit=limit
                    )
                    if taken and random.random() < 0.002:  # now and then, drop old windows
                        await forget_windows(session, key=key, before=window - 10)
            if paused > 0:
                await asyncio.sleep(paused)
                continue
            end = (window + 1) * period
            if taken and time.time() < end:
                return
            # Full, or the slot's window passed while the database answered (a slow commit):
            # a slot of the window the message really goes out in is needed.
            await asyncio.sleep(max(0.0, end - time.time()) if not taken else 0)

    async def _pause_everyone(self, retry_after: Any) -> None:
        seconds = (
            retry_after.total_seconds()
            if hasattr(retry_after, "total_seconds")
            else float(retry_after)
        )
        try:
            with replay_safe():
                async with self.sessions() as session, session.begin():
                    await pause(session, until_ms=int((time.time() + seconds) * 1000))
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
