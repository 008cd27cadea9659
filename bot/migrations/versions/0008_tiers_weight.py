"""Weight-tiered shipping: a variant's shipping weight, a rule's weight tiers.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("variants") as batch_op:
        batch_op.add_column(sa.Column("grams", sa.Integer(), nullable=True))
    with op.batch_alter_table("shipping_rules") as batch_op:
        batch_op.add_column(sa.Column("weight_tiers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipping_rules") as batch_op:
        batch_op.drop_column("weight_tiers")
    with op.batch_alter_table("variants") as batch_op:
        batch_op.drop_column("grams")
