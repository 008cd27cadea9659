"""A large catalog in chatshop's database, made by the search benchmark's generator.

The products of `benchmarks.searchbench` (real product vocabulary, seeded) are written straight
into the tables in batches, as one merchant's catalog beside the demo shops: the importer would
take minutes for 100k rows (issue 15), and what is measured here is the bot, not the import.
Each product has one variant (no options to choose) and, for some, a title in a second language.
Buyers search for two words of a product's English title.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.sql import func

from benchmarks.searchbench.catalog import BRAND, WORD, Catalog, CatalogGenerator
from benchmarks.searchbench.sources import fetch_all
from benchmarks.searchbench.vocabulary import build_vocabulary
from bot.database import SessionFactory, transaction
from catalog.merchants import create_merchant
from catalog.models import Product, ProductTranslation, Variant
from catalog.version import bump_catalog_version, catalog_version

SLUG = "bench-goods"
SEED = 20260
BATCH = 2000
QUERIES = 500


def generate(size: int, log: Callable[[str], None]) -> Catalog:
    vocabulary = build_vocabulary(fetch_all(log=log), log=log)
    return CatalogGenerator(vocabulary, SEED).generate(size)


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


async def seed(sessions: SessionFactory, catalog: Catalog) -> None:
    """Writes `catalog` as the merchant SLUG's products, in one transaction."""
    async with transaction(sessions) as session:
        merchant = await create_merchant(
            session, slug=SLUG, currency="USD", name="Bench Goods", language="en"
        )
        offset = await session.scalar(select(func.coalesce(func.max(Product.id), 0))) or 0
        version = await catalog_version(session) + 1
        products, translations, variants = [], [], []
        for product, document in zip(catalog.products, catalog.documents, strict=True):
            number = offset + product.product_id
            products.append(
                {
                    "id": number,
                    "merchant_id": merchant.id,
                    "handle": f"bench-{product.product_id}",
                    "title": product.en.title()[:500],
                    "brand": product.brand[:255],
                    "category": product.category,
                    "version": version,
                }
            )
            if product.loc is not None:
                translations.append(
                    {
                        "product_id": number,
                        "language": product.loc_lang,
                        "title": product.loc.title()[:500],
                    }
                )
            variants.append(
                {
                    "product_id": number,
                    "merchant_id": merchant.id,
                    "sku": f"BG-{product.product_id}",
                    "price_minor": int(product.price * 100),
                    "stock": 50 if document.in_stock else 0,
                }
            )
        for table, rows in ((Product, products), (ProductTranslation, translations),
                            (Variant, variants)):  # fmt: skip
            for batch in _batches(rows):
                await session.execute(insert(table), batch)
        bumped = await bump_catalog_version(session)
        assert bumped == version, "nobody else writes the catalog while it is seeded"


def queries(catalog: Catalog) -> list[str]:
    """Two words of the English titles of products picked at random (seeded)."""
    rng = random.Random(SEED)
    found = []
    for product in rng.sample(catalog.products, min(QUERIES, len(catalog.products))):
        words = [
            w
            for w, k in zip(product.en.words, product.en.kinds, strict=True)
            if k in (WORD, BRAND) and len(w) > 2
        ]
        if len(words) >= 2:
            found.append(" ".join(words[:2]).lower())
    return found
