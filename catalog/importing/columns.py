"""One alias map from every header we read to the catalog's canonical fields.

Our plain CSV (`handle,title,price,...`), Shopify's legacy export (`Handle,Title,Body (HTML),
...,Variant Price`) and Shopify's current template (`Title,URL handle,Description,...,Price`) all
resolve here, so the rest of the importer never knows which one it is reading, except for two
facts the format decides: Shopify descriptions are HTML and Shopify tags are comma-separated.

Headers are compared after folding case, `_`, `-` and `:` to spaces and collapsing spaces, so
`compare_at_price`, `Compare-at price` and `Compare At Price` are one column, and `title:zh`,
`Title ZH` and `title_zh-Hans` name translations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from catalog.importing.cells import clean_line
from catalog.importing.problems import ImportProblem, ImportRejected


class Field(StrEnum):
    MERCHANT = "merchant"
    HANDLE = "handle"
    TITLE = "title"
    DESCRIPTION = "description"
    BRAND = "brand"
    CATEGORY = "category"
    PRODUCT_TYPE = "product_type"  # Shopify's free-text Type
    TAGS = "tags"
    STATUS = "status"
    PUBLISHED = "published"
    CURRENCY = "currency"
    SKU = "sku"
    BARCODE = "barcode"
    GRAMS = "grams"  # shipping weight of one unit, in grams
    OPTION1_NAME = "option1_name"
    OPTION1_VALUE = "option1_value"
    OPTION2_NAME = "option2_name"
    OPTION2_VALUE = "option2_value"
    OPTION3_NAME = "option3_name"
    OPTION3_VALUE = "option3_value"
    PRICE = "price"
    COMPARE_AT_PRICE = "compare_at_price"
    STOCK = "stock"
    INVENTORY_TRACKER = "inventory_tracker"
    INVENTORY_POLICY = "inventory_policy"
    IMAGE = "image"
    IMAGE_POSITION = "image_position"
    IMAGE_ALT = "image_alt"
    VARIANT_IMAGE = "variant_image"
    GIFT_CARD = "gift_card"  # Shopify: a gift card, not goods (left out)
    REQUIRES_SHIPPING = "requires_shipping"  # Shopify: FALSE on digital products and services


OPTION_FIELDS: Final = (
    (Field.OPTION1_NAME, Field.OPTION1_VALUE),
    (Field.OPTION2_NAME, Field.OPTION2_VALUE),
    (Field.OPTION3_NAME, Field.OPTION3_VALUE),
)
REQUIRED: Final = (Field.HANDLE, Field.TITLE, Field.PRICE)


class SourceFormat(StrEnum):
    PLAIN = "plain"
    SHOPIFY = "shopify"


# Normalised header → field. Headers found only in Shopify files also mark the file as Shopify.
_PLAIN: Final[Mapping[str, Field]] = {field.value.replace("_", " "): field for field in Field} | {
    "vendor": Field.BRAND,
    "type": Field.PRODUCT_TYPE,
    "quantity": Field.STOCK,
    "image url": Field.IMAGE,
    "weight grams": Field.GRAMS,
}
_SHOPIFY: Final[Mapping[str, Field]] = {
    # legacy export: Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,...
    "body (html)": Field.DESCRIPTION,
    "product category": Field.CATEGORY,
    "variant sku": Field.SKU,
    "variant inventory qty": Field.STOCK,
    "variant inventory tracker": Field.INVENTORY_TRACKER,
    "variant inventory policy": Field.INVENTORY_POLICY,
    "variant price": Field.PRICE,
    "variant compare at price": Field.COMPARE_AT_PRICE,
    "variant barcode": Field.BARCODE,
    "variant grams": Field.GRAMS,  # always grams; "Variant Weight Unit" is only for display
    "image src": Field.IMAGE,
    "image position": Field.IMAGE_POSITION,
    "image alt text": Field.IMAGE_ALT,
    "variant image": Field.VARIANT_IMAGE,
    "gift card": Field.GIFT_CARD,
    "variant requires shipping": Field.REQUIRES_SHIPPING,
    # current template: Title,URL handle,Description,...,Price,...,Inventory quantity,...
    "url handle": Field.HANDLE,
    "published on online store": Field.PUBLISHED,
    "inventory quantity": Field.STOCK,
    "continue selling when out of stock": Field.INVENTORY_POLICY,
    "product image url": Field.IMAGE,
    "variant image url": Field.VARIANT_IMAGE,
    "requires shipping": Field.REQUIRES_SHIPPING,
    "weight value (grams)": Field.GRAMS,
}
# Shopify columns we do not import but whose presence proves the file is a Shopify file.
_SHOPIFY_ONLY_IGNORED: Final = frozenset(
    {
        "variant weight unit",
        "weight unit for display",
        "variant fulfillment service",
        "seo title",
        "seo description",
        "fulfillment service",
        "charge tax",
        "option1 linked to",
    }
)
_TRANSLATION: Final = re.compile(
    r"(title|description|option([123]) (name|value)) ([a-z]{2,3}(?: [a-z0-9]{2,8})*)"
)


def normalise_header(header: str) -> str:
    return re.sub(r"[\s_:-]+", " ", clean_line(header).casefold()).strip()


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Where each field is in the rows, and what the header told us about the file."""

    headers: tuple[str, ...]  # as written, for messages
    index: Mapping[Field, int]
    translations: Mapping[str, tuple[int | None, int | None]]  # language → (title, description)
    # language → where option N's name and value are in that language: {"name1": 12, "value1": 13}
    option_translations: Mapping[str, Mapping[str, int]]
    source: SourceFormat
    ignored: tuple[str, ...]  # headers we do not import, reported so nothing is silently lost

    def has(self, field: Field) -> bool:
        return field in self.index

    def get(self, cells: Sequence[str], field: Field) -> str:
        position = self.index.get(field)
        return cells[position] if position is not None else ""

    def header(self, field: Field) -> str:
        return self.headers[self.index[field]] if field in self.index else field.value

    @property
    def translated_languages(self) -> tuple[str, ...]:
        """Every language the file translates anything into, sorted."""
        return tuple(sorted({*self.translations, *self.option_translations}))

    @property
    def has_options(self) -> bool:
        return any(self.has(value) for _, value in OPTION_FIELDS)


def resolve_header(headers: Sequence[str]) -> ColumnMap:
    """Maps a header row; a missing required column or a column given twice rejects the file."""
    index: dict[Field, int] = {}
    translations: dict[str, list[int | None]] = {}
    option_translations: dict[str, dict[str, int]] = {}
    ignored: list[str] = []
    shopify = False
    for position, header in enumerate(headers):
        name = normalise_header(header)
        field = _SHOPIFY.get(name)
        shopify |= field is not None or name in _SHOPIFY_ONLY_IGNORED
        field = field or _PLAIN.get(name)
        if field is None:
            if match := _TRANSLATION.fullmatch(name):
                language = match[4].replace(" ", "-")
                if match[2]:  # option1_name:de, option2_value:zh-Hans
                    places = option_translations.setdefault(language, {})
                    key = f"{match[3]}{match[2]}"
                    if key in places:
                        _reject_duplicate(headers, places[key], position)
                    places[key] = position
                    continue
                slots = translations.setdefault(language, [None, None])
                slot = 0 if match[1] == "title" else 1
                if slots[slot] is not None:
                    _reject_duplicate(headers, slots[slot], position)
                slots[slot] = position
            elif name:
                ignored.append(header)
            continue
        if field in index:
            _reject_duplicate(headers, index[field], position)
        index[field] = position
    for field in REQUIRED:
        if field not in index:
            aliases = sorted(
                {h for h, f in (*_PLAIN.items(), *_SHOPIFY.items()) if f is field}, key=len
            )
            raise ImportRejected(
                ImportProblem(
                    "missing_column",
                    line=1,
                    params={"column": field.value, "aliases": ", ".join(aliases)},
                )
            )
    return ColumnMap(
        headers=tuple(headers),
        index=index,
        translations={lang: (slots[0], slots[1]) for lang, slots in translations.items()},
        option_translations=option_translations,
        source=SourceFormat.SHOPIFY if shopify else SourceFormat.PLAIN,
        ignored=tuple(ignored),
    )


def _reject_duplicate(headers: Sequence[str], first: int | None, second: int) -> None:
    assert first is not None
    raise ImportRejected(
        ImportProblem(
            "duplicate_column",
            line=1,
            params={"first": headers[first], "second": headers[second]},
        )
    )
