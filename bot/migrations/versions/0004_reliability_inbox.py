"""The inbox (updates stored before they are acknowledged, leased to one worker at a time) and
the rate windows every worker shares (Telegram's limits for the whole deployment).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_key", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'processing', 'done')",
            name=op.f("ck_inbox_updates_state_known"),
        ),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox_updates")),
    )
    op.create_index(
        "ix_inbox_updates_chat_key_update_id", "inbox_updates", ["chat_key", "update_id"]
    )
    op.create_index("ix_inbox_updates_state_update_id", "inbox_updates", ["state", "update_id"])
    op.create_table(
        "rate_windows",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("window", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window", name=op.f("pk_rate_windows")),
    )


def downgrade() -> None:
    op.drop_table("rate_windows")
    op.drop_index("ix_inbox_updates_state_update_id", table_name="inbox_updates")
    op.drop_index("ix_inbox_updates_chat_key_update_id", table_name="inbox_updates")
    op.drop_table("inbox_updates")
