"""Second payments for an already paid order, owed back to the buyer (issue 14.8), and the
order an outbox message is about (a dead letter to a buyer is told to the shop, issue 14.3).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "second_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("payment_key", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("refund_id", sa.String(length=255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_second_payments")),
        sa.UniqueConstraint(
            "provider", "payment_key", name=op.f("uq_second_payments_provider_payment_key")
        ),
    )
    with op.batch_alter_table("second_payments") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_second_payments_order_number"), ["order_number"], unique=False
        )
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("order_number", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_column("order_number")
    with op.batch_alter_table("second_payments") as batch_op:
        batch_op.drop_index(batch_op.f("ix_second_payments_order_number"))
    op.drop_table("second_payments")
