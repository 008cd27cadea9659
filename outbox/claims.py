"""Claiming owed messages for one sender, and recording what became of them.

A claim is a lease: the row is `sending` until `claimed_until`, under a fresh `claim_token`.
On PostgreSQL several senders claim at once with `FOR UPDATE SKIP LOCKED` (each skips the rows
another is claiming); SQLite's `BEGIN IMMEDIATE` lets one writer at a time claim. A sender that
dies mid-send leaves a claim that expires, and the row is claimed again: leases are short
(seconds) and renewed by the live sender (`renew`), so a dead sender's rows return within one
lease (at once when a named worker restarts: `release_worker`). Every result is recorded only
under the token it was claimed with, so a sender whose lease ran out cannot overwrite the next
one's outcome.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db import rowcount
from db.leases import new_claim_token, release_worker_claims, renew_leases
from outbox.models import OutboxMessage, OutboxState

ERROR_MAX = 1000


@dataclass(frozen=True, slots=True)
class Claimed:
    """One owed message, leased to the sender holding `token`."""

    id: int
    token: str
    chat_id: int
    kind: str
    edit_message_id: int | None
    payload: dict[str, Any]
    attempts: int  # including this one
    order_number: str | None = None  # the order a message to its buyer is about


def _claimable(now: datetime) -> Any:
    earlier = aliased(OutboxMessage)
    ready = or_(
        and_(OutboxMessage.state == OutboxState.PENDING.value, OutboxMessage.available_at <= now),
        and_(OutboxMessage.state == OutboxState.SENDING.value, OutboxMessage.claimed_until < now),
    )
    # One chat's messages go out in order: wait while an older one of the chat is unsent.
    blocked = exists().where(
        earlier.chat_id == OutboxMessage.chat_id,
        earlier.id < OutboxMessage.id,
        earlier.state.in_([OutboxState.PENDING.value, OutboxState.SENDING.value]),
    )
    return and_(ready, ~blocked)


async def claim(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int = 20,
    worker: str | None = None,
) -> list[Claimed]:
    """Leases up to `limit` deliverable messages (at most one per chat, the oldest); `worker`:
    the sender's worker name, if it has one, starts the claim token."""
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(_claimable(now))
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxMessage)
            .execution_options(populate_existing=True)
        )
    ).all()
    token = new_claim_token(worker)
    claimed: list[Claimed] = []
    for row in rows:
        row.state = OutboxState.SENDING.value
        row.claimed_until = now + lease
        row.claim_token = token
        row.attempts += 1
        claimed.append(
            Claimed(
                row.id,
                token,
                row.chat_id,
                row.kind,
                row.edit_message_id,
                dict(row.payload),
                row.attempts,
                row.order_number,
            )
        )
    await session.flush()
    return claimed


async def renew(
    session: AsyncSession, tokens: Collection[str], *, now: datetime, lease: timedelta
) -> int:
    """Extends the leases still held under `tokens` (a live sender's heartbeat)."""
    busy = OutboxState.SENDING.value
    return await renew_leases(
        session, OutboxMessage, busy=busy, tokens=tokens, now=now, lease=lease
    )


async def release_worker(session: AsyncSession, worker: str, *, now: datetime) -> int:
    """Back to pending, deliverable `now`: the messages still sending under `worker`'s name,
    whose previous process died mid-send (called as it starts again); how many. One of them may
    have reached the chat already: sent again, like any claim that expired (at least once)."""
    return await release_worker_claims(
        session,
        OutboxMessage,
        busy=OutboxState.SENDING.value,
        worker=worker,
        values={"state": OutboxState.PENDING.value, "available_at": now},
    )


def _held(claimed: Claimed) -> Any:
    return and_(
        OutboxMessage.id == claimed.id,
        OutboxMessage.claim_token == claimed.token,
        OutboxMessage.state == OutboxState.SENDING.value,
    )


async def mark_sent(
    session: AsyncSession, claimed: Claimed, *, message_id: int | None, now: datetime
) -> bool:
    """Delivered; False when the claim was lost meanwhile (logged by the caller)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_held(claimed))
        .values(
            state=OutboxState.SENT.value,
            sent_message_id=message_id,
            sent_at=now,
            claimed_until=None,
            last_error=None,
        )
    )
    return bool(rowcount(result))


async def mark_retry(
    session: AsyncSession,
    claimed: Claimed,
    *,
    at: datetime,
    error: str,
    counts_as_attempt: bool = True,
) -> bool:
    """Back to pending, not before `at`; a flood wait (`counts_as_attempt=False`) is free."""
    values: dict[str, Any] = {
        "state": OutboxState.PENDING.value,
        "available_at": at,
        "claimed_until": None,
        "last_error": error[:ERROR_MAX],
    }
    if not counts_as_attempt:
        values["attempts"] = OutboxMessage.attempts - 1
    result = await session.execute(update(OutboxMessage).where(_held(claimed)).values(**values))
    return bool(rowcount(result))


async def mark_failed(session: AsyncSession, claimed: Claimed, *, error: str) -> bool:
    """Given up: the channel refused it for good, or it ran out of attempts."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_held(claimed))
        .values(state=OutboxState.FAILED.value, claimed_until=None, last_error=error[:ERROR_MAX])
    )
    return bool(rowcount(result))


async def sent_message_id(session: AsyncSession, *, dedupe_key: str) -> int | None:
    """The channel's id of a delivered message (to edit it later), None while undelivered."""
    return await session.scalar(
        select(OutboxMessage.sent_message_id).where(
            OutboxMessage.dedupe_key == dedupe_key,
            OutboxMessage.state == OutboxState.SENT.value,
        )
    )
