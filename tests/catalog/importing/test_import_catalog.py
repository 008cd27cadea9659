"""`import_catalog` against the database (SQLite and PostgreSQL): all or nothing, by line."""

from __future__ import annotations

import pytest

from bot.database import SessionFactory, transaction
from catalog.importing import ImportLimits, import_catalog
from catalog.version import catalog_version

from .helpers import SHOPIFY_LEGACY, catalog_state, load_product, run_import

CURRENT_SHOPIFY = (
    "Title,URL handle,Description,Vendor,Product category,Type,Tags,Published on online store,"
    "Status,SKU,Barcode,Option1 name,Option1 value,Option2 name,Option2 value,Price,"
    "Compare-at price,Inventory tracker,Inventory quantity,Continue selling when out of stock,"
    "Product image URL,Image position,Image alt text\n"
    'Linen shirt,linen-shirt,"<p>Cool <em>linen</em>.</p><ul><li>Breathes</li></ul>",Flax Co,'
    'Shirts,Tops,"summer, linen",TRUE,active,LIN-S-W,,Size,S,Colour,White,49.9,59,shopify,7,'
    "FALSE,https://example.com/linen.jpg,1,Front\n"
    "Linen shirt,linen-shirt,,,,,,,,LIN-M-W,,Size,M,Colour,White,49.9,,shopify,0,TRUE,,,\n"
    ",linen-shirt,,,,,,,,,,,,,,,,,,,https://example.com/linen-back.jpg,2,Back\n"
    "Gift card,gift-card,Any amount,Flax Co,,,,FALSE,,GIFT,,Title,Default Title,,,25,,,,"
    "FALSE,,,\n"
)


async def test_shopify_legacy_template_imports_every_variant_price_and_stock(
    sessions: SessionFactory,
) -> None:
    report = await run_import(sessions, SHOPIFY_LEGACY.read_bytes())
    assert report.ok and report.source == "shopify"
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.variants_created == 16
    assert {p.code for p in report.problems} == {"damaged_barcode"}
    state = await catalog_state(sessions)
    assert state["merchants"] == {"acme": "USD"}
    assert state["version"] == 1
    shirt = state["products"][("acme", "example-shirt")]
    assert len(shirt["variants"]) == 12
    assert {v[4] for v in shirt["variants"]} == {2500}  # $25 in cents
    pants = await load_product(sessions, "example-pants")
    assert [(v.sku, v.price_minor, v.compare_at_minor, v.stock) for v in pants.variants] == [
        ("PNT_DEN_285", 9500, 6495, 20),
        ("PNT_DEN_305", 9500, 6495, 15),
        ("PNT_DEN_405", 9500, 6495, 10),
    ]
    assert [v.option_values for v in pants.variants] == [
        ("28", "", ""),
        ("30", "", ""),
        ("40", "", ""),
    ]
    assert len(pants.images) == 4
    beanie = await load_product(sessions, "example-hat")
    assert beanie.option_names == () and len(beanie.variants) == 1
    assert beanie.description.startswith("Our beanie is a must-have accessory")


async def test_shopify_current_header(sessions: SessionFactory) -> None:
    report = await run_import(sessions, CURRENT_SHOPIFY, currency="EUR")
    assert report.ok, [str(p) for p in report.problems]
    shirt = await load_product(sessions, "linen-shirt")
    assert shirt.description == "Cool linen.\n\n• Breathes"
    assert shirt.option_names == ("Size", "Colour")
    assert shirt.tags == ["summer", "linen", "Tops"]
    assert [(v.option1, v.price_minor, v.stock, v.inventory_policy) for v in shirt.variants] == [
        ("S", 4990, 7, "deny"),
        ("M", 4990, 0, "continue"),
    ]
    assert [(i.url, i.alt) for i in shirt.images] == [
        ("https://example.com/linen.jpg", "Front"),
        ("https://example.com/linen-back.jpg", "Back"),
    ]
    card = await load_product(sessions, "gift-card")
    assert card.status == "draft" and card.option_names == ()


async def test_reimporting_the_same_file_changes_nothing(sessions: SessionFactory) -> None:
    await run_import(sessions, SHOPIFY_LEGACY.read_bytes())
    before = await catalog_state(sessions)
    report = await run_import(sessions, SHOPIFY_LEGACY.read_bytes(), currency=None)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert await catalog_state(sessions) == before  # same ids, same version: no duplicates


async def test_reimport_updates_by_handle_and_sku(sessions: SessionFactory) -> None:
    await run_import(
        sessions,
        "handle,title,option1_name,option1_value,sku,price,stock\n"
        "mug,Mug,Size,S,MUG-S,10,5\nmug,,,M,MUG-M,12,5\nmug,,,L,MUG-L,14,5\n"
        "cup,Cup,,,CUP,3,1\n",
    )
    old = await load_product(sessions, "mug")
    ids = {v.sku: v.id for v in old.variants}
    report = await run_import(
        sessions,
        "handle,title,option1_name,option1_value,sku,price,stock\n"
        "mug,Big mug,Size,S,MUG-S,11,5\nmug,,,M,MUG-M,12,5\nmug,,,XL,MUG-XL,16,2\n",
    )
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert (report.variants_created, report.variants_updated, report.variants_removed) == (1, 1, 1)
    mug = await load_product(sessions, "mug")
    assert mug.title == "Big mug"
    assert [(v.sku, v.price_minor) for v in mug.variants] == [
        ("MUG-S", 1100), ("MUG-M", 1200), ("MUG-XL", 1600),
    ]  # fmt: skip
    assert [v.id for v in mug.variants[:2]] == [ids["MUG-S"], ids["MUG-M"]]
    state = await catalog_state(sessions)
    assert set(state["products"]) == {("acme", "mug"), ("acme", "cup")}  # cup left alone
    assert state["version"] == 2
    assert state["products"][("acme", "mug")]["fields"][-1] == 2
    assert state["products"][("acme", "cup")]["fields"][-1] == 1


async def test_a_file_without_a_column_leaves_that_field_alone(sessions: SessionFactory) -> None:
    await run_import(sessions, "handle,title,sku,price,stock,brand\nmug,Mug,M1,10,7,Acme\n")
    report = await run_import(sessions, "handle,title,sku,price\nmug,Mug,M1,9.5\n")
    assert report.ok and report.updated == 1
    mug = await load_product(sessions, "mug")
    assert (mug.brand, mug.variants[0].stock, mug.variants[0].price_minor) == ("Acme", 7, 950)


BAD_FILES = {
    "broken quoting": b'handle,title,price\nmug,"Mug" big,1\n',
    "unclosed quote": b'handle,title,price\nmug,"Mug,1\ncup,Cup,2\n',
    "latin-1": "handle,title,price\nmug,Café,1\n".encode("latin-1"),
    "missing column": b"handle,title\nmug,Mug\n",
    "empty": b"",
    "header only": b"handle,title,price\n",
    "binary garbage": bytes(range(256)) * 8,
    "workbook": b"PK\x03\x04" + bytes(100),
    "negative price": b"handle,title,price\ngood,Good,1\nmug,Mug,-1\n",
    "garbage price": b"handle,title,price\ngood,Good,1\nmug,Mug,twelve\n",
    "formula": b'handle,title,price\ngood,Good,1\nmug,=HYPERLINK("http://x"),1\n',
    "bad currency column": b"handle,title,price,currency\na,A,1,XXY\n",
    "precision": b"handle,title,price\na,A,1.999\n",
}


@pytest.mark.parametrize("data", BAD_FILES.values(), ids=BAD_FILES.keys())
async def test_bad_input_changes_nothing_and_says_why(
    sessions: SessionFactory, data: bytes
) -> None:
    await run_import(sessions, "handle,title,price\nold,Old,1\n")
    before = await catalog_state(sessions)
    report = await run_import(sessions, data)
    assert not report.applied and report.errors
    assert all(p.message and "%(" not in p.message for p in report.errors)
    assert await catalog_state(sessions) == before


async def test_a_new_merchant_is_not_created_by_a_failed_import(sessions: SessionFactory) -> None:
    report = await run_import(sessions, b"handle,title,price\nmug,Mug,-1\n", merchant="new-shop")
    assert [(p.code, p.line) for p in report.errors] == [("negative_price", 2)]
    assert (await catalog_state(sessions))["merchants"] == {}


async def test_limits_refuse_large_files(sessions: SessionFactory) -> None:
    rows = "handle,title,price\n" + "".join(f"p{i},P{i},1\n" for i in range(100))
    tight = ImportLimits(max_bytes=len(rows) - 1)
    report = await run_import(sessions, rows, limits=tight)
    assert [p.code for p in report.errors] == ["file_too_large"]
    report = await run_import(sessions, rows, limits=ImportLimits(max_rows=99))
    assert [(p.code, p.line) for p in report.errors] == [("too_many_rows", 101)]
    assert (await catalog_state(sessions))["products"] == {}


async def test_skip_bad_rows_imports_the_good_products(sessions: SessionFactory) -> None:
    report = await run_import(
        sessions,
        "handle,title,sku,price\na,A,A1,1\nb,B,B1,-1\nb,,B2,2\nc,C,C1,3\n",
        skip_bad_rows=True,
    )
    assert report.applied and not report.ok
    assert (report.created, report.skipped, report.skipped_rows) == (2, 1, 2)
    assert [(p.code, p.line) for p in report.errors] == [("negative_price", 3)]
    assert set((await catalog_state(sessions))["products"]) == {("acme", "a"), ("acme", "c")}


async def test_currency(sessions: SessionFactory) -> None:
    missing = await run_import(sessions, "handle,title,price\na,A,1\n", currency=None)
    assert [p.code for p in missing.errors] == ["currency_required"]
    unknown = await run_import(sessions, "handle,title,price\na,A,1\n", currency="ZZZ")
    assert [p.code for p in unknown.errors] == ["unknown_currency"]
    assert (await run_import(sessions, "handle,title,price\na,A,1500\n", currency="jpy")).ok
    mismatch = await run_import(sessions, "handle,title,price\na,A,1\n", currency="EUR")
    assert [p.code for p in mismatch.errors] == ["currency_mismatch"]
    product = await load_product(sessions, "a")
    assert product.variants[0].price_minor == 1500  # JPY has no minor unit


async def test_a_sku_held_by_a_product_not_in_the_file_is_refused(
    sessions: SessionFactory,
) -> None:
    await run_import(sessions, "handle,title,sku,price\nold,Old,S1,1\n")
    report = await run_import(sessions, "handle,title,sku,price\nnew,New,S1,1\n")
    assert [(p.code, p.line, p.params["handle"]) for p in report.errors] == [
        ("sku_taken", 2, "old")
    ]


async def test_a_sku_can_move_between_products_the_file_updates(
    sessions: SessionFactory,
) -> None:
    await run_import(sessions, "handle,title,sku,price\na,A,S1,1\nb,B,S2,2\n")
    moved_id = (await load_product(sessions, "a")).variants[0].id
    report = await run_import(sessions, "handle,title,sku,price\na,A,S3,1\nb,B,S2,2\nb,,S1,5\n")
    assert report.ok, [str(p) for p in report.errors]
    b = await load_product(sessions, "b")
    assert [(v.sku, v.id == moved_id) for v in b.variants] == [("S2", False), ("S1", True)]
    assert [v.sku for v in (await load_product(sessions, "a")).variants] == ["S3"]


async def test_progress_and_the_catalog_version(sessions: SessionFactory) -> None:
    calls: list[tuple[int, int]] = []
    await run_import(sessions, SHOPIFY_LEGACY.read_bytes(), progress=lambda *a: calls.append(a))
    assert calls[-1] == (17, 17)
    async with transaction(sessions) as session:
        assert await catalog_version(session) == 1


async def test_problems_render_through_the_callers_gettext(sessions: SessionFactory) -> None:
    report = await run_import(sessions, "handle,title,price\nmug,Mug,-3\n")
    [problem] = report.errors
    assert problem.render() == "line 2, price: The price -3 is below zero."
    fake = {problem.default: "Le prix %(value)s est négatif."}
    assert problem.render(lambda m: fake.get(m, m), located=False) == "Le prix -3 est négatif."


async def test_the_entry_point_refuses_a_bad_slug(sessions: SessionFactory) -> None:
    report = await import_catalog(
        sessions, b"handle,title,price\na,A,1\n", merchant_slug="Bad Slug!"
    )
    assert [p.code for p in report.errors] == ["bad_merchant"]


@pytest.mark.slow
async def test_a_large_file_reports_progress_as_it_writes(sessions: SessionFactory) -> None:
    rows = "".join(f"p{i},Product {i},SKU{i},{i % 90 + 1}.25,{i % 7}\n" for i in range(1200))
    calls: list[tuple[int, int]] = []
    report = await run_import(
        sessions, "handle,title,sku,price,stock\n" + rows, progress=lambda *a: calls.append(a)
    )
    assert report.ok and report.created == 1200
    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]
