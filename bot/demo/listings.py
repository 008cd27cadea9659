"""One shop's catalog as rows of the importer's plain CSV format (see catalog/CSV_FORMAT.md).

A product spans one row per variant: the first row carries the product's fields, its photo and
its translations; the following rows repeat only the handle and the variant's own cells. The
main title is in the shop's language and the other seven languages go into `title:<lang>` /
`description:<lang>` columns; option names and colours, written in English, have theirs in
`option<N>_name:<lang>` / `option<N>_value:<lang>` (`option_words`). Stock is varied but
deterministic: it is drawn from a generator seeded with the shop and the product, so every run
writes the same files.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Sequence
from typing import Final

from bot.demo.option_words import COLOURS, NAMES
from bot.demo.shops import LANGUAGES, DemoShop
from bot.demo.vocabulary import Category, ProductType

COLOUR_OPTION: Final = "Colour"
SIZE_OPTION: Final = "Size"
OPTION_LANGUAGE: Final = "en"  # option names and values are written in it, in both shops
# The exporter's column order (catalog/exporting.py), less the columns the demo leaves empty.
_PRODUCT_COLUMNS: Final = (
    "handle",
    "title",
    "description",
    "brand",
    "category",
    "tags",
    "currency",
)
_VARIANT_COLUMNS: Final = (
    "option1_name",
    "option1_value",
    "option2_name",
    "option2_value",
    "sku",
    "price",
    "stock",
)
_IMAGE_COLUMNS: Final = ("image", "image_alt")
TAG_SEPARATOR: Final = "; "
SOLD_OUT_SHARE: Final = 0.06  # of the variants of products with several variants
LOW_SHARE: Final = 0.05  # variants with only a few units left


def header(shop: DemoShop) -> list[str]:
    translations = [
        f"{field}:{language}"
        for language in LANGUAGES
        if language != shop.language
        for field in ("title", "description")
    ]
    options = [
        f"option{position}_{field}:{language}"
        for language in LANGUAGES
        if language != OPTION_LANGUAGE
        for position in (1, 2)
        for field in ("name", "value")
    ]
    return [*_PRODUCT_COLUMNS, *_VARIANT_COLUMNS, *_IMAGE_COLUMNS, *translations, *options]


def photo_name(product: ProductType) -> str:
    """The photo's file name under the demo's photos folder; both shops share one per product."""
    return f"{product.key}.png"


def shop_rows(shop: DemoShop, categories: Sequence[Category]) -> Iterator[dict[str, str]]:
    """Every row of the shop's CSV file, products in the order products.toml lists them."""
    for category in categories:
        for number, product in enumerate(category.products, start=1):
            if shop.price_key in product.prices:
                yield from _product_rows(shop, category, product, number)


def _product_rows(
    shop: DemoShop, category: Category, product: ProductType, number: int
) -> Iterator[dict[str, str]]:
    title, description = product.texts[shop.language]
    first: dict[str, str] = {
        "handle": f"{shop.handle_prefix}-{product.key}",
        "title": title,
        "description": description,
        "brand": product.brand,
        "category": category.name,
        "tags": TAG_SEPARATOR.join(product.tags),
        "currency": shop.currency,
        "image": photo_name(product),
        "image_alt": title,
    }
    for language in LANGUAGES:
        if language != shop.language:
            first[f"title:{language}"], first[f"description:{language}"] = product.texts[language]
    options = _options(product)
    combos = list(itertools.product(*(values for _, values in options)))
    stocks = _stocks(shop, product, len(combos))
    sku_stem = f"{shop.handle_prefix}-{category.code}{number:02d}".upper()
    for index, (combo, stock) in enumerate(zip(combos, stocks, strict=True)):
        row = first if index == 0 else {"handle": first["handle"]}
        for position, ((name, _), value) in enumerate(zip(options, combo, strict=True), start=1):
            row[f"option{position}_name"] = name
            row[f"option{position}_value"] = value
            for language, translated in NAMES[name].items():
                row[f"option{position}_name:{language}"] = translated
            for language, translated in COLOURS.get(value.lower(), {}).items():
                row[f"option{position}_value:{language}"] = translated
        row["sku"] = "-".join((sku_stem, *(_sku_part(value) for value in combo)))
        row["price"] = str(product.prices[shop.price_key])
        row["stock"] = str(stock)
        yield row


def _options(product: ProductType) -> list[tuple[str, tuple[str, ...]]]:
    options = []
    if product.colours:
        options.append((COLOUR_OPTION, tuple(colour.capitalize() for colour in product.colours)))
    if product.sizes:
        options.append((SIZE_OPTION, product.sizes))
    return options


def _stocks(shop: DemoShop, product: ProductType, count: int) -> list[int]:
    """Units per variant: fixed by products.toml, or drawn (a few sold out, a few nearly)."""
    if product.stock is not None:
        return [product.stock] * count
    draw = random.Random(f"{shop.slug}/{product.key}")  # str seeds hash stably across runs
    stocks = []
    for _ in range(count):
        chance = draw.random()
        if count > 1 and chance < SOLD_OUT_SHARE:
            stocks.append(0)
        elif chance < SOLD_OUT_SHARE + LOW_SHARE:
            stocks.append(draw.randint(1, 4))
        else:
            stocks.append(draw.randint(6, 80))
    if not any(stocks):
        stocks[0] = draw.randint(6, 80)
    return stocks


def _sku_part(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "", value).upper()
