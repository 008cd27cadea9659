"""One update, one transaction: consecutive read-only units of work of one update share one.

An update is handled by several short `transaction` blocks: the buyer is identified, a few
"is this an answer to a question?" checks read their dialogs, then the use case runs. Each of
them used to be a transaction of its own. Inside `update_scope()` a block that wrote nothing is
not ended: its transaction is kept (`parked`) and the next block of the same update carries on
in it. A block that wrote commits at its end exactly as before, so nothing written is ever held
back or lost with a later block's failure; only reads are merged.

A parked transaction is ended before the bot talks to Telegram (`release_parked`, called by the
rate limiter every Bot API request passes through) and when the update is done, so no
transaction, and on SQLite no write lock, is ever held across a network call it did not hold
before.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.util import await_only

_WROTE = "db_unit_wrote"
_KEPT = "db_unit_kept"  # `per_transaction`


@dataclass(eq=False)
class UpdateScope:
    factory: Callable[[], AsyncSession] | None = None
    parked: AsyncSession | None = None  # a read-only transaction the next block carries on
    in_block: bool = False
    block: AsyncSession | None = None  # the session of the block running now
    task: asyncio.Task[Any] | None = None  # the update's own; a task it starts gets no share


def _own_scope() -> UpdateScope | None:
    scope = _scope.get()
    if scope is None or scope.task is not asyncio.current_task():
        return None
    return scope


_scope: ContextVar[UpdateScope | None] = ContextVar("db_update_scope", default=None)


@asynccontextmanager
async def update_scope() -> AsyncIterator[UpdateScope]:
    """Within the block (one update's handling), read-only transactions are merged."""
    install()
    scope = UpdateScope(task=asyncio.current_task())
    reset = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(reset)
        await _end_parked(scope)


async def release_parked() -> None:
    """Ends the current update's parked transaction, if any (before a network call)."""
    scope = _own_scope()
    if scope is not None and not scope.in_block:
        await _end_parked(scope)


def end_parked_before_begin() -> None:
    """For a transaction about to begin on another connection (called, inside SQLAlchemy's
    greenlet, by SQLite's begin hook): on SQLite the parked one holds the write lock, and code
    that opens a session of its own (a payment link, a refund) would wait for it forever."""
    scope = _own_scope()
    if scope is not None and scope.parked is not None:
        await_only(_end_parked(scope))


async def _end_parked(scope: UpdateScope) -> None:
    session, scope.parked = scope.parked, None
    if session is not None:
        try:
            await session.commit()  # it only read; the fence marks nothing for it
        finally:
            await session.close()


@asynccontextmanager
async def unit_of_work(
    factory: Callable[[], AsyncSession], *, on_error: Callable[[BaseException], None]
) -> AsyncIterator[AsyncSession]:
    """A transaction block: commits at its end if it wrote, else (inside an update scope) is
    kept for the update's next block; rolls back (and calls `on_error`) if it raises."""
    scope = _own_scope()
    if scope is None or scope.in_block:  # no update around it, or nested: a block of its own
        try:
            async with factory() as session, session.begin():
                yield session
        except Exception as error:
            on_error(error)
            raise
        return
    parked = scope.parked if scope.factory is factory else None
    if parked is None:
        await _end_parked(scope)
    session = parked or factory()
    scope.parked, scope.factory, scope.in_block, scope.block = None, factory, True, session
    try:
        if not session.in_transaction():
            await session.begin()
        yield session
        if _wrote(session):
            await session.commit()
            await session.close()
        else:
            scope.parked = session
    except BaseException as error:
        try:
            await session.rollback()
        finally:
            await session.close()
        if isinstance(error, Exception):
            on_error(error)
        raise
    finally:
        scope.in_block, scope.block = False, None


async def end_if_only_read(session: AsyncSession) -> bool:
    """Ends the running update block's transaction early if it has written nothing: a slow read
    that follows, on a connection of its own, then holds no lock of this block's (on SQLite, a
    transaction that may write takes the one write lock at its first statement, and every other
    update would queue behind the read). The block carries on in a new transaction at its next
    statement; what it read so far was only read. False, doing nothing, outside an update's
    block or once the block wrote."""
    scope = _own_scope()
    if scope is None or scope.block is not session or _wrote(session):
        return False
    if session.in_transaction():
        await session.commit()  # it only read; the fence marks nothing for it
    return True


def _wrote(session: AsyncSession) -> bool:
    return wrote(session.sync_session)


def wrote(session: Session) -> bool:
    """Whether the session's transaction has written, or will write when it flushes."""
    if session.info.get(_WROTE) or session.new or session.deleted:
        return True
    return any(session.is_modified(o) for o in session.dirty)  # set to the value it had: no


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _after_flush(session: Session, _context: Any) -> None:
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        session.info[_WROTE] = True


def per_transaction(session: AsyncSession) -> dict[str, Any]:
    """A dict that lasts as long as `session`'s transaction: emptied when it commits or rolls
    back, so what a transaction read and kept here is never taken for the next one's."""
    install()
    kept: dict[str, Any] = session.sync_session.info.setdefault(_KEPT, {})
    return kept


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_WROTE, None)
    session.info.pop(_KEPT, None)


@functools.cache
def install() -> None:
    """Tracks, per session, whether its transaction wrote anything, and ends what it kept for
    the transaction (once per process)."""
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _forget)
    event.listen(Session, "after_soft_rollback", _forget)
