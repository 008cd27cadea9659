"""Products as a result list reads them: plain rows in two statements, not ORM objects.

A search weighs up to 120 candidates and shows eight. Loading each as a `Product` with its
translations, variants and images took four statements and built some thousand ORM objects per
search, most of the worker's CPU for that update. A list entry needs much less of a product: its
names (for relevance), its lowest price and whether it is in stock, one photo. The database
works those out per product (`_variant_summary`, `_photo`) in the statement that reads the
products; a second statement reads their translations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import (
    InventoryPolicy,
    Merchant,
    Product,
    ProductImage,
    ProductStatus,
    ProductTranslation,
    Variant,
)
from db import MAX_ROW_ID

# Joins a variant's option values into one column; no option value contains it.
_OPTION_SEPARATOR = "\x1f"
# Enough of a description for a list entry's line (`offers.SHORT_DESCRIPTION` characters after
# spaces are squeezed): a shop's HTML description can be long, and it would be read 120 times.
DESCRIPTION_READ = 1000


@dataclass(frozen=True, slots=True)
class Listing:
    """What a list entry, and the relevance check before it, read of one active product."""

    product_id: int
    merchant: Merchant  # with its settings: the price policy
    title: str  # in the merchant's language
    description: str  # the start of it
    brand: str
    tags: tuple[str, ...]
    translations: tuple[tuple[str, str, str], ...]  # (language, title, start of description)
    option_values: tuple[str, ...]  # every variant's, the empty ones left out
    lowest_minor: int  # of the variants for sale (all priced ones when none is)
    prices: int  # how many different prices those have
    in_stock: bool
    photo_url: str | None  # the first http(s) photo: what inline results can show


def _for_sale() -> Any:
    """A variant that can be bought now (`Variant.available`)."""
    return and_(
        Variant.price_minor > 0,
        or_(Variant.stock > 0, Variant.inventory_policy == InventoryPolicy.CONTINUE.value),
    )


def _variant_summary() -> tuple[Any, ...]:
    """Per product, as correlated subqueries over its variants (an index seek each): the lowest
    price for sale, the number of different prices, in stock, the option values."""
    for_sale = _for_sale()
    sale_price = case((for_sale, Variant.price_minor))
    priced = case((Variant.price_minor > 0, Variant.price_minor))
    mine = Variant.product_id == Product.id
    lowest = select(func.coalesce(func.min(sale_price), func.min(priced))).where(mine)
    prices = select(
        case(
            (func.max(case((for_sale, 1), else_=0)) == 1, func.count(sale_price.distinct())),
            else_=func.count(priced.distinct()),
        )
    ).where(mine)
    in_stock = select(func.max(case((for_sale, 1), else_=0))).where(mine)
    options = select(
        func.aggregate_strings(
            Variant.option1 + _OPTION_SEPARATOR + Variant.option2 + _OPTION_SEPARATOR
            + Variant.option3,
            _OPTION_SEPARATOR,
        )
    ).where(mine)  # fmt: skip
    return (
        lowest.scalar_subquery().label("lowest"),
        prices.scalar_subquery().label("prices"),
        in_stock.scalar_subquery().label("in_stock"),
        options.scalar_subquery().label("options"),
    )


def _photo() -> Any:
    web = or_(ProductImage.url.startswith("https://"), ProductImage.url.startswith("http://"))
    return (
        select(ProductImage.url)
        .where(ProductImage.product_id == Product.id, web)
        .order_by(ProductImage.position, ProductImage.id)
        .limit(1)
        .scalar_subquery()
        .label("photo")
    )


def listing_query() -> Select[Any]:
    """Active, priced products with their merchant, one row each; add a filter and an order."""
    return (
        select(
            Merchant,
            Product.id,
            Product.title,
            func.substr(Product.description, 1, DESCRIPTION_READ),
            Product.brand,
            Product.tags,
            *_variant_summary(),
            _photo(),
        )
        .join(Merchant, Product.merchant_id == Merchant.id)
        .where(on_sale())
    )


def on_sale() -> Any:
    """What buyers see of a catalog: active products, priced somewhere (a product imported at 0
    everywhere is hidden until the shop prices it)."""
    priced = select(Variant.id).where(Variant.product_id == Product.id, Variant.price_minor > 0)
    return and_(Product.status == ProductStatus.ACTIVE.value, priced.exists())


async def read_listings(session: AsyncSession, query: Select[Any]) -> list[Listing]:
    """The listings `query` (a `listing_query()` narrowed) selects, in its order."""
    rows = (await session.execute(query)).all()
    translations = await _translations(session, [row[1] for row in rows])
    return [_listing(row, translations) for row in rows]


def _listing(row: Any, translations: dict[int, tuple[tuple[str, str, str], ...]]) -> Listing:
    merchant, product_id, title, description, brand, tags, *summary, photo = row
    lowest, prices, in_stock, options = summary
    return Listing(
        product_id=product_id,
        merchant=merchant,
        title=title,
        description=description or "",
        brand=brand or "",
        tags=tuple(tags or ()),
        translations=translations.get(product_id, ()),
        option_values=tuple(v for v in (options or "").split(_OPTION_SEPARATOR) if v),
        lowest_minor=lowest or 0,
        prices=prices or 0,
        in_stock=bool(in_stock),
        photo_url=photo,
    )


async def load_listings(session: AsyncSession, product_ids: Sequence[int]) -> list[Listing]:
    """The listings of the active products among `product_ids`, in that order."""
    ids = [pid for pid in dict.fromkeys(product_ids) if 0 < pid <= MAX_ROW_ID]
    if not ids:
        return []
    found = {
        listing.product_id: listing
        for listing in await read_listings(session, listing_query().where(Product.id.in_(ids)))
    }
    return [found[pid] for pid in ids if pid in found]


async def _translations(
    session: AsyncSession, product_ids: list[int]
) -> dict[int, tuple[tuple[str, str, str], ...]]:
    if not product_ids:
        return {}
    rows = await session.execute(
        select(
            ProductTranslation.product_id,
            ProductTranslation.language,
            ProductTranslation.title,
            func.substr(ProductTranslation.description, 1, DESCRIPTION_READ),
        )
        .where(ProductTranslation.product_id.in_(product_ids))
        .order_by(ProductTranslation.product_id, ProductTranslation.language)
    )
    found: defaultdict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for product_id, language, title, description in rows:
        found[product_id].append((language, title or "", description or ""))
    return {product_id: tuple(each) for product_id, each in found.items()}
