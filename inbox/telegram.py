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
from collections import Counter, deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TimedOut
from telegram.ext import Application

from db import utcnow
from db.leases import new_claim_token, wait_for_wake
from inbox.fence import OwedMarks, Progress, processing
from inbox.store import (
    Leased,
    Received,
    claim,
    finish_all_statement,
    forget_done,
    handled_statement,
    release_own,
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
ACK_WITHIN = 0.05


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


class RecentIds:
    """The last `size` ids added, for `in`."""

    def __init__(self, size: int = 4096) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()
        self._size = size

    def __contains__(self, update_id: object) -> bool:
        return update_id in self._ids

    def add(self, update_id: int) -> None:
        if update_id in self._ids:
            return
        self._order.append(update_id)
        self._ids.add(update_id)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())


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
    # Updates lately taken as they arrived: one delivered again (Telegram did not hear our 200)
    # is stored, found there, and not handled twice, even where handling it reads nothing.
    _recent: RecentIds = field(default_factory=RecentIds, init=False)
    # Telegram hears "got it" for an update taken as it arrived once it is stored: by the first
    # commit of its handling if that comes within this long, else by a transaction of its own.
    ack_within: float = ACK_WITHIN
    _landing: dict[int, asyncio.Future[bool]] = field(default_factory=dict, init=False)
    _progress: dict[int, Progress] = field(default_factory=dict, init=False)
    _stored_early: set[int] = field(default_factory=set, init=False)

    def wake(self) -> None:
        self._wake.set()

    async def receive(self, sessions: Sessions, updates: list[Received]) -> int:
        """Takes what it can of `updates` as they are (within its concurrency, one per chat not
        in hand): each is handled at once and stored by the first commit of its handling
        (`inbox.fence`), with no transaction of its own. The others are stored in one
        transaction, and leased where they are next in their chat. Returns, with how many were
        new, once every one is stored: only then may Telegram hear "got it"."""
        free = self.concurrency - len(self._busy)
        in_hand = {leased.chat_key for leased in self._busy.values()}
        # A chat with more than one update here has them all stored (the first leased), in
        # order: one taken as it arrived would not be stored yet when the next is claimed.
        several = {chat for chat, n in Counter(r.chat_key for r in updates).items() if n > 1}
        taken: list[Received] = []
        rest: list[Received] = []
        for received in updates:
            chat = received.chat_key
            seen = received.update_id in self._recent  # redelivered: found stored, not handled
            if not seen and len(taken) < free and (chat is None or chat not in in_hand | several):
                taken.append(received)
                in_hand.add(chat)
            else:
                rest.append(received)
        landed = self._take_as_arrived(taken)
        new = 0
        if rest:
            new = await self._store(sessions, rest, free=free - len(taken), hold=in_hand)
        if landed:
            futures = [future for _, future in landed]
            _, waiting = await asyncio.wait(futures, timeout=self.ack_within)
            if waiting:  # slow to commit (a long search): Telegram does not wait for them
                slow = [leased for leased, future in landed if future in waiting]
                await self._store_taken(sessions, slow)
            new += sum(await asyncio.gather(*futures))
        return new

    def _take_as_arrived(
        self, updates: list[Received]
    ) -> list[tuple[Leased, asyncio.Future[bool]]]:
        token = new_claim_token(self.worker)  # one per batch, as a claim's
        landed: list[tuple[Leased, asyncio.Future[bool]]] = []
        for received in updates:
            self._recent.add(received.update_id)
            leased = Leased(received.update_id, token, received.chat_key, received.payload, 1,
                            stored=False)  # fmt: skip
            landed.append((leased, asyncio.get_running_loop().create_future()))
            self._start([leased], landed[-1][1])
        return landed

    async def _store_taken(self, sessions: Sessions, taken: list[Leased]) -> None:
        """Stores updates taken as they arrived whose handling has not committed yet, leased to
        this worker as they are. Their handling carries on: its first transaction still checks
        their turn (one that must wait is put back to pending), and its first commit finds the
        row its own."""
        stored: list[Leased] = []
        async with sessions() as session, session.begin():
            now = utcnow()
            for leased in taken:
                statement = handled_statement(
                    session.sync_session, leased, done=False, now=now, lease=self.lease,
                    in_turn=False, replace_own=False,
                )  # fmt: skip
                if (await session.execute(statement)).first() is not None:
                    stored.append(leased)
        for leased in stored:
            self._stored_early.add(leased.update_id)
            progress = self._progress.get(leased.update_id)
            if progress is not None:
                progress.stored = True
            landed = self._landing.get(leased.update_id)
            if landed is not None and not landed.done():
                landed.set_result(True)

    async def _store(
        self, sessions: Sessions, updates: list[Received], *, free: int,
        hold: Collection[int | None],
    ) -> int:  # fmt: skip
        owed = self._take_owed()
        try:
            async with sessions() as session, session.begin():
                now = utcnow()
                await self._mark_done(session, owed, now)  # first: a chat's next may follow
                new, batch = await store_leasing(
                    session, updates, now=now, lease=self.lease, limit=free, worker=self.worker,
                    hold=hold,
                )  # fmt: skip
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

    def _start(self, batch: list[Leased], landed: asyncio.Future[bool] | None = None) -> None:
        for leased in batch:
            self._busy[leased.update_id] = leased
            if landed is not None:
                self._landing[leased.update_id] = landed
            task = asyncio.create_task(self._process(leased, landed))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _process(self, leased: Leased, landed: asyncio.Future[bool] | None) -> None:
        progress: Progress | None = None
        try:
            if leased.attempts > MAX_ATTEMPTS:  # it took down every worker that tried it
                log.error("inbox: update %d given up after %d attempts", leased.update_id,
                          leased.attempts - 1)  # fmt: skip
            else:
                progress = await self._handle(leased, landed)
        except Exception:
            log.exception("inbox: update %d could not be processed", leased.update_id)
            if landed is None:  # left processing: claimed again when its lease runs out
                self._busy.pop(leased.update_id, None)
                self._progress.pop(leased.update_id, None)
                return
        done = progress is not None and progress.done
        waits = progress is not None and progress.waits
        if landed is not None and (not landed.done() or waits):
            done = await self._land(leased, progress, landed)
        self._busy.pop(leased.update_id, None)
        self._landing.pop(leased.update_id, None)
        self._progress.pop(leased.update_id, None)
        self._stored_early.discard(leased.update_id)
        waiting = leased.chat_key in self._waiting
        self._waiting.discard(leased.chat_key)
        if progress is not None and progress.waits:  # stored to wait: claimed in its turn
            self.wake()
            return
        if done:  # a transaction of its own work carried the done mark (or it was stored done)
            if waiting or self._full:
                self.wake()  # the chat's next update (or others) wait for this worker
            return
        self._owe([leased])
        if waiting or self._full or not self.accepting:
            await self._finish_owed()  # someone waits for it: now, not in a while
        elif self._finisher is None or self._finisher.done():
            self._finisher = asyncio.create_task(self._finish_owed_soon())

    async def _land(
        self, leased: Leased, progress: Progress | None, landed: asyncio.Future[bool]
    ) -> bool:
        """Stores an update taken as it arrived that its handling did not store: to wait its
        turn when it would have overtaken an older one, else (answered without committing
        anything, or not handled at all) as done; whether it is done."""
        try:
            async with self.sessions() as session, session.begin():
                now = utcnow()
                if progress is not None and progress.waits:
                    received = Received(leased.update_id, leased.chat_key, leased.payload)
                    new, _ = await store_leasing(
                        session, [received], now=now, lease=self.lease, limit=0
                    )
                    await release_own(session, leased)  # stored by `_store_taken` meanwhile
                    stored = bool(new)
                else:
                    statement = handled_statement(
                        session.sync_session, leased, done=True, now=now, lease=self.lease,
                        in_turn=False,
                    )  # fmt: skip
                    stored = (await session.execute(statement)).first() is not None
        except Exception as error:
            log.exception("inbox: update %d could not be stored", leased.update_id)
            if not landed.done():
                landed.set_exception(error)
            return True  # nothing of it is stored: Telegram delivers it again
        if not landed.done():
            landed.set_result(stored)
        return not (progress is not None and progress.waits)

    def _owe(self, owed: list[Leased]) -> None:
        self._owed.update((leased.update_id, leased) for leased in owed)

    def _take_owed(self) -> list[Leased]:
        owed = list(self._owed.values())
        self._owed.clear()
        return owed

    async def _mark_done(self, session: AsyncSession, owed: list[Leased], now: Any) -> None:
        if not owed:
            return
        marked = set((await session.execute(finish_all_statement(owed, now))).scalars())
        for leased in owed:
            if leased.update_id not in marked:
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

    async def _handle(self, leased: Leased, landed: asyncio.Future[bool] | None) -> Progress | None:
        """Processes the update; its progress (None when it could not be read)."""
        try:
            update = Update.de_json(leased.payload, self.application.bot)
        except Exception:
            log.exception("inbox: update %d is unreadable; skipped", leased.update_id)
            return None

        def on_stored() -> None:
            if landed is not None and not landed.done():
                landed.set_result(True)

        owed = OwedMarks(self._take_owed, self._owe)
        stored = leased.update_id in self._stored_early
        with processing(
            leased, lease=self.lease, on_stored=on_stored, owed=owed, stored=stored
        ) as progress:
            self._progress[leased.update_id] = progress
            try:
                # The Application's own per-chat lock orders it with payment events in-process.
                await self.application.update_processor.process_update(
                    update, self.application.process_update(update)
                )
            except Exception:
                if leased.stored or progress.stored:
                    raise  # left processing: claimed again when its lease runs out
                if not progress.waits:
                    log.exception("inbox: update %d could not be processed", leased.update_id)
        return progress

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
