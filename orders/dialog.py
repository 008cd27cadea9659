"""The buyer's dialog state in the database: what the bot is asking, and the answers so far.

Keyed by (channel, chat id, user id), so any worker can serve any update and a restart resumes
a checkout exactly where it stopped. PTB's in-memory conversation state cannot do either.
Writes are an upsert (`INSERT ... ON CONFLICT DO UPDATE` on both SQLite and PostgreSQL), so two
updates racing to create the first state never fail on the primary key.

One update asks several times "is this message an answer to a question?" (the checkout, a
tracking prompt, a shop's setup, the query memory...), each a dialog of its own channel. The
first `load_dialog` of a chat and user in a transaction reads all their dialogs in one statement
and keeps them in the session for the rest of that transaction (writes here keep it current);
the next transaction reads afresh. Dialogs kept under another key (the storefront's memory is
the customer's, not the chat's) are read by that same statement when the update announced them
first (`expect_dialogs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import insert_for, utcnow
from db.unit import per_transaction
from orders.models import DialogState

MAX_STEP_LENGTH = 64
MAX_CHANNEL_LENGTH = 16  # the column's width: PostgreSQL refuses longer, SQLite would not


class DialogKey(TypedDict):
    """Whose dialog it is, as the functions here take it: `load_dialog(session, **key)`."""

    channel: str
    chat_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class Dialog:
    step: str
    data: dict[str, Any]
    updated_at: datetime

    def idle_for(self, now: datetime) -> timedelta:
        return now - self.updated_at


Owner = tuple[int, int]  # (chat id, user id)
Snapshot = dict[Owner, dict[str, Dialog]]  # owner → {channel: Dialog}


def _snapshot(session: AsyncSession) -> Snapshot:
    snapshot: Snapshot = per_transaction(session).setdefault("orders.dialogs", {})
    return snapshot


def expect_dialogs(session: AsyncSession, *owners: Owner) -> None:
    """Announces owners whose dialogs this update will read: the transaction's first read
    fetches theirs too, all in one statement."""
    expected: set[Owner] = per_transaction(session).setdefault("orders.dialogs.expected", set())
    expected.update(owners)


async def _dialogs_of(session: AsyncSession, chat_id: int, user_id: int) -> dict[str, Dialog]:
    snapshot = _snapshot(session)
    dialogs = snapshot.get((chat_id, user_id))
    if dialogs is None:
        expected: set[Owner] = per_transaction(session).get("orders.dialogs.expected", set())
        owners = {(chat_id, user_id), *expected} - snapshot.keys()
        columns = DialogState.__table__.c
        # Plain rows, not ORM objects: read on most updates, never changed through the ORM.
        rows = await session.execute(
            select(columns.chat_id, columns.user_id, columns.channel, columns.step,
                   columns.data, columns.updated_at)
            .where(or_(*(and_(columns.chat_id == chat, columns.user_id == user)
                         for chat, user in sorted(owners))))
        )  # fmt: skip
        for owner in owners:
            snapshot[owner] = {}
        for chat, user, channel, step, data, updated_at in rows:
            snapshot[(chat, user)][channel] = Dialog(step, dict(data or {}), updated_at)
        dialogs = snapshot[(chat_id, user_id)]
    return dialogs


def _checked(channel: str) -> str:
    if not channel or len(channel) > MAX_CHANNEL_LENGTH:
        raise ValueError(f"dialog channel must be 1..{MAX_CHANNEL_LENGTH} characters: {channel!r}")
    return channel


def _key(channel: str, chat_id: int, user_id: int) -> tuple[ColumnElement[bool], ...]:
    _checked(channel)
    return (
        DialogState.channel == channel,
        DialogState.chat_id == chat_id,
        DialogState.user_id == user_id,
    )


async def load_dialog(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: int,
    user_id: int,
    max_idle: timedelta | None = None,
    now: datetime | None = None,
) -> Dialog | None:
    """The stored state, or None; with `max_idle`, a state idle longer than that reads as None."""
    stored = (await _dialogs_of(session, chat_id, user_id)).get(_checked(channel))
    if stored is None:
        return None
    dialog = Dialog(stored.step, dict(stored.data), stored.updated_at)  # the caller's own copy
    if max_idle is not None and dialog.idle_for(now or utcnow()) > max_idle:
        return None
    return dialog


async def save_dialog(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: int,
    user_id: int,
    step: str,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Stores (creates or replaces) the state; `data` must be JSON-serialisable."""
    if not step or len(step) > MAX_STEP_LENGTH:
        raise ValueError(f"dialog step must be 1..{MAX_STEP_LENGTH} characters")
    values = {
        "channel": _checked(channel),
        "chat_id": chat_id,
        "user_id": user_id,
        "step": step,
        "data": data or {},
        "updated_at": (when := now or utcnow()),
    }
    statement = insert_for(session, DialogState).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "chat_id", "user_id"],
        set_={
            "step": statement.excluded.step,
            "data": statement.excluded.data,
            "updated_at": statement.excluded.updated_at,
        },
    )
    await session.execute(statement)
    known = _snapshot(session).get((chat_id, user_id))
    if known is not None:
        known[channel] = Dialog(step, dict(data or {}), when)


async def clear_dialog(session: AsyncSession, *, channel: str, chat_id: int, user_id: int) -> None:
    await session.execute(delete(DialogState).where(*_key(channel, chat_id, user_id)))
    _snapshot(session).get((chat_id, user_id), {}).pop(channel, None)
