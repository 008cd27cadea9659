"""One alias map for the plain CSV, Shopify's legacy export and Shopify's current template."""

from __future__ import annotations

import pytest

from catalog.importing.columns import Field, SourceFormat, resolve_header
from catalog.importing.problems import ImportRejected

LEGACY = [
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Product Category",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Option3 Name",
    "Option3 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Fulfillment Service",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Variant Barcode",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "Gift Card",
    "SEO Title",
    "SEO Description",
    "Variant Image",
    "Status",
]
CURRENT = [
    "Title",
    "URL handle",
    "Description",
    "Vendor",
    "Product category",
    "Type",
    "Tags",
    "Published on online store",
    "Status",
    "SKU",
    "Barcode",
    "Option1 name",
    "Option1 value",
    "Option2 name",
    "Option2 value",
    "Option3 name",
    "Option3 value",
    "Price",
    "Compare-at price",
    "Cost per item",
    "Charge tax",
    "Inventory tracker",
    "Inventory quantity",
    "Continue selling when out of stock",
    "Weight value (grams)",
    "Requires shipping",
    "Fulfillment service",
    "Product image URL",
    "Image position",
    "Image alt text",
    "Variant image URL",
    "Gift card",
    "SEO title",
    "SEO description",
]
COMMON = {
    Field.HANDLE, Field.TITLE, Field.DESCRIPTION, Field.BRAND, Field.CATEGORY, Field.PRODUCT_TYPE,
    Field.TAGS, Field.PUBLISHED, Field.STATUS, Field.SKU, Field.BARCODE, Field.PRICE,
    Field.COMPARE_AT_PRICE, Field.STOCK, Field.INVENTORY_TRACKER, Field.INVENTORY_POLICY,
    Field.IMAGE, Field.IMAGE_POSITION, Field.IMAGE_ALT, Field.VARIANT_IMAGE,
    Field.OPTION1_NAME, Field.OPTION1_VALUE, Field.OPTION2_NAME, Field.OPTION2_VALUE,
    Field.OPTION3_NAME, Field.OPTION3_VALUE, Field.GIFT_CARD, Field.REQUIRES_SHIPPING,
    Field.GRAMS,
}  # fmt: skip


@pytest.mark.parametrize("header", [LEGACY, CURRENT], ids=["legacy", "current"])
def test_both_shopify_headers_map_to_the_same_fields(header: list[str]) -> None:
    columns = resolve_header(header)
    assert columns.source is SourceFormat.SHOPIFY
    assert set(columns.index) == COMMON
    weight = "Variant Grams" if "Variant Grams" in header else "Weight value (grams)"
    assert weight not in columns.ignored and columns.headers[columns.index[Field.GRAMS]] == weight


def test_plain_header_with_translations_in_any_spelling() -> None:
    columns = resolve_header(
        ["handle", "title", "price", "title:zh", "Description:ZH", "title_zh-Hans", "title es"]
    )
    assert columns.source is SourceFormat.PLAIN
    assert columns.translations == {"zh": (3, 4), "zh-hans": (5, None), "es": (6, None)}


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["title", "price"], "handle"),
        (["handle", "price"], "title"),
        (["Handle", "Title"], "price"),
    ],
)
def test_a_missing_required_column_names_it_and_its_aliases(
    header: list[str], missing: str
) -> None:
    with pytest.raises(ImportRejected) as caught:
        resolve_header(header)
    problem = caught.value.problem
    assert (problem.code, problem.line, problem.params["column"]) == ("missing_column", 1, missing)


def test_two_columns_meaning_the_same_field_are_refused() -> None:
    with pytest.raises(ImportRejected) as caught:
        resolve_header(["handle", "title", "price", "Variant Price"])
    assert caught.value.problem.code == "duplicate_column"
