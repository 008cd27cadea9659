"""Helpers for import tests: run an import, read the catalog back as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.database import SessionFactory
from catalog.importing import ImportReport, import_catalog
from catalog.models import CatalogVersion, Merchant, Product

DATA = Path(__file__).parent / "data"
SHOPIFY_LEGACY = DATA / "shopify_legacy_template.csv"


async def run_import(
    sessions: SessionFactory, data: bytes | str, merchant: str = "acme", **options: Any
) -> ImportReport:
    raw = data.encode() if isinstance(data, str) else data
    options.setdefault("currency", "USD")
    return await import_catalog(sessions, raw, merchant_slug=merchant, **options)


async def catalog_state(sessions: SessionFactory) -> dict[str, Any]:
    """Everything an import can change, as plain data (ids left out), to compare before/after."""
    async with sessions() as session:
        merchants = {m.slug: m.currency for m in await session.scalars(select(Merchant))}
        version = await session.scalar(select(CatalogVersion.version))
        products = await session.scalars(
            select(Product)
            .order_by(Product.handle)
            .options(
                selectinload(Product.variants),
                selectinload(Product.images),
                selectinload(Product.translations),
                selectinload(Product.merchant),
            )
        )
        return {
            "merchants": merchants,
            "version": version,
            "products": {
                (p.merchant.slug, p.handle): {
                    "fields": (
                        p.title, p.description, p.brand, p.category, tuple(p.tags), p.status,
                        p.option_names, p.version,
                    ),
                    "variants": [
                        (v.id, v.sku, v.position, v.option_values, v.price_minor,
                         v.compare_at_minor, v.stock, v.inventory_policy, v.barcode, v.grams)
                        for v in p.variants
                    ],
                    "images": [(i.url, i.alt) for i in p.images],
                    "translations": [
                        (t.language, t.title, t.description, t.option_names, t.option_values)
                        for t in p.translations
                    ],
                }
                for p in products
            },
        }  # fmt: skip


async def load_product(sessions: SessionFactory, handle: str) -> Product:
    async with sessions() as session:
        product = await session.scalar(
            select(Product)
            .where(Product.handle == handle)
            .options(
                selectinload(Product.variants),
                selectinload(Product.images),
                selectinload(Product.translations),
            )
        )
        assert product is not None, handle
        return product
