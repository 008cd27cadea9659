"""What the search engine knows about one product: a plain, immutable record.

The catalog builds these from its ORM rows; the engine never sees the database. Keeping the record
frozen lets the index hand the same object to filters without defensive copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One product as the search index sees it.

    ``titles`` and ``descriptions`` map a language code ("en", "zh", "ru", ...) to text; every
    translation is searchable, so a buyer finds the product in whichever language they type.
    ``price`` is the lowest variant price in the merchant's ``currency``.
    """

    product_id: int
    merchant_id: int
    titles: Mapping[str, str]
    brand: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    descriptions: Mapping[str, str] = field(default_factory=dict)
    in_stock: bool = True
    price: Decimal | None = None
    currency: str = ""
