"""Writing what the bot owes into the outbox, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversation.reply import Reply
from db import insert_for, utcnow
from outbox.models import DEDUPE_KEY_MAX, OutboxKind, OutboxMessage, OutboxState
from outbox.payload import reply_payload


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    chat_id: int,
    reply: Reply,
    edit_message_id: int | None = None,
    now: datetime | None = None,
    order_number: str | None = None,
) -> bool:
    """Owes `reply` to `chat_id` (a new message, or an edit of `edit_message_id`).

    Idempotent on `dedupe_key`: True when this call wrote the row, False when a row with that
    key already existed (whatever its state), so a replayed cause never owes a message twice.
    `order_number`: the order a message to its buyer is about, so a dead letter is told to the
    shop (`OutboxSender.on_dead_letter`).
    `INSERT ... ON CONFLICT DO NOTHING` on both backends: concurrent writers never collide.
    """
    if not dedupe_key or len(dedupe_key) > DEDUPE_KEY_MAX:
        raise ValueError(f"dedupe_key must be 1..{DEDUPE_KEY_MAX} characters")
    when = now or utcnow()
    values = {
        "dedupe_key": dedupe_key,
        "chat_id": chat_id,
        "kind": (OutboxKind.EDIT if edit_message_id is not None else OutboxKind.SEND).value,
        "edit_message_id": edit_message_id,
        "payload": reply_payload(reply),
        "state": OutboxState.PENDING.value,
        "attempts": 0,
        "available_at": when,
        "created_at": when,
        "order_number": order_number,
    }
    statement = (
        insert_for(session, OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    written = (await session.execute(statement)).scalar_one_or_none()
    return written is not None
