"""Staging tables for catalog imports: batches written beside the catalog, swapped in at the end.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_slug", sa.String(64), nullable=False),
        sa.Column("started_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_imports")),
    )
    op.create_table(
        "staged_products",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("is_new", sa.Boolean(), nullable=False),
        sa.Column("set_images", sa.Boolean(), nullable=False),
        sa.Column("set_translations", sa.Boolean(), nullable=False),
        sa.Column("handle", sa.String(255), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("brand", sa.String(255), nullable=False),
        sa.Column("category", sa.String(255), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("option1_name", sa.String(255), nullable=False),
        sa.Column("option2_name", sa.String(255), nullable=False),
        sa.Column("option3_name", sa.String(255), nullable=False),
        *_keys("staged_products", "seq"),
    )
    op.create_table(
        "staged_variants",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("sku", sa.String(100), nullable=True),
        sa.Column("option1", sa.String(255), nullable=False),
        sa.Column("option2", sa.String(255), nullable=False),
        sa.Column("option3", sa.String(255), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("compare_at_minor", sa.BigInteger(), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("inventory_policy", sa.String(8), nullable=False),
        sa.Column("barcode", sa.String(64), nullable=True),
        sa.Column("grams", sa.Integer(), nullable=True),
        *_keys("staged_variants", "seq", "position"),
    )
    op.create_table(
        "staged_images",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("alt", sa.String(500), nullable=False),
        *_keys("staged_images", "seq", "position"),
    )
    op.create_table(
        "staged_translations",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("option_names", sa.JSON(), nullable=True),
        sa.Column("option_values", sa.JSON(), nullable=True),
        *_keys("staged_translations", "seq", "language"),
    )


def _keys(table: str, *columns: str) -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["catalog_imports.id"],
            name=op.f(f"fk_{table}_import_id_catalog_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", *columns, name=op.f(f"pk_{table}")),
    ]


def downgrade() -> None:
    for table in ("staged_translations", "staged_images", "staged_variants", "staged_products"):
        op.drop_table(table)
    op.drop_table("catalog_imports")
