"""The catalog's rows as the search engine's `SearchDocument`s, all at once or since a version.

Read as plain column tuples, three flat queries and no ORM objects: at 100k products, loading
them through the ORM took most of the first search's 13-27 s and tripled the worker's memory.
Only active products are documents; a product that became a draft or was archived since the
asked version comes back in `removed`, so an incremental refresh forgets it. Products deleted
outright leave no row to notice: the index may still find them until its next full build, and
`storefront.offers` drops ids that no longer load, so the buyer never sees one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import (
    InventoryPolicy,
    Merchant,
    Product,
    ProductStatus,
    ProductTranslation,
    Variant,
)
from catalog.search import SearchDocument
from money import Money

PARTITION = 2_000  # rows per fetch
_Columns = TypeVarTuple("_Columns")


@dataclass(frozen=True, slots=True)
class DocumentBatch:
    documents: list[SearchDocument] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)  # product ids no longer listed


@dataclass(slots=True)
class _Draft:
    """A product's columns while its translations and variants are gathered."""

    merchant_id: int
    language: str
    currency: str
    title: str
    description: str
    brand: str
    category: str
    tags: tuple[str, ...]
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    skus: list[str] = field(default_factory=list)
    options: set[str] = field(default_factory=set)
    prices: list[tuple[int, bool]] = field(default_factory=list)  # (price_minor, available)

    def document(self, product_id: int) -> SearchDocument:
        titles = {self.language: self.title, **self.titles}
        descriptions = {self.language: self.description} if self.description else {}
        descriptions.update(self.descriptions)
        for_sale = [price for price, available in self.prices if available]
        lowest = min(for_sale or [price for price, _ in self.prices], default=None)
        return SearchDocument(
            product_id=product_id,
            merchant_id=self.merchant_id,
            titles=titles,
            brand=self.brand,
            category=self.category,
            tags=self.tags,
            skus=tuple(self.skus),
            options=tuple(sorted(self.options)),
            descriptions=descriptions,
            in_stock=any(available for _, available in self.prices),
            price=None if lowest is None else Money.from_minor(lowest, self.currency).amount,
            currency=self.currency,
        )


async def _rows(session: AsyncSession, query: Select[*_Columns]) -> AsyncIterator[Row[*_Columns]]:
    """The query's rows in slices, each fetched with an await: at 100k products (and several
    translations each) one fetch-and-loop would hold the event loop, and every buyer, for
    seconds while the warm-up reads."""
    result = await session.stream(query)
    async for partition in result.partitions(PARTITION):
        for row in partition:
            yield row


async def load_search_documents(
    session: AsyncSession,
    *,
    since_version: int | None = None,
    only: Collection[int] | None = None,
) -> DocumentBatch:
    """Every active product with a price, or with `since_version` only what changed after it,
    or with `only` the products of those ids."""
    changed: ColumnElement[bool] = (
        Product.status == ProductStatus.ACTIVE.value
        if since_version is None
        else Product.version > since_version
    )
    if only is not None:
        changed = and_(changed, Product.id.in_(only))
    products = (
        select(
            Product.id,
            Product.status,
            Product.merchant_id,
            Merchant.language,
            Merchant.currency,
            Product.title,
            Product.description,
            Product.brand,
            Product.category,
            Product.tags,
        )
        .join(Merchant, Product.merchant_id == Merchant.id)
        .where(changed)
        .order_by(Product.id)
    )
    batch = DocumentBatch()
    drafts: dict[int, _Draft] = {}
    async for row in _rows(session, products):
        product_id, status, merchant_id, language, currency, title, description, brand, category = (
            row[:9]
        )
        if status == ProductStatus.ACTIVE.value:
            drafts[product_id] = _Draft(
                merchant_id,
                language,
                currency,
                title,
                description,
                brand,
                category,
                tags=tuple(row.tags or ()),
            )
        else:
            batch.removed.append(product_id)
    if not drafts:
        return batch
    chosen = select(Product.id).where(changed, Product.status == ProductStatus.ACTIVE.value)
    translations = select(
        ProductTranslation.product_id,
        ProductTranslation.language,
        ProductTranslation.title,
        ProductTranslation.description,
    ).where(ProductTranslation.product_id.in_(chosen))
    async for product_id, language, title, description in _rows(session, translations):
        draft = drafts.get(product_id)
        if draft is None:
            continue  # activated between the two reads: the next refresh brings it whole
        if title:
            draft.titles[language] = title
        if description:
            draft.descriptions[language] = description
    variants = (
        select(
            Variant.product_id,
            Variant.sku,
            Variant.option1,
            Variant.option2,
            Variant.option3,
            Variant.price_minor,
            Variant.stock,
            Variant.inventory_policy,
        )
        .where(Variant.product_id.in_(chosen))
        .order_by(Variant.product_id, Variant.position)
    )
    async for product_id, sku, *options, price, stock, policy in _rows(session, variants):
        draft = drafts.get(product_id)
        if draft is None or price <= 0:  # a variant imported at 0 waits for its price
            continue
        if sku:
            draft.skus.append(sku)
        draft.options.update(value for value in options if value)
        draft.prices.append((price, stock > 0 or policy == InventoryPolicy.CONTINUE.value))
    for product_id, draft in drafts.items():
        if draft.prices:
            batch.documents.append(draft.document(product_id))
        else:  # nothing priced yet: hidden from buyers until the shop sets a price
            batch.removed.append(product_id)
    return batch
