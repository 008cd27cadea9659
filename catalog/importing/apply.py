"""Writing drafts into the database: upsert by (merchant, handle), variants by SKU, then options.

Runs inside the caller's transaction and only after every check passed, so an import is all or
nothing. The rules:
- a product is found by its handle; a variant by its SKU anywhere in the merchant's catalog (so a
  SKU can move between two products the file updates), else by its option values within the
  product, else, for a one-variant product, as that one variant;
- a product in the file is described completely by it: its variants the file no longer lists
  are removed (their cart lines go, order lines keep their snapshot);
- a column absent from the file leaves that field as it is on existing products (a file of
  `handle,title,sku,price` updates prices and touches nothing else); products absent from the
  file are left alone;
- a photo whose URL is unchanged keeps its cached Telegram file id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from catalog.importing.columns import ColumnMap, Field
from catalog.importing.drafts import ProductDraft, TranslationDraft, VariantDraft
from catalog.importing.problems import ImportProblem
from catalog.importing.rows import ParsedProduct
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
from money import Money

ProgressCallback = Callable[[int, int], None]
_CHUNK: Final = 500  # keys per IN (...): far below SQLite's and asyncpg's parameter limits
_FLUSH_EVERY: Final = 500  # products between flushes: bounded memory, a moving progress bar


@dataclass(slots=True)
class Existing:
    """What the database holds for the products and SKUs a file mentions."""

    products: dict[tuple[str, str], Product] = field(default_factory=dict)  # (slug, handle)
    by_sku: dict[tuple[str, str], Variant] = field(default_factory=dict)  # (slug, sku)

    def sku_owners(self) -> dict[tuple[str, str], str]:
        return {key: variant.product.handle for key, variant in self.by_sku.items()}


@dataclass(slots=True)
class Counts:
    products_created: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    variants_removed: int = 0


async def load_existing(
    session: AsyncSession, merchants: Mapping[str, Merchant], products: Iterable[ParsedProduct]
) -> Existing:
    """Loads, with their children, the merchants' products the file names and the SKUs it uses."""
    handles: dict[str, set[str]] = {}
    skus: dict[str, set[str]] = {}
    for product in products:
        if product.draft is not None and product.merchant in merchants:
            handles.setdefault(product.merchant, set()).add(product.handle)
            skus.setdefault(product.merchant, set()).update(
                variant.sku for variant in product.draft.variants if variant.sku
            )
    existing = Existing()
    for slug, merchant_handles in handles.items():
        merchant_id = merchants[slug].id
        for chunk in _chunks(merchant_handles):
            found = await session.scalars(
                select(Product)
                .where(Product.merchant_id == merchant_id, Product.handle.in_(chunk))
                .options(
                    selectinload(Product.variants),
                    selectinload(Product.translations),
                    selectinload(Product.images),
                )
            )
            existing.products.update(((slug, product.handle), product) for product in found)
        for chunk in _chunks(skus[slug]):
            variants = await session.scalars(
                select(Variant)
                .where(Variant.merchant_id == merchant_id, Variant.sku.in_(chunk))
                .options(joinedload(Variant.product))
            )
            existing.by_sku.update(((slug, variant.sku or ""), variant) for variant in variants)
    return existing


@dataclass(slots=True)
class PlannedProduct:
    draft: ProductDraft
    target: Product | None  # None: a new product
    matches: list[Variant | None]  # per draft variant: the variant it updates, or None (new)
    removed: list[Variant]  # variants of `target` the file no longer lists


def plan(
    products: Sequence[ParsedProduct], existing: Existing, columns: ColumnMap
) -> tuple[list[PlannedProduct], list[tuple[ParsedProduct, ImportProblem]]]:
    """Pairs every draft variant with the stored variant it updates; no writes.

    Also returns what only the pairing reveals: a variant whose stock stays negative (the file
    has no stock column) while the file forbids overselling it: a warning, its stock becomes 0.
    """
    claimed: dict[int, Variant] = {}
    by_sku: list[list[Variant | None]] = []
    for product in products:
        assert product.draft is not None
        row: list[Variant | None] = []
        for variant in product.draft.variants:
            match = existing.by_sku.get((product.merchant, variant.sku)) if variant.sku else None
            row.append(match)
            if match is not None:
                claimed[match.id] = match
        by_sku.append(row)
    planned: list[PlannedProduct] = []
    problems: list[tuple[ParsedProduct, ImportProblem]] = []
    for product, matches in zip(products, by_sku, strict=True):
        draft = product.draft
        assert draft is not None
        target = existing.products.get((product.merchant, product.handle))
        if target is not None:
            _match_rest(draft, target, matches, claimed, options_given=columns.has_options)
        for variant, match in zip(draft.variants, matches, strict=True):
            if (
                match is not None
                and not columns.has(Field.STOCK)
                and match.stock < 0
                and variant.inventory_policy.value == "deny"
                and columns.has(Field.INVENTORY_POLICY)
            ):
                problems.append(
                    (
                        product,
                        ImportProblem(
                            "negative_stock", variant.line, params={"value": match.stock}
                        ),
                    )
                )
        removed = [v for v in (target.variants if target else []) if v.id not in claimed]
        planned.append(PlannedProduct(draft, target, matches, removed))
    return planned, problems


def _match_rest(
    draft: ProductDraft,
    target: Product,
    matches: list[Variant | None],
    claimed: dict[int, Variant],
    *,
    options_given: bool,
) -> None:
    """Pairs the variants SKUs did not pair: by option values, then a lone variant with a lone one.

    A stored variant found by its options takes the row's SKU, so a merchant can change a SKU.
    """
    free = [variant for variant in target.variants if variant.id not in claimed]
    for index, variant in enumerate(draft.variants):
        if matches[index] is not None or not free:
            continue
        found = None
        if options_given:
            wanted = tuple(value.casefold() for value in variant.option_values)
            found = next((v for v in free if _values(v, len(wanted)) == wanted), None)
        if found is None and len(draft.variants) == 1 and len(free) == 1:
            found = free[0]
        if found is not None:
            matches[index] = found
            claimed[found.id] = found
            free.remove(found)


def _values(variant: Variant, count: int) -> tuple[str, ...]:
    return tuple(value.casefold() for value in variant.option_values[:count])


async def execute(
    session: AsyncSession,
    planned: Sequence[PlannedProduct],
    *,
    merchants: Mapping[str, Merchant],
    columns: ColumnMap,
    on_progress: ProgressCallback | None = None,
    total_rows: int = 0,
) -> Counts:
    """Writes the plan, flushing in batches, and stamps what changed with a new catalog version.

    The version is bumped last (see `catalog.version`: its row stays locked until commit) and
    only if something changed, so re-importing an unchanged file makes no search index refresh.
    """
    counts = Counts()
    writer = _Writer(columns, counts)
    done_rows = 0
    for number, item in enumerate(planned, start=1):
        merchant = merchants[item.draft.merchant]
        if item.target is None:
            session.add(writer.create(item.draft, merchant))
        else:
            writer.update(item, merchant)
        done_rows += item.draft.row_count
        if number % _FLUSH_EVERY == 0:
            await session.flush()
            if on_progress:
                on_progress(done_rows, total_rows)
    if writer.changed:
        await session.flush()  # the products' and variants' row locks first, the version's last
        version = await bump_catalog_version(session)
        for product in writer.changed:
            product.version = version
        await session.flush()
    if on_progress:
        on_progress(total_rows, total_rows)
    return counts


class _Writer:
    """Assigns drafts to ORM objects, counting what really changed."""

    def __init__(self, columns: ColumnMap, counts: Counts) -> None:
        self.columns = columns
        self.counts = counts
        self.changed: dict[Product, None] = {}  # products to stamp with the new version, in order

    def create(self, draft: ProductDraft, merchant: Merchant) -> Product:
        product = Product(merchant_id=merchant.id, handle=draft.handle)
        self._product_fields(product, draft, every_field=True)
        product.variants = [
            self._new_variant(variant, merchant, position)
            for position, variant in enumerate(draft.variants)
        ]
        product.images = [
            ProductImage(position=position, url=image.url, alt=image.alt)
            for position, image in enumerate(draft.images)
        ]
        product.translations = [
            ProductTranslation(language=t.language, **_translation_values(t))
            for t in draft.translations
        ]
        self.changed[product] = None
        self.counts.products_created += 1
        self.counts.variants_created += len(draft.variants)
        return product

    def update(self, item: PlannedProduct, merchant: Merchant) -> None:
        product, draft = item.target, item.draft
        assert product is not None
        changed = self._product_fields(product, draft, every_field=False)
        for gone in item.removed:
            product.variants.remove(gone)  # delete-orphan: deleted at flush
        self.counts.variants_removed += len(item.removed)
        changed |= bool(item.removed)
        for position, (variant, match) in enumerate(zip(draft.variants, item.matches, strict=True)):
            if match is None:
                product.variants.append(self._new_variant(variant, merchant, position))
                self.counts.variants_created += 1
                changed = True
                continue
            moved = match.product_id != product.id  # its SKU moved here from another product
            if moved:
                self.changed[match.product] = None  # loaded with it: see `load_existing`
                product.variants.append(match)  # the backref takes it out of the old product
            updated = self._variant_fields(
                match, variant, merchant.currency, position, every_field=False
            )
            if moved or updated:
                self.counts.variants_updated += 1
                changed = True
        if self.columns.has(Field.IMAGE):
            changed |= self._images(product, draft)
        if self.columns.translated_languages:
            changed |= self._translations(product, draft)
        if changed:
            product.updated_at = utcnow()
            self.changed[product] = None
            self.counts.products_updated += 1
        else:
            self.counts.products_unchanged += 1

    # --- fields ---------------------------------------------------------------------------------
    def _product_fields(self, product: Product, draft: ProductDraft, *, every_field: bool) -> bool:
        values: dict[str, Any] = {"title": draft.title}
        given = self.columns.has if not every_field else (lambda _field: True)
        if given(Field.DESCRIPTION):
            values["description"] = draft.description
        if given(Field.BRAND):
            values["brand"] = draft.brand
        if given(Field.CATEGORY) or given(Field.PRODUCT_TYPE):
            values["category"] = draft.category
        if given(Field.TAGS) or given(Field.PRODUCT_TYPE):
            values["tags"] = list(draft.tags)
        if given(Field.STATUS) or given(Field.PUBLISHED):
            values["status"] = draft.status.value
        if every_field or self.columns.has_options:
            names = (*draft.option_names, "", "", "")
            values |= {"option1_name": names[0], "option2_name": names[1], "option3_name": names[2]}
        return _assign(product, values)

    def _variant_fields(
        self,
        stored: Variant,
        variant: VariantDraft,
        currency: str,
        position: int,
        *,
        every_field: bool,
    ) -> bool:
        given = self.columns.has if not every_field else (lambda _field: True)
        values: dict[str, Any] = {
            "position": position,
            "price_minor": Money(variant.price, currency).to_minor(),
        }
        if given(Field.SKU):
            values["sku"] = variant.sku
        if every_field or self.columns.has_options:
            option_values = (*variant.option_values, "", "", "")
            values |= {
                "option1": option_values[0],
                "option2": option_values[1],
                "option3": option_values[2],
            }
        if given(Field.COMPARE_AT_PRICE):
            values["compare_at_minor"] = (
                None
                if variant.compare_at_price is None
                else Money(variant.compare_at_price, currency).to_minor()
            )
        if given(Field.STOCK):
            values["stock"] = variant.stock
        if given(Field.INVENTORY_POLICY) or given(Field.INVENTORY_TRACKER):
            values["inventory_policy"] = variant.inventory_policy.value
            if variant.inventory_policy is InventoryPolicy.DENY and (stored.stock or 0) < 0:
                values.setdefault("stock", 0)  # oversold before, and no longer allowed to be
        if given(Field.BARCODE):
            values["barcode"] = variant.barcode
        if given(Field.GRAMS):
            values["grams"] = variant.grams
        return _assign(stored, values)

    def _new_variant(self, variant: VariantDraft, merchant: Merchant, position: int) -> Variant:
        stored = Variant(merchant_id=merchant.id)
        self._variant_fields(stored, variant, merchant.currency, position, every_field=True)
        return stored

    def _images(self, product: Product, draft: ProductDraft) -> bool:
        by_url = {image.url: image for image in product.images}
        wanted = [image.url for image in draft.images]
        changed = [image.url for image in product.images] != wanted
        images = []
        for position, image in enumerate(draft.images):
            stored = by_url.pop(image.url, None) or ProductImage(url=image.url)
            changed |= _assign(stored, {"position": position, "alt": image.alt})
            images.append(stored)
        product.images = images  # the rest are orphans, deleted at flush
        return changed

    def _translations(self, product: Product, draft: ProductDraft) -> bool:
        by_language = {t.language: t for t in product.translations}
        wanted = {t.language: t for t in draft.translations}
        changed = False
        for language in self.columns.translated_languages:
            stored, new = by_language.get(language), wanted.get(language)
            if new is None and stored is not None:
                product.translations.remove(stored)
                changed = True
            elif new is not None:
                if stored is None:
                    stored = ProductTranslation(language=language)
                    product.translations.append(stored)
                    changed = True
                changed |= _assign(stored, _translation_values(new))
        return changed


def _translation_values(new: TranslationDraft) -> dict[str, Any]:
    values: dict[str, dict[str, str]] = {}
    for number, value, said in new.option_values:
        values.setdefault(str(number), {})[value] = said
    return {
        "title": new.title,
        "description": new.description,
        "option_names": list(new.option_names) or None,
        "option_values": values or None,
    }


def _assign(target: object, values: Mapping[str, Any]) -> bool:
    """Sets attributes that differ; True if any did (so unchanged rows stay unwritten)."""
    changed = False
    for name, value in values.items():
        if getattr(target, name, None) != value:
            setattr(target, name, value)
            changed = True
    return changed


def _chunks(keys: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(keys)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]
