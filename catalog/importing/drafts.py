"""Products as read from a file, before they meet the database: plain, immutable values.

The same shapes travel both ways: the importer parses rows into drafts and applies them, and the
exporter turns stored products into drafts and writes them. So "export then import changes
nothing" is one property over one type, testable without a database. Line numbers are carried
for messages only and take no part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from catalog.models import InventoryPolicy, ProductStatus


@dataclass(frozen=True, slots=True)
class VariantDraft:
    price: Decimal
    sku: str | None = None
    option_values: tuple[str, ...] = ()  # one per option name of the product
    compare_at_price: Decimal | None = None
    stock: int = 0
    inventory_policy: InventoryPolicy = InventoryPolicy.DENY
    barcode: str | None = None
    grams: int | None = None  # shipping weight of one unit; None: not given
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ImageDraft:
    url: str
    alt: str = ""


@dataclass(frozen=True, slots=True)
class TranslationDraft:
    language: str
    title: str = ""
    description: str = ""
    option_names: tuple[str, ...] = ()  # per option of the product, "" where not translated
    # (option number, the merchant's value, its translation), sorted
    option_values: tuple[tuple[int, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ProductDraft:
    merchant: str
    handle: str
    title: str
    variants: tuple[VariantDraft, ...]
    description: str = ""
    brand: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    status: ProductStatus = ProductStatus.ACTIVE
    option_names: tuple[str, ...] = ()
    images: tuple[ImageDraft, ...] = ()
    translations: tuple[TranslationDraft, ...] = ()  # sorted by language
    currency: str | None = None  # the currency the file declares for its prices, if it does
    line: int = field(default=0, compare=False)  # the product's first row
    row_count: int = field(default=1, compare=False)  # rows it spans, for progress and skips
