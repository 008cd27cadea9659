"""The outbox table: every message the bot owes, written in the transaction that owes it.

Why a table and not "send after commit": a send that fails (429, a 5xx, a crash between the
commit and the call) would otherwise be lost; a send before the commit could announce a change
that then rolls back. A row here commits or rolls back with its cause, and the sender
(`outbox.sender`) delivers it afterwards.

- `dedupe_key` is unique: whoever writes "notify the merchant that order 7 is paid" twice (a
  replayed webhook, a retried update) writes one row.
- `state` moves pending → sending → sent (or failed). A `sending` row is claimed by one sender
  until `claimed_until`; a sender that dies leaves a claim that simply expires, and `claim_token`
  keeps a late sender from overwriting what the next one recorded.
- Rows of one chat are delivered in `id` order (a row waits while an older one of its chat is
  unsent), so "paid" never arrives after "shipped" and a notice's edits apply in order.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, utcnow
from db.leases import CLAIM_TOKEN_LENGTH

DEDUPE_KEY_MAX = 200


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # refused for good (blocked bot, bad request) or out of attempts


class OutboxKind(StrEnum):
    SEND = "send"  # a new message
    EDIT = "edit"  # replace the text and buttons of `edit_message_id`


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_state_available_at", "state", "available_at"),
        Index("ix_outbox_messages_chat_id_id", "chat_id", "id"),
        CheckConstraint(
            "state IN (" + ", ".join(f"'{state.value}'" for state in OutboxState) + ")",
            name="state_known",
        ),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{kind.value}'" for kind in OutboxKind) + ")",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(DEDUPE_KEY_MAX), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8), default=OutboxKind.SEND.value)
    edit_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The message as plain data: {"text": ..., "buttons": [[{"text", "action"|"url"}]]}.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(8), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)  # not before (backoff)
    claimed_until: Mapped[datetime | None] = mapped_column()
    claim_token: Mapped[str | None] = mapped_column(String(CLAIM_TOKEN_LENGTH))
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)  # the channel's id
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The order a buyer's message is about (paid, shipped, refunded): a dead letter to the buyer
    # is told to that order's shop. None for anything else.
    order_number: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column()
