"""The inbox's Telegram side: updates stored as they arrive, then processed by leased claims.

- `InboxDispatcher` (one per worker, started by `bot.runner.running`) claims stored updates,
  processes each through the PTB Application under the per-chat lock (`bot.processor`) and
  the fence (`inbox.fence`), and renews its leases every `lease / 3` while it works.
- `receive` stores updates before they are acknowledged: the webhook answers 200 only after
  it returns, the poller (`poll_updates`) moves getUpdates' offset past them only after it.
The only module of `inbox/` that imports PTB.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TimedOut
from telegram.ext import Application

from db import utcnow
from db.leases import wait_for_wake
from inbox.fence import processing
from inbox.store import Leased, Received, claim, finish, forget_done, renew, store

log = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
DEFAULT_LEASE = timedelta(seconds=10)
KEEP_DONE = timedelta(days=2)  # Telegram keeps undelivered updates for 24 hours
MAX_ATTEMPTS = 5  # an update whose worker died this often is skipped, not retried forever


def ordering_key(update: object) -> int | None:
    """The chat (or, for inline queries, the user) whose updates must not overtake each other."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
        return None
    return getattr(update, "ordering_key", None)


def received(update: Update, payload: dict[str, Any] | None = None) -> Received:
    return Received(update.update_id, ordering_key(update), payload or update.to_dict())


async def receive(
    application: AnyApplication, sessions: Sessions, updates: Iterable[Received]
) -> int:
    """Stores `updates` (committed when this returns) and wakes the dispatcher."""
    async with sessions() as session, session.begin():
        new = await store(session, updates, now=utcnow())
    dispatcher = getattr(application.bot_data, "inbox", None)
    if isinstance(dispatcher, InboxDispatcher):
        dispatcher.wake()
    return new


@dataclass(eq=False)
class InboxDispatcher:
    application: AnyApplication
    sessions: Sessions
    lease: timedelta = DEFAULT_LEASE
    concurrency: int = 64
    poll_seconds: float = 0.5
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _busy: dict[int, Leased] = field(default_factory=dict, init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Claims and processes until `stop`; the updates in hand are finished first."""
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        rounds = 0
        try:
            while not stop.is_set():
                self._wake.clear()
                taken = 0
                free = self.concurrency - len(self._busy)
                if free > 0:
                    try:
                        taken = await self._claim(free)
                    except Exception:
                        log.exception("inbox: claiming updates failed")
                rounds += 1
                if rounds % 2000 == 1:
                    await self._forget_old()
                if taken:
                    continue
                await self._wait(stop)
            if self._tasks:
                await asyncio.wait(set(self._tasks))
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _wait(self, stop: asyncio.Event) -> None:
        await wait_for_wake(self._wake, stop, seconds=self.poll_seconds)

    async def _claim(self, limit: int) -> int:
        async with self.sessions() as session, session.begin():
            batch = await claim(
                session, now=utcnow(), lease=self.lease, limit=limit, busy=self._busy.keys()
            )
        for leased in batch:
            self._busy[leased.update_id] = leased
            task = asyncio.create_task(self._process(leased))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(batch)

    async def _process(self, leased: Leased) -> None:
        try:
            if leased.attempts > MAX_ATTEMPTS:  # it took down every worker that tried it
                log.error("inbox: update %d given up after %d attempts", leased.update_id,
                          leased.attempts - 1)  # fmt: skip
            else:
                await self._handle(leased)
            async with self.sessions() as session, session.begin():
                if not await finish(session, leased, now=utcnow()):
                    log.warning("inbox: update %d was taken over before it finished",
                                leased.update_id)  # fmt: skip
        except Exception:
            # Left processing: it is claimed again when its lease runs out.
            log.exception("inbox: update %d could not be processed", leased.update_id)
        finally:
            self._busy.pop(leased.update_id, None)
            self.wake()  # the chat's next update may be waiting

    async def _handle(self, leased: Leased) -> None:
        try:
            update = Update.de_json(leased.payload, self.application.bot)
        except Exception:
            log.exception("inbox: update %d is unreadable; skipped", leased.update_id)
            return
        with processing(leased):
            # The Application's own per-chat lock orders it with payment events in-process.
            await self.application.update_processor.process_update(
                update, self.application.process_update(update)
            )

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        while not stop.is_set() or self._busy:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            tokens = [leased.token for leased in self._busy.values()]
            if not tokens:
                continue
            try:
                async with self.sessions() as session, session.begin():
                    await renew(session, tokens, now=utcnow(), lease=self.lease)
            except Exception:
                log.exception("inbox: renewing leases failed")

    async def _forget_old(self) -> None:
        try:
            async with self.sessions() as session, session.begin():
                await forget_done(session, before=utcnow() - KEEP_DONE)
        except Exception:
            log.exception("inbox: forgetting old updates failed")


@dataclass
class RunningInbox:
    dispatcher: InboxDispatcher
    stop_event: asyncio.Event
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.stop_event.set()
        self.dispatcher.wake()
        await asyncio.wait([self.task])


def start_inbox(application: AnyApplication, *, sessions: Sessions | None = None) -> RunningInbox:
    """Starts processing stored updates in the background; `stop_inbox` ends it."""
    if sessions is None:
        services = application.bot_data.services
        assert services is not None, "no sessions given and no services in bot_data"
        sessions = services.sessions
    dispatcher = InboxDispatcher(application, sessions)
    stop = asyncio.Event()
    running = RunningInbox(dispatcher, stop, asyncio.create_task(dispatcher.run(stop)))
    application.bot_data.inbox = dispatcher
    return running


async def poll_updates(
    application: AnyApplication, sessions: Sessions, stop: asyncio.Event, *, wait: int = 10
) -> None:
    """Long polling that stores before it acknowledges: getUpdates' offset moves past an update
    only after the update is committed to the inbox, so a crash in between re-reads it."""
    bot = application.bot
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    pause = 0.1
    while not stop.is_set():
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=wait, allowed_updates=Update.ALL_TYPES
            )
        except InvalidToken:
            raise
        except (TimedOut, NetworkError, Conflict) as error:
            log.warning("getUpdates failed (%s); retrying", type(error).__name__)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)
            continue
        pause = 0.1
        if not updates:
            continue
        while True:
            try:
                await receive(application, sessions, [received(u) for u in updates])
                break
            except Exception:
                log.exception("inbox: storing %d update(s) failed; retrying", len(updates))
                await asyncio.sleep(1)
        offset = max(u.update_id for u in updates) + 1
