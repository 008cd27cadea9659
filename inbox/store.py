"""Storing received updates and leasing them to workers, one chat at a time.

`store` is idempotent on `update_id`. `claim` leases the oldest unprocessed update of each chat
that has none in progress: on PostgreSQL several workers claim at once with `FOR UPDATE SKIP
LOCKED`, on SQLite `BEGIN IMMEDIATE` lets one writer claim at a time. A lease is short and
renewed (`renew`) while its worker is alive; a dead worker's rows are claimed again as soon as
their lease runs out, or at once when it restarts under its name (`release_worker`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, exists, literal, or_, select, true, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, aliased

from db import insert_for
from db.leases import new_claim_token, release_worker_claims, renew_leases
from inbox.models import InboxState, InboxUpdate


@dataclass(frozen=True, slots=True)
class Received:
    """One update as it arrived: its id, the chat whose order it keeps, its JSON."""

    update_id: int
    chat_key: int | None
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Leased:
    """One update leased to the worker holding `token`: stored, or (`stored=False`) taken as it
    arrived, its row written by the first transaction that handling it commits
    (`handled_statement`)."""

    update_id: int
    token: str
    chat_key: int | None
    payload: dict[str, Any]
    attempts: int  # including this one
    stored: bool = True


async def store(session: AsyncSession, updates: Iterable[Received], *, now: datetime) -> int:
    """Stores updates not seen before; returns how many were new (redeliveries are ignored)."""
    return len(await store_new(session, updates, now=now))


async def store_new(
    session: AsyncSession, updates: Iterable[Received], *, now: datetime
) -> list[Received]:
    """Stores updates not seen before; returns those (redeliveries are ignored)."""
    new: list[Received] = []
    for received in updates:
        statement = (
            insert_for(session, InboxUpdate)
            .values(
                update_id=received.update_id,
                chat_key=received.chat_key,
                payload=received.payload,
                state=InboxState.PENDING.value,
                attempts=0,
                received_at=now,
            )
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(InboxUpdate.update_id)
        )
        if (await session.execute(statement)).scalar_one_or_none() is not None:
            new.append(received)
    return new


def _claimable(now: datetime) -> Any:
    earlier = aliased(InboxUpdate)
    ready = or_(
        InboxUpdate.state == InboxState.PENDING.value,
        and_(
            InboxUpdate.state == InboxState.PROCESSING.value,
            InboxUpdate.claimed_until < now,
        ),
    )
    # One chat's updates are taken in order: wait while an older one of the chat is not done.
    blocked = exists().where(
        earlier.chat_key == InboxUpdate.chat_key,
        earlier.update_id < InboxUpdate.update_id,
        earlier.state != InboxState.DONE.value,
    )
    return and_(ready, ~blocked)


async def claim(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    busy: Collection[int] = (),
    worker: str | None = None,
) -> list[Leased]:
    """Leases up to `limit` updates (at most one per chat, its oldest not done).

    `busy`: update ids this worker is still processing (never leased to it twice); `worker`:
    its name, if it has one, starts the claim tokens."""
    query = select(InboxUpdate).where(_claimable(now))
    if busy:
        query = query.where(InboxUpdate.update_id.not_in(list(busy)))
    rows = (
        await session.scalars(
            query.order_by(InboxUpdate.update_id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=InboxUpdate)
            .execution_options(populate_existing=True)
        )
    ).all()
    leased: list[Leased] = []
    for row in rows:
        token = new_claim_token(worker)
        row.state = InboxState.PROCESSING.value
        row.claimed_until = now + lease
        row.claim_token = token
        row.attempts += 1
        leased.append(Leased(row.update_id, token, row.chat_key, dict(row.payload), row.attempts))
    await session.flush()
    return leased


async def store_leasing(
    session: AsyncSession, updates: Sequence[Received], *, now: datetime, lease: timedelta,
    limit: int, worker: str | None = None, hold: Collection[int | None] = (),
) -> tuple[list[Received], list[Leased]]:  # fmt: skip
    """Stores updates not seen before and leases, in the same statement, up to `limit` of them
    that are next in their chat: what `store_new` and then `claim` would do, in one INSERT per
    update. `hold`: chats whose updates only wait (one of theirs is in hand, not stored yet).
    Returns (the new ones, those leased to this worker)."""
    # One token per batch: `finish` also names the update, `renew` the state.
    token = new_claim_token(worker)
    table = InboxUpdate.__table__
    new: list[Received] = []
    leased: list[Leased] = []
    for received in updates:
        take = len(leased) < limit and received.chat_key not in hold
        values: dict[str, Any] = {
            "update_id": received.update_id,
            "chat_key": received.chat_key,
            "payload": received.payload,
            "received_at": now,
        }
        if take:  # processing at once, unless an older update of its chat is not done yet
            free = ~_older_not_done(received) if received.chat_key is not None else true()
            values |= {
                "state": case((free, InboxState.PROCESSING.value), else_=InboxState.PENDING.value),
                "attempts": case((free, 1), else_=0),
                "claimed_until": case((free, now + lease)),
                "claim_token": case((free, token)),
            }
        else:
            values |= {"state": InboxState.PENDING.value, "attempts": 0}
        statement = (
            insert_for(session, table)
            .values(values)
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(table.c.state)
        )
        state = (await session.execute(statement)).scalar_one_or_none()
        if state is None:
            continue  # seen before
        new.append(received)
        if state == InboxState.PROCESSING.value:
            leased.append(Leased(received.update_id, token, received.chat_key, received.payload, 1))
    return new, leased


def waiting_statement(leased: Leased) -> Any:
    """A row when the leased update may not be handled now: it is stored already under another
    claim (a redelivery: handled, or waiting), or an older update of its chat is not done yet."""
    table = InboxUpdate.__table__
    stored = exists().where(
        table.c.update_id == leased.update_id,
        or_(table.c.claim_token.is_(None), table.c.claim_token != leased.token),
    )
    if leased.chat_key is None:
        return select(literal(1)).where(stored)
    received = Received(leased.update_id, leased.chat_key, {})
    return select(literal(1)).where(or_(stored, _older_not_done(received)))


async def release_own(session: AsyncSession, leased: Leased) -> None:
    """Back to pending, unleased: an update its worker stored while handling it, that turned
    out to have to wait for an older one of its chat."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == leased.update_id, InboxUpdate.claim_token == leased.token)
        .values(state=InboxState.PENDING.value, claimed_until=None, claim_token=None, attempts=0)
        .execution_options(synchronize_session=False)
    )


def _older_not_done(received: Received) -> Any:
    table = InboxUpdate.__table__
    return exists().where(
        table.c.chat_key == received.chat_key,
        table.c.update_id < received.update_id,
        table.c.state != InboxState.DONE.value,
    )


async def renew(
    session: AsyncSession, tokens: Collection[str], *, now: datetime, lease: timedelta
) -> int:
    """Extends the leases still held under `tokens`; returns how many."""
    busy = InboxState.PROCESSING.value
    return await renew_leases(session, InboxUpdate, busy=busy, tokens=tokens, now=now, lease=lease)


async def release_worker(session: AsyncSession, worker: str) -> int:
    """Back to pending, unleased: the updates still processing under `worker`'s name, whose
    previous process died (called as it starts again); how many. Their tokens are cleared, so
    no done mark can be written under them: each is processed again from scratch, in order."""
    return await release_worker_claims(
        session,
        InboxUpdate,
        busy=InboxState.PROCESSING.value,
        worker=worker,
        values={"state": InboxState.PENDING.value},
    )


def handled_statement(
    session: Session, leased: Leased, *, done: bool, now: datetime, lease: timedelta,
    in_turn: bool = True, replace_own: bool = True,
) -> Any:  # fmt: skip
    """Stores an update taken as it arrived, from within the first transaction handling it
    commits: done, when that transaction wrote the update's effects; else leased to its worker,
    which marks it done once it has answered. Nothing is stored (and the statement returns no
    row) when the update is stored already by someone else, or when an older update of its chat
    is not done: handling it now would overtake that one (`in_turn=False`: it was handled
    already, stored whatever its chat holds). Stored already under the same claim (its worker
    would not keep Telegram waiting for it, `replace_own=False` there), it becomes what this
    commit makes of it."""
    table = InboxUpdate.__table__
    values: dict[str, Any] = {
        "update_id": leased.update_id,
        "chat_key": leased.chat_key,
        "payload": {} if done else leased.payload,
        "state": (InboxState.DONE if done else InboxState.PROCESSING).value,
        "attempts": leased.attempts,
        "claimed_until": None if done else now + lease,
        "claim_token": leased.token,
        "received_at": now,
        "done_at": now if done else None,
    }
    row = select(
        *(literal(value, table.c[name].type).label(name) for name, value in values.items())
    )
    if in_turn and leased.chat_key is not None:
        received = Received(leased.update_id, leased.chat_key, {})
        row = row.where(~_older_not_done(received))
    else:
        row = row.where(true())  # SQLite's INSERT ... SELECT ... ON CONFLICT needs a WHERE
    statement = insert_for(session, table).from_select(list(values), row)
    if not replace_own:
        return statement.on_conflict_do_nothing(index_elements=["update_id"]).returning(
            table.c.update_id
        )
    changed = ("payload", "state", "claimed_until", "done_at")
    return statement.on_conflict_do_update(
        index_elements=["update_id"],
        set_={name: statement.excluded[name] for name in changed},
        where=table.c.claim_token == statement.excluded.claim_token,
    ).returning(table.c.update_id)


def _finish_statement(update_id: int, token: str, now: datetime) -> Any:
    return (
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id, InboxUpdate.claim_token == token)
        # The payload goes as soon as it is handled: it may hold a phone, an address or a key a
        # merchant typed; the row itself stays a while, so a redelivered update_id is ignored.
        .values(state=InboxState.DONE.value, claimed_until=None, done_at=now, payload={})
    )


async def finish(session: AsyncSession, leased: Leased, *, now: datetime) -> bool:
    """Done; False when the lease was lost meanwhile (another worker holds the update)."""
    result = await session.execute(_finish_statement(leased.update_id, leased.token, now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish_all_statement(owed: Sequence[Leased], now: datetime) -> Any:
    """Marks many updates done in one statement, each under its own claim token; returns the
    ids of those it marked (not those taken over meanwhile)."""
    held = [(leased.update_id, leased.token) for leased in owed]
    return (
        update(InboxUpdate)
        .where(tuple_(InboxUpdate.update_id, InboxUpdate.claim_token).in_(held))
        .values(state=InboxState.DONE.value, claimed_until=None, done_at=now, payload={})
        .returning(InboxUpdate.update_id)
        .execution_options(synchronize_session=False)
    )


async def forget_done(session: AsyncSession, *, before: datetime) -> int:
    """Deletes done updates received before `before` (Telegram redelivers only recent ones)."""
    result = await session.execute(
        delete(InboxUpdate).where(
            InboxUpdate.state == InboxState.DONE.value, InboxUpdate.received_at < before
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
