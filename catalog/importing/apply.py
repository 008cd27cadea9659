"""Pairing drafts with what the database holds: products by (merchant, handle), variants by SKU.

Reads only; what changes is staged (`stage`) and swapped in at the end (`swap`), so an import is
all or nothing. The rules:
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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from catalog.importing.columns import ColumnMap, Field
from catalog.importing.drafts import ProductDraft
from catalog.importing.problems import ImportProblem
from catalog.importing.rows import ParsedProduct
from catalog.models import Merchant, Product, Variant

_CHUNK: Final = 500  # keys per IN (...): far below SQLite's and asyncpg's parameter limits


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
class SkuOwners:
    """Who holds each SKU a file uses: the variant and its product's handle (plain values)."""

    handles: dict[tuple[str, str], str] = field(default_factory=dict)  # (slug, sku) → handle
    variants: dict[tuple[str, str], int] = field(default_factory=dict)  # (slug, sku) → variant


async def load_sku_owners(
    session: AsyncSession, merchant: Merchant, skus: Iterable[str], *, chunk: int = _CHUNK
) -> SkuOwners:
    """The stored owners of `skus` in `merchant`'s catalog, one chunk of keys at a time."""
    owners = SkuOwners()
    for keys in _chunks(skus, size=chunk):
        found = await session.execute(
            select(Variant.sku, Variant.id, Product.handle)
            .join(Product, Variant.product_id == Product.id)
            .where(Variant.merchant_id == merchant.id, Variant.sku.in_(keys))
        )
        for sku, variant_id, handle in found:
            owners.handles[(merchant.slug, sku or "")] = handle
            owners.variants[(merchant.slug, sku or "")] = variant_id
    return owners


@dataclass(slots=True)
class PlannedProduct:
    draft: ProductDraft
    target: Product | None  # None: a new product
    matches: list[Variant | None]  # per draft variant: the variant it updates, or None (new)
    removed: list[Variant]  # variants of `target` the file no longer lists


def plan(
    products: Sequence[ParsedProduct],
    existing: Existing,
    columns: ColumnMap,
    *,
    claimed_by_sku: Iterable[int] = (),
) -> tuple[list[PlannedProduct], list[tuple[ParsedProduct, ImportProblem]]]:
    """Pairs every draft variant with the stored variant it updates; no writes.

    `claimed_by_sku` are the stored variants the whole file pairs by SKU, when `products` is one
    batch of it: a product in this batch must neither keep nor remove a variant whose SKU a
    product in another batch takes.
    Also returns what only the pairing reveals: a variant whose stock stays negative (the file
    has no stock column) while the file forbids overselling it: a warning, its stock becomes 0.
    """
    claimed: dict[int, Variant | None] = dict.fromkeys(claimed_by_sku)
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
    claimed: dict[int, Variant | None],
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


def _chunks(keys: Iterable[str], *, size: int = _CHUNK) -> Iterable[list[str]]:
    ordered = sorted(keys)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]
