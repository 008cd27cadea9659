"""Shipping zones with delivery days and item-count tiers; the buyer's delivery country.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipping_rules") as batch_op:
        batch_op.add_column(sa.Column("min_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("item_tiers", sa.JSON(), nullable=True))
    with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("country")
    with op.batch_alter_table("shipping_rules") as batch_op:
        batch_op.drop_column("item_tiers")
        batch_op.drop_column("max_days")
        batch_op.drop_column("min_days")
