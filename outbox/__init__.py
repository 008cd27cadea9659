"""The outbox: messages the bot owes, written with their cause, delivered exactly once.

`enqueue` writes one (idempotent on its dedupe key) in the caller's transaction; an
`OutboxSender` with a `Transport` delivers them (`outbox.telegram.start_outbox_sender` runs one
beside the PTB Application). Knows `db` and `conversation.reply` (plain data) only; the
Telegram transport lives apart in `outbox.telegram`.
"""

from outbox.claims import Claimed, claim, mark_failed, mark_retry, mark_sent, sent_message_id
from outbox.enqueue import enqueue
from outbox.models import OutboxKind, OutboxMessage, OutboxState
from outbox.sender import (
    Backoff,
    DeliveryError,
    OutboxSender,
    Permanent,
    RetryLater,
    Transient,
    Transport,
)

__all__ = [
    "Backoff",
    "Claimed",
    "DeliveryError",
    "OutboxKind",
    "OutboxMessage",
    "OutboxSender",
    "OutboxState",
    "Permanent",
    "RetryLater",
    "Transient",
    "Transport",
    "claim",
    "enqueue",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "sent_message_id",
]
