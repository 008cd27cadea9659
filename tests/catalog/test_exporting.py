"""`export_catalog`: the documented plain CSV, re-importable unchanged, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from bot.database import SessionFactory, transaction
from catalog.exporting import PLAIN_COLUMNS, UnknownMerchant, export_catalog
from catalog.merchants import find_merchant
from catalog.models import Product, Variant
from tests.catalog.importing.helpers import SHOPIFY_LEGACY, catalog_state, run_import

PLAIN = (
    "handle,title,description,option1_name,option1_value,sku,price,compare_at_price,stock,"
    "inventory_policy,tags,status,image,image_alt,title:zh,description:zh,title:es\n"
    'red-mug,Red mug,"Glazed.\n\nDishwasher safe.",Size,S,MUG-S,12.50,15,10,deny,'
    "kitchen; mugs,active,https://example.com/a.jpg,Front,红色杯子,陶瓷杯,Taza roja\n"
    "red-mug,,,,L,MUG-L,14,,-2,continue,,,https://example.com/b.jpg,,,,\n"
    "red-mug,,,,,,,,,,,,https://example.com/c.jpg,Side,,,\n"
    '\'-20% sale,"\'=HYPERLINK(""http://evil.example"",""win"")",,,,\'+SKU,3,,0,deny,,draft,,,,,\n'
)


async def export_text(sessions: SessionFactory, merchant: str = "acme") -> str:
    out = io.StringIO(newline="")
    async with transaction(sessions) as session:
        await export_catalog(session, out, merchant_slug=merchant)
    return out.getvalue()


@pytest.mark.parametrize("source", ["shopify", "plain"])
async def test_export_then_import_changes_nothing(sessions: SessionFactory, source: str) -> None:
    data = SHOPIFY_LEGACY.read_bytes() if source == "shopify" else PLAIN.encode()
    first = await run_import(sessions, data)
    assert first.ok, [str(p) for p in first.errors]
    before = await catalog_state(sessions)
    exported = await export_text(sessions)
    report = await run_import(sessions, exported, currency=None)
    assert report.ok and report.source == "plain"
    assert (report.created, report.updated, report.unchanged) == (0, 0, first.created)
    assert await catalog_state(sessions) == before
    assert await export_text(sessions) == exported


async def test_export_is_the_documented_plain_csv(sessions: SessionFactory) -> None:
    await run_import(sessions, PLAIN, currency="EUR")
    rows = list(csv.DictReader(io.StringIO(await export_text(sessions), newline="")))
    assert list(rows[0]) == [
        *PLAIN_COLUMNS, "title:es", "description:es", "title:zh", "description:zh",
    ]  # fmt: skip
    mug = [row for row in rows if row["handle"] == "red-mug"]
    assert [(r["sku"], r["price"], r["stock"], r["image"]) for r in mug] == [
        ("MUG-S", "12.50", "10", "https://example.com/a.jpg"),
        ("MUG-L", "14.00", "-2", "https://example.com/b.jpg"),
        ("", "", "", "https://example.com/c.jpg"),
    ]
    assert (mug[0]["title:zh"], mug[0]["currency"], mug[0]["tags"]) == (
        "红色杯子",
        "EUR",
        "kitchen; mugs",
    )
    assert mug[0]["description"] == "Glazed.\n\nDishwasher safe."


async def test_formula_cells_are_neutralised_on_export(sessions: SessionFactory) -> None:
    await run_import(sessions, PLAIN)
    async with transaction(sessions) as session:  # stored as plain text, whatever its origin
        merchant = await find_merchant(session, slug="acme")
        assert merchant is not None
        product = Product(merchant_id=merchant.id, handle="@evil", title="=cmd|' /C calc'!A0")
        product.variants = [
            Variant(merchant_id=merchant.id, price_minor=100, sku="-1+1", barcode="=1+1")
        ]
        session.add(product)
    rows = list(csv.DictReader(io.StringIO(await export_text(sessions), newline="")))
    sale = next(row for row in rows if row["handle"] == "'-20% sale")
    assert sale["title"] == '\'=HYPERLINK("http://evil.example","win")'
    assert sale["sku"] == "'+SKU"
    evil = next(row for row in rows if row["handle"] == "'@evil")
    assert (evil["title"], evil["sku"], evil["barcode"]) == (
        "'=cmd|' /C calc'!A0",
        "'-1+1",
        "'=1+1",
    )
    text_cells = [
        value for row in rows for column, value in row.items()
        if column not in {"price", "compare_at_price", "stock"}
    ]  # fmt: skip
    assert not [cell for cell in text_cells if cell[:1] in ("=", "+", "-", "@")]


async def test_unknown_merchant(sessions: SessionFactory) -> None:
    with pytest.raises(UnknownMerchant):
        await export_text(sessions, "nobody")
