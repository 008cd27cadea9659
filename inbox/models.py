"""The inbox table: every update received, stored before Telegram hears "got it".

- `update_id` is the primary key: a redelivered update (Telegram retrying a webhook, a restart
  re-reading getUpdates) is stored once and processed once.
- `chat_key` is the chat (or, without one, the user) whose updates must not overtake each other;
  a row waits while an older row (`update_id`) of its chat is not `done`. NULL: no order to keep.
- `state` moves pending → processing → done. A `processing` row is leased to one worker until
  `claimed_until`; the worker renews the lease while it works, and a worker that dies simply
  stops renewing, so another takes the row within one lease. `claim_token` fences: only the
  holder of the current claim can commit the update's effects (`inbox.fence`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, utcnow
from db.leases import CLAIM_TOKEN_LENGTH


class InboxState(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"


class InboxUpdate(Base):
    __tablename__ = "inbox_updates"
    __table_args__ = (
        Index("ix_inbox_updates_state_update_id", "state", "update_id"),
        Index("ix_inbox_updates_chat_key_update_id", "chat_key", "update_id"),
        CheckConstraint(
            "state IN (" + ", ".join(f"'{state.value}'" for state in InboxState) + ")",
            name="state_known",
        ),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[int | None] = mapped_column(BigInteger)
    # The update as Telegram sent it (JSON), read back with `Update.de_json`.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default=InboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None] = mapped_column()
    claim_token: Mapped[str | None] = mapped_column(String(CLAIM_TOKEN_LENGTH))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()
