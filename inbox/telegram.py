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
from inbox.store import (
    Leased,
    Received,
    claim,
    finish,
    forget_done,
    renew,
    store,
    store_leasing,
)

log = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
DEFAULT_LEASE = timedelta(seconds=10)
KEEP_DONE = timedelta(days=2)  # Telegram keeps undelivered updates for 24 hours
MAX_ATTEMPTS = 5  # an update whose worker died this often is skipped, not retried forever
# An update that wrote nothing is marked done in this worker's next transaction (storing the
# next update, usually), or after this long: not in a transaction of its own. A crash meanwhile
# only means that reading update is answered again once its lease runs out.
FINISH_WITHIN = 0.5


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
    """Stores `updates` (committed when this returns); this worker's dispatcher, when running,
    leases what it can take of them in that same transaction."""
    dispatcher = getattr(application.bot_data, "inbox", None)
    if isinstance(dispatcher, InboxDispatcher) and dispatcher.accepting:
        return await dispatcher.receive(sessions, list(updates))
    async with sessions() as session, session.begin():
        return await store(session, updates, now=utcnow())


@dataclass(eq=False)
class InboxDispatcher:
    application: AnyApplication
    sessions: Sessions
    lease: timedelta = DEFAULT_LEASE
    concurrency: int = 64
    poll_seconds: float = 0.5
    finish_within: float = FINISH_WITHIN
    worker: str | None = None  # the worker's stable name (`CHATSHOP_WORKER_NAME`), if any
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _busy: dict[int, Leased] = field(default_factory=dict, init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    # Chats with an update stored here while an earlier one of theirs was in hand: when that
    # one is done, the next is claimed at once (others' arrivals are found by the idle poll).
    _waiting: set[int | None] = field(default_factory=set, init=False)
    _full: bool = field(default=False, init=False)  # a claim took all it could: maybe more wait
    _owed: dict[int, Leased] = field(default_factory=dict, init=False)  # handled, not marked done
    _finisher: asyncio.Task[None] | None = field(default=None, init=False)
    accepting: bool = field(default=False, init=False)  # running: `receive` may lease for it

    def wake(self) -> None:
        self._wake.set()

    async def receive(self, sessions: Sessions, updates: list[Received]) -> int:
        """Stores `updates` and leases, in the same transaction, those this worker can take now
        (one per chat, in order): one transaction per update received, not two."""
        free = self.concurrency - len(self._busy)
        owed = self._take_owed()
        try:
            async with sessions() as session, session.begin():
                now = utcnow()
                await self._mark_done(session, owed, now)  # first: a chat's next may follow
                new, batch = await store_leasing(
                    session, updates, now=now, lease=self.lease, limit=free, worker=self.worker
                )
        except BaseException:
            self._owe(owed)
            raise
        self._start(batch)
        leased = {leased.update_id for leased in batch}
        left = [r.chat_key for r in updates if r.update_id not in leased]
        if left:
            busy_chats = {leased.chat_key for leased in self._busy.values()}
            self._waiting.update(chat for chat in left if chat in busy_chats)
            if len(batch) >= free or not self._waiting.issuperset(left):
                self.wake()  # not all of them wait behind this worker's own work
        return len(new)

    async def run(self, stop: asyncio.Event) -> None:
        """Claims and processes until `stop`; the updates in hand are finished first."""
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        rounds = 0
        self.accepting = True
        try:
            while not stop.is_set():
                self._wake.clear()
                taken = 0
                free = self.concurrency - len(self._busy)
                self._full = free <= 0
                if free > 0:
                    try:
                        taken = await self._claim(free)
                    except Exception:
                        log.exception("inbox: claiming updates failed")
                rounds += 1
                if rounds % 2000 == 1:
                    await self._forget_old()
                if taken >= free > 0:
                    self._full = True
                    continue  # there may be more than it could take
                await self._wait(stop)
            self.accepting = False
            if self._tasks:
                await asyncio.wait(set(self._tasks))
            await self._finish_owed()
        finally:
            self.accepting = False
            if self._finisher is not None:
                self._finisher.cancel()
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _wait(self, stop: asyncio.Event) -> None:
        await wait_for_wake(self._wake, stop, seconds=self.poll_seconds)

    async def _claim(self, limit: int) -> int:
        async with self.sessions() as session, session.begin():
            batch = await claim(
                session,
                now=utcnow(),
                lease=self.lease,
                limit=limit,
                busy=self._busy.keys(),
                worker=self.worker,
            )
        self._start(batch)
        return len(batch)

    def _start(self, batch: list[Leased]) -> None:
        for leased in batch:
            self._busy[leased.update_id] = leased
            task = asyncio.create_task(self._process(leased))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _process(self, leased: Leased) -> None:
        try:
            done = False
            if leased.attempts > MAX_ATTEMPTS:  # it took down every worker that tried it
                log.error("inbox: update %d given up after %d attempts", leased.update_id,
                          leased.attempts - 1)  # fmt: skip
            else:
                done = await self._handle(leased)
        except Exception:
            # Left processing: it is claimed again when its lease runs out.
            log.exception("inbox: update %d could not be processed", leased.update_id)
            self._busy.pop(leased.update_id, None)
            return
        self._busy.pop(leased.update_id, None)
        waiting = leased.chat_key in self._waiting
        self._waiting.discard(leased.chat_key)
        if done:  # a transaction of its own work carried the done mark
            if waiting or self._full:
                self.wake()  # the chat's next update (or others) wait for this worker
            return
        self._owe([leased])
        if waiting or self._full or not self.accepting:
            await self._finish_owed()  # someone waits for it: now, not in a while
        elif self._finisher is None or self._finisher.done():
            self._finisher = asyncio.create_task(self._finish_owed_soon())

    def _owe(self, owed: list[Leased]) -> None:
        self._owed.update((leased.update_id, leased) for leased in owed)

    def _take_owed(self) -> list[Leased]:
        owed = list(self._owed.values())
        self._owed.clear()
        return owed

    async def _mark_done(self, session: AsyncSession, owed: list[Leased], now: Any) -> None:
        for leased in owed:
            if not await finish(session, leased, now=now):
                log.warning("inbox: update %d was taken over before it finished",
                            leased.update_id)  # fmt: skip

    async def _finish_owed_soon(self) -> None:
        await asyncio.sleep(self.finish_within)
        await self._finish_owed()

    async def _finish_owed(self) -> None:
        """Marks the owed updates done and, in the same transaction, claims what that frees up
        (a chat's next update, wherever it was stored)."""
        owed = self._take_owed()
        if not owed:
            return
        free = self.concurrency - len(self._busy)
        try:
            async with self.sessions() as session, session.begin():
                now = utcnow()
                await self._mark_done(session, owed, now)
                batch: list[Leased] = []
                if self.accepting and free > 0:
                    batch = await claim(
                        session,
                        now=now,
                        lease=self.lease,
                        limit=free,
                        busy=self._busy.keys(),
                        worker=self.worker,
                    )
        except Exception:
            self._owe(owed)  # their leases are still renewed: tried again with the next ones
            log.exception("inbox: marking %d update(s) done failed", len(owed))
            return
        self._start(batch)
        if free > 0 and len(batch) >= free:
            self._full = True
            self.wake()

    async def _handle(self, leased: Leased) -> bool:
        """Processes the update; True when a transaction of it committed its done mark."""
        try:
            update = Update.de_json(leased.payload, self.application.bot)
        except Exception:
            log.exception("inbox: update %d is unreadable; skipped", leased.update_id)
            return False
        with processing(leased) as progress:
            # The Application's own per-chat lock orders it with payment events in-process.
            await self.application.update_processor.process_update(
                update, self.application.process_update(update)
            )
        return progress.done

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        while not stop.is_set() or self._busy or self._owed:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            held = [*self._busy.values(), *self._owed.values()]
            tokens = [leased.token for leased in held]
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


def start_inbox(
    application: AnyApplication, *, sessions: Sessions | None = None, worker: str | None = None
) -> RunningInbox:
    """Starts processing stored updates in the background; `stop_inbox` ends it. `worker`: the
    worker's stable name, which starts its claim tokens."""
    if sessions is None:
        services = application.bot_data.services
        assert services is not None, "no sessions given and no services in bot_data"
        sessions = services.sessions
    dispatcher = InboxDispatcher(application, sessions, worker=worker)
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
