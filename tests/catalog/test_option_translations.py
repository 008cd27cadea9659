"""Option names and values in every language: imported from `optionN_name:LANG` /
`optionN_value:LANG` columns, shown to buyers in theirs and to staff in the shop's, exported
back unchanged."""

from __future__ import annotations

import csv
import io

from bot.database import SessionFactory, transaction
from catalog.exporting import export_catalog
from catalog.localised import option_names_in, options_in, title_in
from orders.catalog_port import load_offers
from tests.catalog.importing.helpers import catalog_state, load_product, run_import

CSV = (
    "handle,title,option1_name,option1_value,option2_name,option2_value,sku,price,stock,"
    "title:de,option1_name:de,option1_value:de,option2_value:de,option1_name:zh-Hans,"
    "option1_value:zh-Hans\n"
    "tee,T-shirt,Colour,Black,Size,M,TEE-BM,19.90,5,T-Shirt,Farbe,Schwarz,M,颜色,黑色\n"
    "tee,,,White,,M,TEE-WM,19.90,5,,,Weiß,,,白色\n"
    "tee,,,Black,,L,TEE-BL,19.90,5,,,Schwarz,,,\n"
)


async def test_option_translations_import_and_reach_buyers_in_their_language(
    sessions: SessionFactory,
) -> None:
    report = await run_import(sessions, CSV)
    assert report.ok, [str(p) for p in report.problems]
    tee = await load_product(sessions, "tee")
    german = {t.language: t for t in tee.translations}["de"]
    assert german.option_names == ["Farbe", ""]  # the size's name is not translated
    assert german.option_values == {"1": {"Black": "Schwarz", "White": "Weiß"}, "2": {"M": "M"}}
    black_m, white_m, black_l = tee.variants
    assert options_in(tee, white_m, "de") == {"Farbe": "Weiß", "Size": "M"}
    assert options_in(tee, black_l, "zh_Hans") == {"颜色": "黑色", "Size": "L"}
    assert options_in(tee, black_m, "fr") == {"Colour": "Black", "Size": "M"}  # no French
    assert option_names_in(tee, "de-AT") == ("Farbe", "Size")
    assert title_in(tee, "zh_Hans") == "T-shirt"  # no Chinese title: the merchant's own
    async with sessions() as session:
        offers = await load_offers(session, [white_m.id], language="de")
    assert offers[white_m.id].options == {"Farbe": "Weiß", "Size": "M"}


async def test_option_translations_export_and_reimport_unchanged(sessions: SessionFactory) -> None:
    await run_import(sessions, CSV)
    before = await catalog_state(sessions)
    out = io.StringIO(newline="")
    async with transaction(sessions) as session:
        await export_catalog(session, out, merchant_slug="acme")
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert rows[0]["option1_name:de"] == "Farbe" and rows[1]["option1_value:de"] == "Weiß"
    assert rows[0]["option1_value:zh-hans"] == "黑色" == rows[2]["option1_value:zh-hans"]
    again = await run_import(sessions, out.getvalue(), currency=None)
    assert again.ok and again.unchanged == 1
    assert await catalog_state(sessions) == before
