"""The staging area's database side: open an import, write a batch, swap it in, or discard it.

`write_batch` runs in a short transaction of its own per batch (bulk inserts, executemany).
`swap` is the one transaction that changes the catalog: set-based statements from the staging
tables into the catalog's, then one catalog version for everything that changed, so every
search index refreshes once. It first checks that no other change reached this merchant's
catalog since the import read it (`CatalogMoved`): the import is then planned again from the
start rather than applied over a change it never saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from sqlalchemy import (
    Table,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from catalog.importing.columns import ColumnMap, Field
from catalog.importing.stage import StagedBatch
from catalog.importing.staged import (
    STALE_AFTER,
    CatalogImport,
    StagedImage,
    StagedProduct,
    StagedTranslation,
    StagedVariant,
)
from catalog.models import (
    InventoryPolicy,
    Merchant,
    Product,
    ProductImage,
    ProductTranslation,
    Variant,
)
from catalog.version import bump_catalog_version
from db import utcnow

_IDS_PER_STATEMENT: Final = 500  # ids per IN (...): far below both databases' parameter limits
_STAGED: Final = (StagedTranslation, StagedImage, StagedVariant, StagedProduct)

products_t: Table = Product.__table__  # type: ignore[assignment]
variants_t: Table = Variant.__table__  # type: ignore[assignment]
images_t: Table = ProductImage.__table__  # type: ignore[assignment]
translations_t: Table = ProductTranslation.__table__  # type: ignore[assignment]
sp: Table = StagedProduct.__table__  # type: ignore[assignment]
sv: Table = StagedVariant.__table__  # type: ignore[assignment]
si: Table = StagedImage.__table__  # type: ignore[assignment]
st: Table = StagedTranslation.__table__  # type: ignore[assignment]


class CatalogMoved(Exception):
    """The merchant's catalog changed while the import was being staged."""


async def open_import(session: AsyncSession, *, merchant_slug: str) -> int:
    """A new import's id; deletes what imports that died long ago left staged."""
    await session.execute(
        delete(CatalogImport).where(CatalogImport.started_at < utcnow() - STALE_AFTER)
    )
    row = CatalogImport(merchant_slug=merchant_slug)
    session.add(row)
    await session.flush()
    return row.id


async def write_batch(session: AsyncSession, batch: StagedBatch) -> None:
    """One batch's staged rows: bulk inserts (executemany), nothing else."""
    for table, rows in ((sp, batch.products), (sv, batch.variants), (si, batch.images),
                        (st, batch.translations)):  # fmt: skip
        if rows:
            await session.execute(insert(table), rows)


async def discard(session: AsyncSession, import_id: int, *, products: int = 2_000) -> bool:
    """Deletes up to `products` staged products of an import with their rows; True when none
    is left and the import itself is gone. Called in a loop, each call its own transaction."""
    last = await session.scalar(
        select(StagedProduct.seq)
        .where(StagedProduct.import_id == import_id)
        .order_by(StagedProduct.seq)
        .offset(products - 1)
        .limit(1)
    )
    for model in _STAGED:
        table: Any = model.__table__
        condition = table.c.import_id == import_id
        if last is not None:
            condition = and_(condition, table.c.seq <= last)
        await session.execute(delete(table).where(condition))
    if last is None:
        await session.execute(delete(CatalogImport).where(CatalogImport.id == import_id))
    return last is None


async def swap(
    session: AsyncSession,
    import_id: int,
    *,
    merchant: Merchant,
    columns: ColumnMap,
    read_at_version: int,
    removed: Sequence[int],
    touched: Sequence[int],
) -> int:
    """Applies the staged import to `merchant`'s catalog; returns the new catalog version.

    `read_at_version` is the catalog version the import read before its first batch: any
    product of this merchant changed since raises `CatalogMoved` (and the caller rolls back).
    The version is bumped last (its row lock is global on PostgreSQL, see `catalog.version`).
    """
    await _check_unmoved(session, merchant, read_at_version, mine=None)
    if session.get_bind().dialect.name == "postgresql":
        # Freshly filled tables have no statistics yet: without them the planner joins staged
        # variants to staged products by scanning (13 s instead of 0.1 s at 10k rows).
        await session.execute(text("ANALYZE " + ", ".join(t.name for t in (sp, sv, si, st))))
    now = utcnow()
    staged = and_(sp.c.import_id == import_id)
    await _update_products(session, staged, columns, now)
    await _insert_products(session, staged, merchant, now)
    await _delete_ids(session, variants_t, removed, merchant)
    await _update_variants(session, import_id, columns)
    await _insert_variants(session, import_id, merchant)
    await _replace_images(session, import_id)
    await _replace_translations(session, import_id, columns)
    version = await bump_catalog_version(session)
    await session.execute(
        update(products_t)
        .where(products_t.c.id.in_(select(sp.c.product_id).where(staged)))
        .values(version=version)
    )
    for chunk in _chunks(sorted(set(touched))):
        await session.execute(
            update(products_t)
            .where(products_t.c.id.in_(chunk), products_t.c.merchant_id == merchant.id)
            .values(version=version, updated_at=now)
        )
    await _check_unmoved(session, merchant, read_at_version, mine=version)
    return version


async def _check_unmoved(
    session: AsyncSession, merchant: Merchant, read_at_version: int, *, mine: int | None
) -> None:
    """No product of the merchant has a version newer than the import's reads (but its own)."""
    newer = products_t.c.version > read_at_version
    if mine is not None:
        newer = and_(newer, products_t.c.version != mine)
    moved = await session.scalar(
        select(exists().where(products_t.c.merchant_id == merchant.id, newer))
    )
    if moved:
        raise CatalogMoved


async def refresh_statistics(session: AsyncSession) -> None:
    """On PostgreSQL, fresh planner statistics for the catalog after a large import: until
    autovacuum gets to it, the planner believes the tables as small as before and scans them
    (a re-import's SKU lookups took 0.5-1 s each instead of milliseconds)."""
    if session.get_bind().dialect.name == "postgresql":
        tables = (products_t, variants_t, images_t, translations_t)
        await session.execute(text("ANALYZE " + ", ".join(t.name for t in tables)))


def product_fields(columns: ColumnMap) -> list[str]:
    """The product columns a file sets on an existing product (absent ones are left alone)."""
    fields = ["title"]
    if columns.has(Field.DESCRIPTION):
        fields.append("description")
    if columns.has(Field.BRAND):
        fields.append("brand")
    if columns.has(Field.CATEGORY) or columns.has(Field.PRODUCT_TYPE):
        fields.append("category")
    if columns.has(Field.TAGS) or columns.has(Field.PRODUCT_TYPE):
        fields.append("tags")
    if columns.has(Field.STATUS) or columns.has(Field.PUBLISHED):
        fields.append("status")
    if columns.has_options:
        fields += ["option1_name", "option2_name", "option3_name"]
    return fields


def variant_values(columns: ColumnMap) -> dict[str, ColumnElement[Any]]:
    """What an UPDATE of an existing variant sets from `staged_variants`, per the columns."""
    values: dict[str, ColumnElement[Any]] = {
        "position": sv.c.position,
        "price_minor": sv.c.price_minor,
        "product_id": sp.c.product_id,  # a SKU may move to another product of the file
    }
    if columns.has(Field.SKU):
        values["sku"] = sv.c.sku
    if columns.has_options:
        values |= {name: sv.c[name] for name in ("option1", "option2", "option3")}
    if columns.has(Field.COMPARE_AT_PRICE):
        values["compare_at_minor"] = sv.c.compare_at_minor
    if columns.has(Field.STOCK):
        values["stock"] = sv.c.stock
    if columns.has(Field.INVENTORY_POLICY) or columns.has(Field.INVENTORY_TRACKER):
        values["inventory_policy"] = sv.c.inventory_policy
        if not columns.has(Field.STOCK):  # oversold before, and no longer allowed to be: 0
            denied = and_(
                sv.c.inventory_policy == InventoryPolicy.DENY.value, variants_t.c.stock < 0
            )
            values["stock"] = case((denied, 0), else_=variants_t.c.stock)
    if columns.has(Field.BARCODE):
        values["barcode"] = sv.c.barcode
    if columns.has(Field.GRAMS):
        values["grams"] = sv.c.grams
    return values


async def _update_products(
    session: AsyncSession, staged: ColumnElement[bool], columns: ColumnMap, now: Any
) -> None:
    values: dict[str, Any] = {name: sp.c[name] for name in product_fields(columns)}
    values["updated_at"] = now
    await session.execute(
        update(products_t)
        .where(staged, sp.c.is_new.is_(False), products_t.c.id == sp.c.product_id)
        .values(values)
    )


async def _insert_products(
    session: AsyncSession, staged: ColumnElement[bool], merchant: Merchant, now: Any
) -> None:
    fields = [
        "handle", "title", "description", "brand", "category", "tags", "status",
        "option1_name", "option2_name", "option3_name",
    ]  # fmt: skip
    stamp = literal(now, type_=products_t.c.created_at.type)
    source = (
        select(literal(merchant.id), *(sp.c[name] for name in fields), literal(0), stamp, stamp)
        .where(staged, sp.c.is_new.is_(True))
        .order_by(sp.c.seq)
    )
    await session.execute(
        insert(products_t).from_select(
            ["merchant_id", *fields, "version", "created_at", "updated_at"], source
        )
    )
    found = (
        select(products_t.c.id)
        .where(products_t.c.merchant_id == merchant.id, products_t.c.handle == sp.c.handle)
        .scalar_subquery()
    )
    await session.execute(update(sp).where(staged, sp.c.is_new.is_(True)).values(product_id=found))


async def _update_variants(session: AsyncSession, import_id: int, columns: ColumnMap) -> None:
    pairs = and_(
        sv.c.import_id == import_id,
        sv.c.changed.is_(True),
        sp.c.import_id == import_id,
        sp.c.seq == sv.c.seq,
        variants_t.c.id == sv.c.variant_id,
    )
    if columns.has(Field.SKU):  # SKUs may trade places between variants: free them all first
        await session.execute(
            update(variants_t)
            .where(
                variants_t.c.id.in_(
                    select(sv.c.variant_id).where(
                        sv.c.import_id == import_id, sv.c.changed.is_(True)
                    )
                )
            )
            .values(sku=None)
        )
    await session.execute(update(variants_t).where(pairs).values(variant_values(columns)))


async def _insert_variants(session: AsyncSession, import_id: int, merchant: Merchant) -> None:
    fields = [
        "sku", "position", "option1", "option2", "option3", "price_minor", "compare_at_minor",
        "stock", "inventory_policy", "barcode", "grams",
    ]  # fmt: skip
    source = (
        select(sp.c.product_id, literal(merchant.id), *(sv.c[name] for name in fields))
        .select_from(sv.join(sp, and_(sp.c.import_id == sv.c.import_id, sp.c.seq == sv.c.seq)))
        .where(sv.c.import_id == import_id, sv.c.variant_id.is_(None))
        .order_by(sv.c.seq, sv.c.position)
    )
    await session.execute(
        insert(variants_t).from_select(["product_id", "merchant_id", *fields], source)
    )


async def _replace_images(session: AsyncSession, import_id: int) -> None:
    """New photo rows for products whose photos change, keeping each unchanged URL's cached
    Telegram file id; then the old rows go."""
    owners = select(sp.c.product_id).where(sp.c.import_id == import_id, sp.c.set_images.is_(True))
    last_old = await session.scalar(select(func.max(images_t.c.id)))
    old = images_t.alias("old")
    cached = (
        select(old.c.telegram_file_id)
        .where(
            old.c.product_id == sp.c.product_id,
            old.c.url == si.c.url,
            old.c.telegram_file_id.is_not(None),
        )
        .limit(1)
        .scalar_subquery()
    )
    source = (
        select(sp.c.product_id, si.c.position, si.c.url, si.c.alt, cached)
        .select_from(si.join(sp, and_(sp.c.import_id == si.c.import_id, sp.c.seq == si.c.seq)))
        .where(si.c.import_id == import_id, sp.c.set_images.is_(True))
        .order_by(si.c.seq, si.c.position)
    )
    await session.execute(
        insert(images_t).from_select(
            ["product_id", "position", "url", "alt", "telegram_file_id"], source
        )
    )
    if last_old is not None:
        await session.execute(
            delete(images_t).where(images_t.c.id <= last_old, images_t.c.product_id.in_(owners))
        )


async def _replace_translations(session: AsyncSession, import_id: int, columns: ColumnMap) -> None:
    languages = columns.translated_languages
    if not languages:
        return
    owners = select(sp.c.product_id).where(
        sp.c.import_id == import_id, sp.c.set_translations.is_(True)
    )
    await session.execute(
        delete(translations_t).where(
            translations_t.c.product_id.in_(owners), translations_t.c.language.in_(languages)
        )
    )
    fields = ["language", "title", "description", "option_names", "option_values"]
    source = (
        select(sp.c.product_id, *(st.c[name] for name in fields))
        .select_from(st.join(sp, and_(sp.c.import_id == st.c.import_id, sp.c.seq == st.c.seq)))
        .where(st.c.import_id == import_id, sp.c.set_translations.is_(True))
        .order_by(st.c.seq, st.c.language)
    )
    await session.execute(insert(translations_t).from_select(["product_id", *fields], source))


async def _delete_ids(
    session: AsyncSession, table: Table, ids: Sequence[int], merchant: Merchant
) -> None:
    for chunk in _chunks(sorted(set(ids))):
        await session.execute(
            delete(table).where(table.c.id.in_(chunk), table.c.merchant_id == merchant.id)
        )


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        yield list(ids[start : start + _IDS_PER_STATEMENT])
