"""A merchant's catalog as the documented plain CSV (catalog/CSV_FORMAT.md).

What is written re-imports unchanged: one row per variant with the product's fields on its first
row, extra photos on image-only rows, and every text cell that a spreadsheet would run as a
formula (`=HYPERLINK(...)`, `+1`, `@cmd`) escaped with a leading apostrophe, which the importer
removes again. Numbers are written plainly (`25.00`, `-3`): they are never escaped.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Final, TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.importing.cells import escape
from catalog.merchants import find_merchant
from catalog.models import Merchant, Product, ProductTranslation, Variant
from money import Money

PLAIN_COLUMNS: Final = (
    "handle",
    "title",
    "description",
    "brand",
    "category",
    "tags",
    "status",
    "currency",
    "option1_name",
    "option1_value",
    "option2_name",
    "option2_value",
    "option3_name",
    "option3_value",
    "sku",
    "price",
    "compare_at_price",
    "stock",
    "inventory_policy",
    "barcode",
    "grams",
    "image",
    "image_alt",
)
TAG_SEPARATOR: Final = "; "
_BATCH: Final = 500  # products loaded at a time: bounded memory on a large catalog


class UnknownMerchant(LookupError):
    """No merchant has this slug."""


async def export_catalog(session: AsyncSession, out: TextIO, *, merchant_slug: str) -> int:
    """Writes the merchant's products (all statuses) to `out`; returns how many were written.

    `out` should be opened with `newline=""`, as the csv module asks.
    """
    merchant = await find_merchant(session, slug=merchant_slug)
    if merchant is None:
        raise UnknownMerchant(merchant_slug)
    languages = await _languages(session, merchant)
    options = await _languages(session, merchant, options=True)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(languages, options))
    count = 0
    async for product in _products(session, merchant):
        writer.writerows(product_rows(product, merchant.currency, languages, options))
        count += 1
    return count


def header(languages: Sequence[str], option_languages: Sequence[str] = ()) -> list[str]:
    """The plain columns, then per language its translations (option columns only for the
    languages some option is translated into)."""
    translated = [f"{field}:{language}" for language in languages for field in _TRANSLATED]
    options = [f"{field}:{language}" for language in option_languages for field in _OPTIONS]
    return [*PLAIN_COLUMNS, *translated, *options]


_TRANSLATED: Final = ("title", "description")
_OPTIONS: Final = tuple(f"option{n}_{part}" for n in (1, 2, 3) for part in ("name", "value"))


def product_rows(
    product: Product,
    currency: str,
    languages: Sequence[str],
    option_languages: Sequence[str] = (),
) -> Iterator[list[str]]:
    """The product's rows: one per variant (at least one), then one per photo left over."""
    names = (*product.option_names, "", "", "")[:3]
    translations = {t.language: t for t in product.translations}
    first: dict[str, str] = {
        "title": product.title,
        "description": product.description,
        "brand": product.brand,
        "category": product.category,
        "tags": TAG_SEPARATOR.join(product.tags or ()),
        "status": product.status,
        "currency": currency,
        "option1_name": names[0],
        "option2_name": names[1],
        "option3_name": names[2],
    }
    for language in languages:
        translation = translations.get(language)
        first[f"title:{language}"] = translation.title if translation else ""
        first[f"description:{language}"] = translation.description if translation else ""
    for language in option_languages:
        translation = translations.get(language)
        given = (translation.option_names or []) if translation else []
        for number in range(1, len(product.option_names) + 1):
            name = given[number - 1] if number <= len(given) else ""
            first[f"option{number}_name:{language}"] = name
    images = list(product.images)
    variants = list(product.variants)
    columns = header(languages, option_languages)
    for index in range(max(len(variants), len(images), 1)):
        cells = dict(first) if index == 0 else {}
        cells["handle"] = product.handle
        if index < len(variants):
            cells |= _variant_cells(product, variants[index], currency)
            for language in option_languages:
                cells |= _translated_values(product, variants[index], translations.get(language))
        if index < len(images):
            cells |= {"image": images[index].url, "image_alt": images[index].alt}
        yield _row(cells, columns)


def _variant_cells(product: Product, variant: Variant, currency: str) -> dict[str, str]:
    values = (*variant.option_values[: len(product.option_names)], "", "", "")[:3]
    compare_at = variant.compare_at_minor
    return {
        "option1_value": values[0],
        "option2_value": values[1],
        "option3_value": values[2],
        "sku": variant.sku or "",
        "price": _amount(variant.price_minor, currency),
        "compare_at_price": "" if compare_at is None else _amount(compare_at, currency),
        "stock": str(variant.stock),
        "inventory_policy": variant.inventory_policy,
        "barcode": variant.barcode or "",
        "grams": "" if variant.grams is None else str(variant.grams),
    }


def _translated_values(
    product: Product, variant: Variant, translation: ProductTranslation | None
) -> dict[str, str]:
    if translation is None:
        return {}
    said = translation.option_values or {}
    return {
        f"option{number}_value:{translation.language}": (said.get(str(number)) or {}).get(value, "")
        for number, value in enumerate(variant.option_values[: len(product.option_names)], 1)
    }


_NUMERIC: Final = frozenset({"price", "compare_at_price", "stock"})


def _row(cells: dict[str, str], columns: Sequence[str]) -> list[str]:
    return [
        cells.get(column, "") if column in _NUMERIC else escape(cells.get(column, ""))
        for column in columns
    ]


def _amount(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency).amount)


async def _languages(
    session: AsyncSession, merchant: Merchant, *, options: bool = False
) -> list[str]:
    """The languages the merchant's products are translated into (with `options`: those whose
    option names or values are)."""
    statement = (
        select(ProductTranslation.language)
        .join(Product, Product.id == ProductTranslation.product_id)
        .where(Product.merchant_id == merchant.id)
    )
    if options:
        statement = statement.where(
            (ProductTranslation.option_names.is_not(None))
            | (ProductTranslation.option_values.is_not(None))
        )
    return sorted(set(await session.scalars(statement.distinct())))


async def _products(session: AsyncSession, merchant: Merchant) -> AsyncIterator[Product]:
    """In batches by id; the session's identity map is weak, so written batches are freed."""
    last_id = 0
    while True:
        batch = list(
            await session.scalars(
                select(Product)
                .where(Product.merchant_id == merchant.id, Product.id > last_id)
                .order_by(Product.id)
                .limit(_BATCH)
                .options(
                    selectinload(Product.variants),
                    selectinload(Product.translations),
                    selectinload(Product.images),
                )
            )
        )
        if not batch:
            return
        for product in batch:
            yield product
        last_id = batch[-1].id
