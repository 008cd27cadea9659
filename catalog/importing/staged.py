"""Staging tables: an import's rows, written in small batches, invisible to buyers until the swap.

An import writes what it will change here, batch by batch, each batch its own short transaction
(so buyers' transactions interleave, SQLite included); one short transaction then applies the
whole of it to the catalog with set-based statements (`catalog.importing.swap`). Every row
belongs to one `CatalogImport`; a failed or abandoned import's rows are deleted, and one that a
crash left behind is deleted by the next import (see `STALE_AFTER`).

Only products that change are staged, each completely (every field the file can set): which of
those fields the swap writes depends on the file's columns, known to the importing process.
No foreign keys to the catalog: a staged row names the product or variant it updates by id, and
the swap checks they are still the merchant's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import (
    ALT_MAX,
    BARCODE_MAX,
    HANDLE_MAX,
    LABEL_MAX,
    LANGUAGE_MAX,
    SKU_MAX,
    SLUG_MAX,
    TITLE_MAX,
    URL_MAX,
)
from db import Base, utcnow

STALE_AFTER: Final = timedelta(hours=6)  # far longer than any import; then it died with its worker


class CatalogImport(Base):
    """One import in progress: its staged rows hang off it and go with it."""

    __tablename__ = "catalog_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)


def _import_id() -> Mapped[int]:
    return mapped_column(
        ForeignKey("catalog_imports.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )


class StagedProduct(Base):
    """A product the import creates (`product_id` NULL until the swap) or changes."""

    __tablename__ = "staged_products"

    import_id: Mapped[int] = _import_id()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    product_id: Mapped[int | None] = mapped_column(Integer)
    is_new: Mapped[bool] = mapped_column(Boolean)
    set_images: Mapped[bool] = mapped_column(Boolean)  # replace its photos with the staged ones
    set_translations: Mapped[bool] = mapped_column(Boolean)  # ... its translations in the file's
    handle: Mapped[str] = mapped_column(String(HANDLE_MAX))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text)
    brand: Mapped[str] = mapped_column(String(LABEL_MAX))
    category: Mapped[str] = mapped_column(String(LABEL_MAX))
    tags: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    option1_name: Mapped[str] = mapped_column(String(LABEL_MAX))
    option2_name: Mapped[str] = mapped_column(String(LABEL_MAX))
    option3_name: Mapped[str] = mapped_column(String(LABEL_MAX))


class StagedVariant(Base):
    """A variant of a staged product: new (`variant_id` NULL), or an existing one it updates."""

    __tablename__ = "staged_variants"

    import_id: Mapped[int] = _import_id()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    variant_id: Mapped[int | None] = mapped_column(Integer)
    changed: Mapped[bool] = mapped_column(Boolean)  # an existing variant the file changes
    sku: Mapped[str | None] = mapped_column(String(SKU_MAX))
    option1: Mapped[str] = mapped_column(String(LABEL_MAX))
    option2: Mapped[str] = mapped_column(String(LABEL_MAX))
    option3: Mapped[str] = mapped_column(String(LABEL_MAX))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    compare_at_minor: Mapped[int | None] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(Integer)
    inventory_policy: Mapped[str] = mapped_column(String(8))
    barcode: Mapped[str | None] = mapped_column(String(BARCODE_MAX))
    grams: Mapped[int | None] = mapped_column(Integer)


class StagedImage(Base):
    __tablename__ = "staged_images"

    import_id: Mapped[int] = _import_id()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    url: Mapped[str] = mapped_column(String(URL_MAX))
    alt: Mapped[str] = mapped_column(String(ALT_MAX))


class StagedTranslation(Base):
    __tablename__ = "staged_translations"

    import_id: Mapped[int] = _import_id()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text)
    option_names: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    option_values: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON(none_as_null=True))
