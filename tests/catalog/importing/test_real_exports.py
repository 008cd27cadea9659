"""Real merchants' Shopify exports import: nothing Shopify exports is refused.

The files are the byte-for-byte copies in the project's shared data folder (beside the
repository: `../shared/data/shopify`, see its README and SOURCES.md); they are read in place,
never copied or edited. Crafted rows add what those files lack: stock below zero under policy
`deny`, a gift card, a variant priced 0 on an active product.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.database import SessionFactory
from catalog.importing import ImportReport
from catalog.models import Product
from orders.catalog_port import load_offers
from storefront.documents import load_search_documents

from .helpers import catalog_state, load_product, run_import

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "shopify"
# Each file's currency (SOURCES.md gives the reasons): a Shopify export names none.
EXPORTS = {
    "product_template.csv": "USD",
    "Anfas-Al-Anoud__anfas-al-anoud-theme__products_export_1.csv": "AED",
    "biliscosaf__trendnow-brasil__products_export_1.csv": "BRL",
    "endurrad-glitch__endu24__products_export_Loboo.csv": "EUR",
    "JeremyKu0327__Hardware-Retail__products_export_1.csv": "MYR",
    "MagnusNordin__cutiepoppers__products_export_1.csv": "SEK",
    "juliettegramatges__Las-Lira__products_export_1.csv": "CLP",
}


def export(name: str) -> bytes:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"the shared Shopify exports are not beside the repository ({SHARED})")
    return path.read_bytes()


def handles(name: str) -> set[str]:
    with (SHARED / name).open(newline="", encoding="utf-8") as file:
        return {row["Handle"] for row in csv.DictReader(file)}


async def imported(sessions: SessionFactory, name: str) -> ImportReport:
    return await run_import(sessions, export(name), merchant="real", currency=EXPORTS[name])


@pytest.mark.parametrize("name", EXPORTS)
async def test_every_real_export_imports_with_warnings_at_most(
    sessions: SessionFactory, name: str
) -> None:
    report = await imported(sessions, name)
    assert report.ok, [str(problem) for problem in report.errors[:5]]
    assert report.created + report.left_out == len(handles(name))
    assert all(problem.line and problem.line > 1 for problem in report.problems)
    state = await catalog_state(sessions)
    assert len(state["products"]) == report.created
    if len(export(name)) < 300_000:  # (the two large ones would only cost time)
        again = await imported(sessions, name)  # re-importing the same export changes nothing
        assert again.ok and again.unchanged == report.created
        assert await catalog_state(sessions) == state


async def test_las_lira_zero_prices_are_warned_and_hidden_until_priced(
    sessions: SessionFactory,
) -> None:
    report = await imported(sessions, "juliettegramatges__Las-Lira__products_export_1.csv")
    lines = [p.line or 0 for p in report.problems if p.code == "zero_price"]
    assert sorted(lines) == lines
    zero_lines = {p.line for p in report.problems if p.code == "zero_price"}
    assert len(zero_lines) == 3  # ceramica-volcano S/M/L (the fourth is a product left out)
    volcano = await load_product(sessions, "ceramica-volcano")
    assert {v.price_minor for v in volcano.variants} == {0}
    async with sessions() as session:
        documents = (await load_search_documents(session)).documents
        assert volcano.id not in {document.product_id for document in documents}
        offers = await load_offers(session, [v.id for v in volcano.variants], language="es")
        assert offers and not any(offer.active for offer in offers.values())
    left_out = {p.code for p in report.problems if p.code in ("digital", "gift_card")}
    assert report.left_out == 2 and left_out == {"digital"}


async def test_hardware_retail_keeps_its_drafts_and_leaves_out_what_needs_no_shipping(
    sessions: SessionFactory,
) -> None:
    report = await imported(sessions, "JeremyKu0327__Hardware-Retail__products_export_1.csv")
    left = [p for p in report.problems if p.code == "digital"]
    assert [p.params["handle"] for p in left] == [
        "new-zealand-lamb-shank",
        "new-zealand-beef-shabu",
    ]
    async with sessions() as session:
        statuses = set(await session.scalars(select(Product.status)))
    assert statuses == {"active", "draft", "archived"}


SHOPIFY_HEADER = (
    "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,"
    "Variant SKU,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,"
    "Variant Price,Variant Requires Shipping,Gift Card,Status\n"
)
CRAFTED = SHOPIFY_HEADER + (
    "headphones,Neckband headphones,<p>Wireless</p>,Acme,Audio,,TRUE,Colour,Black,HP-B,"
    "shopify,-2,deny,49.00,TRUE,FALSE,active\n"
    "headphones,,,,,,,,White,HP-W,shopify,3,deny,49.00,TRUE,FALSE,\n"
    "gift-card,Gift card,,Acme,,,TRUE,Denominations,$10,,,0,deny,10.00,FALSE,TRUE,active\n"
    "gift-card,,,,,,,,$25,,,0,deny,25.00,FALSE,TRUE,\n"
    "sample,Sample mug,,Acme,,,TRUE,Title,Default Title,SM-1,shopify,5,deny,0.00,TRUE,FALSE,"
    "active\n"
)


async def test_crafted_negative_stock_gift_card_and_zero_price(sessions: SessionFactory) -> None:
    report = await run_import(sessions, CRAFTED, merchant="acme", currency="USD")
    assert report.ok and report.created == 2 and report.left_out == 1
    assert [(p.code, p.line) for p in report.problems] == [
        ("negative_stock", 2),
        ("gift_card", 4),
        ("zero_price", 6),
    ]
    assert not report.errors
    headphones = await load_product(sessions, "headphones")
    assert [(v.sku, v.stock, v.inventory_policy) for v in headphones.variants] == [
        ("HP-B", 0, "deny"),
        ("HP-W", 3, "deny"),
    ]
    sample = await load_product(sessions, "sample")
    async with sessions() as session:
        listed = {d.product_id for d in (await load_search_documents(session)).documents}
    assert listed == {headphones.id}  # the mug priced 0 waits for its price
    priced = CRAFTED.replace("deny,0.00,TRUE", "deny,7.50,TRUE")
    again = await run_import(sessions, priced, merchant="acme", currency="USD")
    assert again.ok and again.updated == 1
    async with sessions() as session:
        listed = {d.product_id for d in (await load_search_documents(session)).documents}
    assert listed == {headphones.id, sample.id}


async def test_a_stored_oversold_variant_under_deny_becomes_zero_when_reimported_without_stock(
    sessions: SessionFactory,
) -> None:
    first = "handle,title,sku,price,stock,inventory_policy\nmug,Mug,M1,5,-3,continue\n"
    assert (await run_import(sessions, first)).ok
    again = "handle,title,sku,price,inventory_policy\nmug,Mug,M1,5,deny\n"
    report = await run_import(sessions, again)
    assert report.ok and [p.code for p in report.problems] == ["negative_stock"]
    mug = await load_product(sessions, "mug")
    assert [(v.stock, v.inventory_policy) for v in mug.variants] == [(0, "deny")]


async def test_variant_grams_become_the_shipping_weight(sessions: SessionFactory) -> None:
    """Shopify's `Variant Grams` is grams whatever `Variant Weight Unit` shows the merchant."""
    report = await imported(sessions, "product_template.csv")
    assert report.ok
    shirt = await load_product(sessions, "example-shirt")
    assert {v.grams for v in shirt.variants} == {145}
    async with sessions() as session:
        offers = await load_offers(session, [v.id for v in shirt.variants], language="en")
    assert {offer.grams for offer in offers.values()} == {145}

    header = "Handle,Title,Variant SKU,Variant Price,Variant Grams,Variant Weight Unit\n"
    rows = "kettle,Kettle,K-1,30,453.592,lb\nanvil,Anvil,A-1,90,heavy,kg\n"
    refused = await run_import(sessions, header + rows, merchant="acme", currency="USD")
    assert [(p.code, p.line) for p in refused.errors] == [("bad_weight", 3)]
    fixed = await run_import(sessions, header + rows.replace("heavy", "0.0"), merchant="acme",
                             currency="USD")  # fmt: skip
    assert fixed.ok
    kettle, anvil = await load_product(sessions, "kettle"), await load_product(sessions, "anvil")
    assert (kettle.variants[0].grams, anvil.variants[0].grams) == (454, 0)
    # A file without a weight column leaves the stored weights alone.
    again = await run_import(sessions, "handle,title,sku,price\nkettle,Kettle,K-1,31\n",
                             merchant="acme", currency="USD")  # fmt: skip
    assert again.ok and (await load_product(sessions, "kettle")).variants[0].grams == 454
