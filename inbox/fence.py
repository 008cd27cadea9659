"""Exactly-once effects: an update's changes commit only with the mark that it is done.

While a worker processes a leased update (`processing(leased)`), every transaction that writes
also marks the update done under the worker's claim token, in the same commit. So:
- a crash before that commit leaves the update pending: it is processed again, from scratch;
- a crash after it leaves the update done: it is never processed twice;
- a worker whose lease ran out (another took the update) cannot commit at all: `LeaseLost`
  rolls its transaction back.
A transaction that only refreshes what replaying would write again (the buyer's last-seen time)
runs under `replay_safe()` and marks nothing. Installed once on SQLAlchemy's `Session` class;
outside `processing` it does nothing.

An update taken as it arrived (`Leased.stored` false: no transaction of its own to store it) is
stored by the first transaction of its handling that commits, whatever that one does: as done
with the effects it wrote, else leased to its worker. It never overtakes an older update of its
chat: the first transaction of its handling checks, as it begins and before it reads anything,
that every older one is done (their effects are then there to read), and its first commit
stores it only if no older one is pending (nor the update itself stored meanwhile, redelivered
to another worker). Otherwise `NotNext` rolls it back before anything was said to the buyer (a
transaction is always ended before the bot talks to Telegram, `db.unit`), and the update is
stored to wait its turn. An older update is always stored before a newer one of its chat is
taken: Telegram hears "got it" for an update only once it is stored, and sends that chat's next
one after.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from db import utcnow
from db.unit import install as install_write_tracking
from db.unit import wrote
from inbox.store import (
    Leased,
    _finish_statement,
    finish_all_statement,
    handled_statement,
    waiting_statement,
)


@dataclass(frozen=True, slots=True)
class OwedMarks:
    """The worker's updates handled and not marked done yet (they only read): the commit that
    stores an update taken as it arrived marks them too, so the next update of their chat is
    not held up behind them."""

    take: Callable[[], list[Leased]]
    give_back: Callable[[list[Leased]], None]  # the commit failed: still owed


@dataclass(eq=False)
class Progress:
    """One leased update in processing; `done` once a committed transaction marked it done (its
    worker then needs no transaction of its own to finish it)."""

    leased: Leased
    lease: timedelta = timedelta(seconds=10)  # how long a row stored while handling is leased
    on_stored: Callable[[], None] | None = None  # called once that row is committed
    owed: OwedMarks | None = None
    stored: bool = True
    done: bool = False
    waits: bool = False  # it would have overtaken an older update of its chat (`NotNext`)
    checked: bool = False  # the first transaction saw every older update of its chat done

    def __post_init__(self) -> None:
        self.stored = self.leased.stored


_current: ContextVar[Progress | None] = ContextVar("inbox_update", default=None)
_replay_safe: ContextVar[bool] = ContextVar("inbox_replay_safe", default=False)
_MARKED = "inbox_marked"  # the Progress whose done mark this session's commit carries
_STORING = "inbox_storing"  # the Progress whose row this session's commit stores
_OWED = "inbox_owed"  # (OwedMarks, the updates this session's commit marks done for them)


class LeaseLost(RuntimeError):
    """Another worker took this update over: this worker's changes must not commit."""


class NotNext(LeaseLost):
    """An update taken as it arrived must wait: an older one of its chat is not done yet, or it
    was stored meanwhile. Nothing of it committed; it is stored to be handled in its turn."""


@contextmanager
def processing(
    leased: Leased,
    *,
    lease: timedelta = timedelta(seconds=10),
    on_stored: Callable[[], None] | None = None,
    owed: OwedMarks | None = None,
    stored: bool = False,
) -> Iterator[Progress]:
    """Within the block, writing transactions commit only with `leased` marked done (and the
    first one of an update not stored yet stores it, leased for `lease`, then calls
    `on_stored`, and marks the `owed` done; `stored`: its worker stored it meanwhile)."""
    install()
    progress = Progress(leased, lease, on_stored, owed)
    if stored:  # its worker stored it meanwhile: its first transaction still checks its turn
        progress.stored = True
    reset = _current.set(progress)
    try:
        yield progress
    finally:
        _current.reset(reset)


@contextmanager
def replay_safe() -> Iterator[None]:
    """Writes in the block are harmless to repeat: they do not mark the update done."""
    reset = _replay_safe.set(True)
    try:
        yield
    finally:
        _replay_safe.reset(reset)


def current() -> Leased | None:
    progress = _current.get()
    return None if progress is None else progress.leased


def _before_commit(session: Session) -> None:
    progress = _current.get()
    if progress is None:
        return
    if not progress.stored:
        _store(session, progress)
        return
    if _replay_safe.get() or not wrote(session):
        return
    leased = progress.leased
    result: Any = session.execute(_finish_statement(leased.update_id, leased.token, utcnow()))
    if not result.rowcount:
        raise LeaseLost(f"update {leased.update_id} is no longer leased to this worker")
    session.info[_MARKED] = progress


def _store(session: Session, progress: Progress) -> None:
    done = not _replay_safe.get() and wrote(session)
    now = utcnow()
    statement = handled_statement(
        session, progress.leased, done=done, now=now, lease=progress.lease
    )
    if session.execute(statement).first() is None:
        progress.waits = True
        raise NotNext(f"update {progress.leased.update_id} waits for its turn")
    session.info[_STORING] = progress
    if done:
        session.info[_MARKED] = progress


def _after_begin(session: Session, _transaction: Any, connection: Connection) -> None:
    progress = _current.get()
    if progress is None or progress.leased.stored or progress.checked:
        return  # a stored update was leased in its turn
    progress.checked = True
    if progress.owed is not None and (owed := progress.owed.take()):
        session.info[_OWED] = (progress.owed, owed)
        now = utcnow()
        # First: the chat's earlier update, read and answered, is done.
        connection.execute(finish_all_statement(owed, now))
    if connection.execute(waiting_statement(progress.leased)).first() is not None:
        progress.waits = True
        raise NotNext(f"update {progress.leased.update_id} waits for its turn")


def _after_commit(session: Session) -> None:
    session.info.pop(_OWED, None)
    progress = session.info.pop(_MARKED, None)
    if isinstance(progress, Progress):
        progress.done = True
    stored = session.info.pop(_STORING, None)
    if isinstance(stored, Progress):
        stored.stored = True
        if stored.on_stored is not None:
            stored.on_stored()


def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_MARKED, None)
    session.info.pop(_STORING, None)
    owed = session.info.pop(_OWED, None)
    if owed is not None:
        marks, updates = owed
        marks.give_back(updates)


@functools.cache
def install() -> None:
    """Hooks the fence into every SQLAlchemy session (once per process)."""
    install_write_tracking()
    event.listen(Session, "after_begin", _after_begin)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_rollback)
