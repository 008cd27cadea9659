"""The catalog's ORM rows as the search engine's `SearchDocument`s, all at once or since a version.

Only active products are documents; a product that became a draft or was archived since the
asked version comes back in `removed`, so an incremental refresh forgets it. Products deleted
outright leave no row to notice: the index may still find them until its next full build, and
`storefront.offers` drops ids that no longer load, so the buyer never sees one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.models import Merchant, Product, ProductStatus
from catalog.search import SearchDocument
from money import Money


@dataclass(frozen=True, slots=True)
class DocumentBatch:
    documents: list[SearchDocument] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)  # product ids no longer listed


def to_document(product: Product, merchant: Merchant) -> SearchDocument:
    """One product (translations and variants loaded) as the index sees it."""
    titles = {merchant.language: product.title}
    descriptions = {merchant.language: product.description} if product.description else {}
    for translation in product.translations:
        if translation.title:
            titles[translation.language] = translation.title
        if translation.description:
            descriptions[translation.language] = translation.description
    variants = [variant for variant in product.variants if variant.priced]
    for_sale = [variant for variant in variants if variant.available] or variants
    lowest = min((variant.price_minor for variant in for_sale), default=None)
    options = {value for variant in variants for value in variant.option_values if value}
    return SearchDocument(
        product_id=product.id,
        merchant_id=product.merchant_id,
        titles=titles,
        brand=product.brand,
        category=product.category,
        tags=tuple(product.tags or ()),
        skus=tuple(variant.sku for variant in variants if variant.sku),
        options=tuple(sorted(options)),
        descriptions=descriptions,
        in_stock=any(variant.available for variant in variants),
        price=None if lowest is None else Money.from_minor(lowest, merchant.currency).amount,
        currency=merchant.currency,
    )


async def load_search_documents(
    session: AsyncSession, *, since_version: int | None = None
) -> DocumentBatch:
    """Every active product with a price, or with `since_version` only what changed after it."""
    statement = (
        select(Product, Merchant)
        .join(Merchant, Product.merchant_id == Merchant.id)
        .options(selectinload(Product.translations), selectinload(Product.variants))
        .order_by(Product.id)
    )
    if since_version is None:
        statement = statement.where(Product.status == ProductStatus.ACTIVE.value)
    else:
        statement = statement.where(Product.version > since_version)
    batch = DocumentBatch()
    for product, merchant in await session.execute(statement):
        if product.status == ProductStatus.ACTIVE.value and any(
            variant.priced for variant in product.variants
        ):
            batch.documents.append(to_document(product, merchant))
        else:
            batch.removed.append(product.id)
    return batch
