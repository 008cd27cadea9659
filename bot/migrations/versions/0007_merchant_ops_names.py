"""The buyer's name and username for the shop's notices; option names and values per language.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("username", sa.String(64), nullable=True))
    with op.batch_alter_table("product_translations") as batch_op:
        batch_op.add_column(sa.Column("option_names", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("option_values", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("product_translations") as batch_op:
        batch_op.drop_column("option_values")
        batch_op.drop_column("option_names")
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("username")
        batch_op.drop_column("name")
