"""Reads products.toml into typed, checked records: what the generator builds the catalog from."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from bot.demo.shops import LANGUAGES, PRODUCTS_FILE

SIZE_RUNS: Final[Mapping[str, tuple[str, ...]]] = {
    "apparel": ("S", "M", "L", "XL"),
    "shoes": ("38", "39", "40", "41", "42", "43", "44", "45"),
}
_KEYS: Final = frozenset(
    {"key", "brand", "usd", "cny", "colours", "sizes", "tags", "photo_colour", "stock", *LANGUAGES}
)


class VocabularyError(ValueError):
    """products.toml says something the generator cannot turn into a catalog."""


@dataclass(frozen=True, slots=True)
class ProductType:
    key: str
    brand: str
    prices: Mapping[str, Decimal]  # "usd"/"cny" → price; a shop sells only what it has a price for
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    tags: tuple[str, ...]
    photo_colour: str
    stock: int | None  # fixed units per variant, or None for generated stock
    texts: Mapping[str, tuple[str, str]]  # language → (title, description)


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    code: str
    colour: str
    shape: str  # drawn on its products' photos
    products: tuple[ProductType, ...]


def load_vocabulary(path: Path = PRODUCTS_FILE) -> tuple[Category, ...]:
    with path.open("rb") as file:
        data = tomllib.load(file)
    categories = tuple(_category(raw) for raw in data["category"])
    keys = [product.key for category in categories for product in category.products]
    if duplicates := sorted({key for key in keys if keys.count(key) > 1}):
        raise VocabularyError(f"product keys used twice: {', '.join(duplicates)}")
    return categories


def _category(raw: Mapping[str, Any]) -> Category:
    colour = raw["colour"]
    return Category(
        name=raw["name"],
        code=raw["code"],
        colour=colour,
        shape=raw["shape"],
        products=tuple(_product(item, colour) for item in raw.get("product", [])),
    )


def _product(raw: Mapping[str, Any], category_colour: str) -> ProductType:
    key = raw["key"]
    if unknown := sorted(set(raw) - _KEYS):
        raise VocabularyError(f"{key}: unknown fields {', '.join(unknown)}")
    if missing := [language for language in LANGUAGES if language not in raw]:
        raise VocabularyError(f"{key}: no title and description in {', '.join(missing)}")
    texts = {language: _text(key, language, raw[language]) for language in LANGUAGES}
    prices = {shop: Decimal(raw[shop]) for shop in ("usd", "cny") if shop in raw}
    if not prices:
        raise VocabularyError(f"{key}: no price, so no shop sells it")
    colours = tuple(raw.get("colours", ()))
    sizes = raw.get("sizes", ())
    if isinstance(sizes, str):
        if sizes not in SIZE_RUNS:
            raise VocabularyError(f"{key}: sizes must be {' or '.join(SIZE_RUNS)} or a list")
        sizes = SIZE_RUNS[sizes]
    return ProductType(
        key=key,
        brand=raw.get("brand", ""),
        prices=prices,
        colours=colours,
        sizes=tuple(sizes),
        tags=tuple(raw.get("tags", ())),
        photo_colour=colours[0] if colours else raw.get("photo_colour", category_colour),
        stock=raw.get("stock"),
        texts=texts,
    )


def _text(key: str, language: str, value: object) -> tuple[str, str]:
    if not (isinstance(value, list) and len(value) == 2 and all(value)):
        raise VocabularyError(f"{key}: {language} must be [title, description]")
    return value[0], value[1]
