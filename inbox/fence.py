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
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from db import utcnow
from db.unit import install as install_write_tracking
from db.unit import wrote
from inbox.store import Leased, _finish_statement


@dataclass(eq=False)
class Progress:
    """One leased update in processing; `done` once a committed transaction marked it done (its
    worker then needs no transaction of its own to finish it)."""

    leased: Leased
    done: bool = False


_current: ContextVar[Progress | None] = ContextVar("inbox_update", default=None)
_replay_safe: ContextVar[bool] = ContextVar("inbox_replay_safe", default=False)
_MARKED = "inbox_marked"  # the Progress whose done mark this session's commit carries


class LeaseLost(RuntimeError):
    """Another worker took this update over: this worker's changes must not commit."""


@contextmanager
def processing(leased: Leased) -> Iterator[Progress]:
    """Within the block, writing transactions commit only with `leased` marked done."""
    install()
    progress = Progress(leased)
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
    if progress is None or _replay_safe.get() or not wrote(session):
        return
    leased = progress.leased
    result: Any = session.execute(_finish_statement(leased.update_id, leased.token, utcnow()))
    if not result.rowcount:
        raise LeaseLost(f"update {leased.update_id} is no longer leased to this worker")
    session.info[_MARKED] = progress


def _after_commit(session: Session) -> None:
    progress = session.info.pop(_MARKED, None)
    if isinstance(progress, Progress):
        progress.done = True


def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_MARKED, None)


@functools.cache
def install() -> None:
    """Hooks the fence into every SQLAlchemy session (once per process)."""
    install_write_tracking()
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_rollback)
