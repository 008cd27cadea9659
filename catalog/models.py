"""The catalog's tables: merchants, products, their translations, variants, photos, a version row.

Schema decisions, each for a reason:
- Prices are integer minor units (`price_minor`) in the merchant's currency, never floats;
  `money.Money` converts to and from `Decimal` at the edges.
- Tags are a JSON list on the product, not a join table: they are only ever read together with
  their product (search documents, export), the search index is in memory, and no SQL query
  filters by tag. A join table would cost a table, a row per tag and a second query per load for
  no query we run; should tag filtering move into SQL, a migration can split them out.
- Option *names* (Size, Colour, ...) live on the product and option *values* on its variants, as
  Shopify models them: every variant of a product answers the same questions. Absent values are
  "" rather than NULL so that comparisons stay simple on both backends.
- `Variant.merchant_id` repeats the product's merchant so the database itself can keep a SKU
  unique per merchant (NULL SKUs never collide, on SQLite and PostgreSQL alike).
- A CHECK keeps stock from going below zero unless the variant may be oversold
  (`inventory_policy = 'continue'`): the last line of defence behind `catalog.stock`.
- `catalog_version` is one row counting catalog changes; each product records the version of its
  last change, so a worker's in-memory search index can ask "what changed since N?" cheaply.
- Relationships are `lazy="raise"`: under asyncio a forgotten eager load is a clear error at
  the line that forgot it, not an implicit query (or a MissingGreenlet) somewhere later.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db import Base, utcnow

# Column widths, shared with the importer's length checks so a too-long value is a clear
# message at its line instead of a database error (PostgreSQL enforces them, SQLite does not).
SLUG_MAX = 64
NAME_MAX = 200
HANDLE_MAX = 255
TITLE_MAX = 500
LABEL_MAX = 255  # brand, category, option names and values
TAG_MAX = 100
SKU_MAX = 100
BARCODE_MAX = 64
URL_MAX = 2048
ALT_MAX = 500
LANGUAGE_MAX = 16
FILE_ID_MAX = 255
MAX_OPTIONS = 3


class ProductStatus(StrEnum):
    ACTIVE = "active"  # listed: buyers can find and buy it
    DRAFT = "draft"  # being prepared, not shown
    ARCHIVED = "archived"  # no longer sold, kept for old orders and re-listing


class InventoryPolicy(StrEnum):
    DENY = "deny"  # stop selling at zero
    CONTINUE = "continue"  # keep selling below zero (made to order, pre-orders, untracked stock)


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN (" + ", ".join(f"'{member.value}'" for member in enum) + ")"


class Merchant(Base):
    """A shop selling through the bot, with its own catalog and base currency."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217: every price of this merchant's
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), default="en")  # of `Product.title`
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Product(Base):
    """One thing a merchant sells; what is bought is one of its variants."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("merchant_id", "handle"),
        CheckConstraint(_in("status", ProductStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    handle: Mapped[str] = mapped_column(String(HANDLE_MAX))  # the merchant's stable key
    title: Mapped[str] = mapped_column(String(TITLE_MAX))  # in the merchant's language
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    category: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=ProductStatus.ACTIVE.value)
    option1_name: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    option2_name: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    option3_name: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    # The catalog version of this product's last change (see `CatalogVersion`).
    version: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    merchant: Mapped[Merchant] = relationship(lazy="raise")
    translations: Mapped[list[ProductTranslation]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ProductTranslation.language",
        lazy="raise",
    )
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Variant.position, Variant.id)",
        lazy="raise",
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(ProductImage.position, ProductImage.id)",
        lazy="raise",
    )

    @property
    def option_names(self) -> tuple[str, ...]:
        """The option names in use, in order: ("Colour", "Size"), or () for a single variant."""
        names = (self.option1_name, self.option2_name, self.option3_name)
        used = len(names)
        while used and not names[used - 1]:
            used -= 1
        return names[:used]

    def options_of(self, variant: Variant) -> dict[str, str]:
        """{"Colour": "Green", "Size": "S"}: what an order line or a product card shows."""
        return dict(zip(self.option_names, variant.option_values, strict=False))


class ProductTranslation(Base):
    """The title and description in one more language; search matches every translation."""

    __tablename__ = "product_translations"
    __table_args__ = (UniqueConstraint("product_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX))
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # The option names in this language, in the product's order ("" where not translated), and
    # each option's values: {"1": {"Black": "Schwarz"}} (keys are option numbers).
    option_names: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    option_values: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON(none_as_null=True))

    product: Mapped[Product] = relationship(back_populates="translations", lazy="raise")


class Variant(Base):
    """What a buyer actually buys: one combination of options, with its price and stock."""

    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("merchant_id", "sku"),
        CheckConstraint(_in("inventory_policy", InventoryPolicy), name="inventory_policy_known"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint(
            "compare_at_minor IS NULL OR compare_at_minor >= 0", name="compare_at_not_negative"
        ),
        # Never oversold: only a variant that may be sold below zero can have negative stock.
        CheckConstraint("stock >= 0 OR inventory_policy = 'continue'", name="stock_not_oversold"),
        Index("ix_variants_product_id_position", "product_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    sku: Mapped[str | None] = mapped_column(String(SKU_MAX))
    position: Mapped[int] = mapped_column(Integer, default=0)
    option1: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    option2: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    option3: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    price_minor: Mapped[int] = mapped_column(BigInteger)  # in the merchant's currency
    compare_at_minor: Mapped[int | None] = mapped_column(BigInteger)  # the "was" price
    stock: Mapped[int] = mapped_column(Integer, default=0)
    inventory_policy: Mapped[str] = mapped_column(String(8), default=InventoryPolicy.DENY.value)
    barcode: Mapped[str | None] = mapped_column(String(BARCODE_MAX))
    # Shipping weight in grams (Shopify's "Variant Grams"); None: not given, ships as weightless.
    grams: Mapped[int | None] = mapped_column(Integer)

    product: Mapped[Product] = relationship(back_populates="variants", lazy="raise")

    @property
    def option_values(self) -> tuple[str, str, str]:
        return (self.option1, self.option2, self.option3)

    @property
    def priced(self) -> bool:
        """Has a price: a variant imported at 0 is hidden from buyers until the shop prices it."""
        return self.price_minor > 0

    @property
    def available(self) -> bool:
        """Can be bought now: priced, and in stock or allowed to be sold below zero."""
        return self.priced and (
            self.stock > 0 or self.inventory_policy == InventoryPolicy.CONTINUE.value
        )


class ProductImage(Base):
    """A photo of a product: a URL or a path under the media directory, in display order.

    `telegram_file_id` caches Telegram's id once the photo has been sent, so it is uploaded once.
    """

    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(String(URL_MAX))
    alt: Mapped[str] = mapped_column(String(ALT_MAX), default="")
    telegram_file_id: Mapped[str | None] = mapped_column(String(FILE_ID_MAX))

    product: Mapped[Product] = relationship(back_populates="images", lazy="raise")


class CatalogVersion(Base):
    """One row counting catalog changes; each worker's search index compares it to its own.

    Reading one integer per search is far cheaper than comparing timestamps across products, and
    it cannot miss a change made within the same clock tick by another worker.
    """

    __tablename__ = "catalog_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
