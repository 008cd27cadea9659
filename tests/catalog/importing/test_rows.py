"""From records to product drafts, without a database: grouping, forward fill, problems."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.importing.columns import resolve_header
from catalog.importing.problems import ImportRejected
from catalog.importing.reader import decode, read_records
from catalog.importing.rows import ParsedProduct, parse_products
from catalog.models import InventoryPolicy, ProductStatus

from .helpers import SHOPIFY_LEGACY


def parse(text: str | bytes, merchant: str | None = "acme") -> list[ParsedProduct]:
    raw = text.encode() if isinstance(text, str) else text
    header, records = read_records(decode(raw), max_rows=1000)
    products, _ = parse_products(resolve_header(header), records, merchant=merchant)
    return products


def codes(products: list[ParsedProduct]) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for product in products for p in product.problems]


def test_shopify_template_groups_variants_and_fills_product_fields_forward() -> None:
    shirt, jeans, beanie = parse(SHOPIFY_LEGACY.read_bytes())
    assert [p.ok for p in (shirt, jeans, beanie)] == [True, True, True]
    assert shirt.draft and jeans.draft and beanie.draft
    assert shirt.draft.option_names == ("Color", "Size")
    assert len(shirt.draft.variants) == 12
    assert {v.option_values for v in shirt.draft.variants} == {
        (colour, size) for colour in ("Green", "Blue", "Gray", "Purple") for size in "SML"
    }
    assert shirt.draft.title == "Example T-Shirt" and shirt.draft.brand == "Acme"
    assert shirt.draft.tags == ("Made to Order", "Shirt Tag", "Shirts")  # Type kept as a tag
    assert shirt.draft.status is ProductStatus.ACTIVE
    assert shirt.draft.description.startswith("This t-shirt is as simple as it gets.")
    assert "<p>" not in shirt.draft.description
    # an empty inventory tracker means untracked stock, which never sells out
    assert {v.inventory_policy for v in shirt.draft.variants} == {InventoryPolicy.CONTINUE}


def test_image_only_rows_add_photos_not_variants() -> None:
    jeans = parse(SHOPIFY_LEGACY.read_bytes())[1].draft
    assert jeans is not None
    assert [v.sku for v in jeans.variants] == ["PNT_DEN_285", "PNT_DEN_305", "PNT_DEN_405"]
    assert [v.price for v in jeans.variants] == [Decimal(95)] * 3
    assert [v.compare_at_price for v in jeans.variants] == [Decimal("64.95")] * 3
    assert [v.stock for v in jeans.variants] == [20, 15, 10]
    assert len(jeans.images) == 4 and jeans.images[3].alt == "Large tapered stone wash jeans"


def test_default_title_means_a_product_without_options() -> None:
    beanie = parse(SHOPIFY_LEGACY.read_bytes())[2].draft
    assert beanie is not None
    assert beanie.option_names == () and len(beanie.variants) == 1
    assert beanie.variants[0].option_values == ()


def test_damaged_barcodes_are_kept_with_a_warning() -> None:
    shirt = parse(SHOPIFY_LEGACY.read_bytes())[0]
    assert shirt.draft and shirt.draft.variants[0].barcode == "3.65275E+11"
    assert {p.code for p in shirt.problems} == {"damaged_barcode"}
    assert all(p.is_warning for p in shirt.problems)


def test_plain_csv_with_translations_and_options() -> None:
    [mug] = parse(
        "handle,title,description,price,option1_name,option1_value,sku,stock,tags,"
        "title:zh,description:zh,image\n"
        "red-mug,Red mug,Glazed,12.50,Size,Small,MUG-S,10,kitchen; mugs,红色杯子,陶瓷,a/mug.jpg\n"
        "red-mug,,,14,,Large,MUG-L,4,,,,\n"
        "red-mug,,,,,,,,,,,https://example.com/mug-2.jpg\n"
    )
    assert mug.ok and mug.draft
    assert mug.draft.tags == ("kitchen", "mugs")
    assert [(v.option_values, v.price, v.stock) for v in mug.draft.variants] == [
        (("Small",), Decimal("12.50"), 10),
        (("Large",), Decimal(14), 4),
    ]
    assert [t.title for t in mug.draft.translations] == ["红色杯子"]
    assert [i.url for i in mug.draft.images] == ["a/mug.jpg", "https://example.com/mug-2.jpg"]


def test_rows_of_a_product_need_not_be_adjacent() -> None:
    products = parse("handle,title,sku,price\na,A,A1,1\nb,B,B1,2\na,,A2,3\n")
    assert [len(p.draft.variants) for p in products if p.draft] == [2, 1]


@pytest.mark.parametrize(
    ("price", "code"),
    [("-5", "negative_price"), ("abc", "bad_price"), ("", "missing_price"),
     ("1e20", "price_too_large"), ('"1,500"', "ambiguous_number")],
)  # fmt: skip
def test_bad_prices_fail_their_product_at_their_line(price: str, code: str) -> None:
    [good, bad] = parse(f"handle,title,price\ngood,Good,5\nbad,Bad,{price}\n")
    assert good.ok
    assert not bad.ok and bad.draft is None
    assert codes([bad]) == [(code, 3)]


def test_a_formula_cell_is_an_error_unless_escaped() -> None:
    [bad, escaped] = parse(
        'handle,title,price\nx,"=HYPERLINK(""http://evil.example"",""win"")",5\ny,\'-20% off,5\n'
    )
    assert codes([bad]) == [("formula_cell", 2)]
    assert escaped.ok and escaped.draft and escaped.draft.title == "-20% off"


def test_negative_stock_under_deny_is_none_left_with_a_warning() -> None:
    [deny, keep] = parse(
        "handle,title,price,stock,inventory_policy\nd,D,1,-2,deny\nc,C,1,-2,continue\n"
    )
    assert codes([deny]) == [("negative_stock", 2)]
    assert deny.ok and deny.draft and deny.draft.variants[0].stock == 0
    assert all(problem.is_warning for problem in deny.problems)
    assert keep.ok and keep.draft and keep.draft.variants[0].stock == -2 and not keep.problems


SHOPIFY_HEADER = (
    "Handle,Title,Variant SKU,Variant Price,Variant Inventory Tracker,Variant Inventory Qty,"
    "Variant Inventory Policy,Variant Requires Shipping,Gift Card\n"
)


def test_gift_cards_and_digital_products_are_left_out_with_their_reason() -> None:
    products = parse(
        SHOPIFY_HEADER
        + "card,Gift card,,10.00,,0,deny,FALSE,TRUE\n"
        + "card,,,25.00,,0,deny,FALSE,\n"
        + "ebook,E-book,EB1,5.00,,0,deny,FALSE,FALSE\n"
        + "mug,Mug,M1,9.00,shopify,-2,deny,TRUE,FALSE\n"
        + "tee,T-shirt,T1,,shopify,1,deny,TRUE,FALSE\n"  # a real error: no price
    )
    card, ebook, mug, tee = products
    assert (card.left_out, ebook.left_out, mug.left_out, tee.left_out) == (
        True, True, False, False,
    )  # fmt: skip
    assert codes([card, ebook]) == [("gift_card", 2), ("digital", 4)]
    assert card.draft is None and not card.errors and not ebook.errors
    assert mug.ok and mug.draft and mug.draft.variants[0].stock == 0
    assert codes([mug]) == [("negative_stock", 5)]
    assert codes([tee]) == [("missing_price", 6)] and not tee.ok


def test_row_problems_each_name_their_line_and_column() -> None:
    products = parse(
        "handle,title,price,stock,status\n"
        "a,,1,2,active\n"  # no title
        "b,B,1,2.5,active\n"  # not a whole number
        "c,C,1,1,sold\n"  # unknown status
        "d,D,1,1,active,extra\n"  # a cell too many
    )
    assert codes(products) == [
        ("missing_title", 2),
        ("bad_stock", 3),
        ("bad_status", 4),
        ("too_many_cells", 5),
    ]
    assert products[2].problems[0].column == "status"


def test_the_merchant_column_filters_rows_of_other_merchants() -> None:
    products = parse("merchant,handle,title,price\nacme,a,A,1\nother,b,B,1\n,c,C,1\n")
    assert [p.handle for p in products] == ["a", "c"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab,;"\n\r\t=-1.5€\x00 é'), max_size=200))
def test_any_text_is_parsed_or_rejected_never_crashes(body: str) -> None:
    with contextlib.suppress(ImportRejected):
        parse("handle,title,price,sku,stock\n" + body)


def test_shopify_html_is_checked_for_formulas_as_a_cell_not_as_text() -> None:
    [sale, evil] = parse(
        "Handle,Title,Body (HTML),Variant Price\n"
        "sale,Sale,<p>-20% on <b>all</b> mugs</p>,5\n"
        'evil,Evil,"=HYPERLINK(""http://x"")",5\n'
    )
    assert sale.ok and sale.draft and sale.draft.description == "-20% on all mugs"
    assert codes([evil]) == [("formula_cell", 3)]
