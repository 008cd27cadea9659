"""Browsing by category: the list of categories, and a category's products page by page.

A category is a label on its products, not a row, so buttons name it by a stable number
derived from its name (`memory.category_key`); a category that has gone since reads as expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Product, ProductStatus
from orders.customers import Buyer
from storefront.listings import listing_query, read_listings
from storefront.memory import CATEGORY_PREFIX, category_key
from storefront.offers import Offer, to_offer
from storefront.pricing import buyer_pricing
from storefront.search import LAST_PAGE, PAGE_SIZE

MAX_CATEGORIES = 50  # one screen of buttons


@dataclass(frozen=True, slots=True)
class Category:
    key: int
    name: str
    count: int  # active products


@dataclass(frozen=True, slots=True)
class CategoryPage:
    category: Category
    offers: tuple[Offer, ...]
    page: int
    has_more: bool
    currency: str
    wanted_currency: str

    @property
    def key(self) -> str:
        """The "page" button's key for this category."""
        return f"{CATEGORY_PREFIX}{self.category.key}"

    @property
    def first_number(self) -> int:
        return self.page * PAGE_SIZE + 1


async def list_categories(
    session: AsyncSession, *, merchant_id: int | None = None
) -> list[Category]:
    """Categories with at least one active product (of one merchant's, if given), by name."""
    query = select(Product.category, func.count()).where(
        Product.status == ProductStatus.ACTIVE.value, Product.category != ""
    )
    if merchant_id is not None:
        query = query.where(Product.merchant_id == merchant_id)
    rows = await session.execute(
        query.group_by(Product.category).order_by(Product.category).limit(MAX_CATEGORIES)
    )
    return [Category(category_key(name), name, count) for name, count in rows]


async def find_category(session: AsyncSession, key: int) -> Category | None:
    return next((c for c in await list_categories(session) if c.key == key), None)


async def browse_category(
    session: AsyncSession,
    *,
    key: int,
    page: int,
    buyer: Buyer,
    max_rate_age: timedelta,
    now: datetime | None = None,
) -> CategoryPage | None:
    """The `page`-th page of a category's products; None when the category is gone."""
    category = await find_category(session, key)
    if category is None or not 0 <= page <= LAST_PAGE:
        return None
    pricing = await buyer_pricing(
        session, currency=buyer.currency, max_rate_age=max_rate_age, now=now
    )
    found = await read_listings(
        session,
        listing_query()
        .where(Product.category == category.name)
        .order_by(Product.title, Product.id)
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE + 1),
    )
    return CategoryPage(
        category=category,
        offers=tuple(to_offer(listing, pricing, buyer.locale) for listing in found[:PAGE_SIZE]),
        page=page,
        has_more=len(found) > PAGE_SIZE,
        currency=pricing.currency,
        wanted_currency=pricing.wanted,
    )
