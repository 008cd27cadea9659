"""Puts the two demo shops and their bundled catalogs into a database.

Each shop is created with its name, currency and language, then its CSV file goes through the
catalog importer like any merchant's upload. A shop that is already there is left exactly as it
is (stock sold in earlier demo sessions included), so seeding at every start changes nothing;
`refresh=True` re-imports the bundled files over it instead, restoring prices, texts and stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete

from bot.database import SessionFactory, transaction
from bot.demo.shops import SHOPS, DemoShop
from catalog.importing import ImportReport, import_catalog
from catalog.merchants import create_merchant, find_merchant
from catalog.models import Merchant
from orders.shipping import set_rule


class DemoSeedError(RuntimeError):
    """A bundled catalog file failed to import: the demo data itself is broken."""


@dataclass(frozen=True, slots=True)
class ShopSeed:
    slug: str
    merchant_created: bool
    imported: ImportReport | None  # None: the shop was already there and left alone


@dataclass(frozen=True, slots=True)
class SeedReport:
    shops: tuple[ShopSeed, ...]

    @property
    def products_created(self) -> int:
        return sum(shop.imported.created for shop in self.shops if shop.imported)

    @property
    def changed(self) -> bool:
        """Whether this seeding wrote anything."""
        return any(
            shop.merchant_created
            or (shop.imported is not None and bool(shop.imported.created or shop.imported.updated))
            for shop in self.shops
        )


async def seed_demo_catalog(
    sessions: SessionFactory, *, refresh: bool = False, shops: Sequence[DemoShop] = SHOPS
) -> SeedReport:
    """Creates the demo shops that are missing and imports their catalogs.

    Each shop and its shipping rules in one transaction, then its catalog through the importer
    (which takes transactions of its own, all or nothing); a shop whose catalog fails to import
    is deleted again, so the next start tries afresh.
    """
    results = []
    for shop in shops:
        async with transaction(sessions) as session:
            merchant = await find_merchant(session, slug=shop.slug)
            if merchant is not None and not refresh:
                results.append(ShopSeed(shop.slug, merchant_created=False, imported=None))
                continue
            created = merchant is None
            if merchant is None:
                merchant = await create_merchant(
                    session,
                    slug=shop.slug,
                    currency=shop.currency,
                    name=shop.name,
                    language=shop.language,
                )
            for country, rate, free_above, min_days, max_days in shop.shipping:
                await set_rule(
                    session,
                    merchant_id=merchant.id,
                    country=country,
                    rate_minor=rate,
                    free_above_minor=free_above,
                    min_days=min_days,
                    max_days=max_days,
                )
        report = await import_catalog(
            sessions,
            shop.csv_path.read_bytes(),
            merchant_slug=shop.slug,
            currency=shop.currency,
        )
        if not report.ok:
            if created:
                async with transaction(sessions) as session:
                    await session.execute(delete(Merchant).where(Merchant.id == merchant.id))
            problems = "; ".join(str(problem) for problem in report.errors[:5])
            raise DemoSeedError(f"{shop.csv_path.name} did not import: {problems}")
        results.append(ShopSeed(shop.slug, created, report))
    return SeedReport(tuple(results))
