"""The hour of the merchant's daily digest.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("merchant_settings") as batch_op:
        batch_op.add_column(
            sa.Column("digest_hour", sa.Integer(), server_default="9", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("merchant_settings") as batch_op:
        batch_op.drop_column("digest_hour")
