"""Shopify's translation export imported: buyers read titles, option names and option values in
their language; staff keep the shop's words; what cannot be matched or is for one market only is
reported, not guessed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from catalog.exporting import UnknownMerchant
from catalog.importing.problems import ImportRejected
from catalog.importing.shopify_translations import (
    TranslationReport,
    import_translation_export,
    read_translation_export,
)
from catalog.localised import options_in, title_in
from catalog.models import CatalogVersion
from orders.catalog_port import load_offers

from .helpers import load_product, run_import

PRODUCTS = (
    "Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,"
    "Variant Price\n"
    "neckband,Neckband headphones,Colour,Black,Size,M,HP-B,49\n"
    "neckband,,,White,,M,HP-W,49\n"
    "beanie,Wool beanie,Colour,Black,,,BN-1,19\n"
    "twin-a,Gift box,,,,,GB-A,5\n"
    "twin-b,Gift box,,,,,GB-B,6\n"
)
HEADER = "Type,Identification,Field,Locale,Market,Status,Default content,Translated content\n"
EXPORT = HEADER + (
    "PRODUCT,'8812345678901,handle,de,,,neckband,nackenbuegel\n"
    "PRODUCT,'8812345678901,title,de,,,Neckband headphones,Nackenbügel-Kopfhörer\n"
    'PRODUCT,\'8812345678901,body_html,de,,,<p>Wireless</p>,"<p>Kabellos, <b>leicht</b></p>"\n'
    "PRODUCT,'8812345678901,meta_title,de,,,Headphones,Kopfhörer kaufen\n"
    "PRODUCT,'8812345678902,title,de,,,Wool beanie,\n"  # not translated yet
    "PRODUCT,'8812345678903,title,de,,,Gift box,Geschenkbox\n"  # two products have that title
    "PRODUCT,'8812345678904,handle,de,,,gone,weg\n"
    "PRODUCT,'8812345678904,title,de,,,Discontinued scarf,Schal\n"
    "PRODUCT_OPTION,'1055,name,de,,,Colour,Farbe\n"
    "PRODUCT_OPTION,'1056,name,de,,,Size,Größe\n"
    "PRODUCT_OPTION_VALUE,'2093,name,de,,,Black,Schwarz\n"
    "PRODUCT_OPTION_VALUE,'2094,name,de,,,White,Weiß\n"
    "PRODUCT_OPTION_VALUE,'2094,name,de,'4711,,White,Cremeweiß\n"  # one market only
    "PRODUCT_OPTION_VALUE,'2093,name,zh-CN,,,Black,黑色\n"
    "COLLECTION,'99,title,de,,,Audio,Audio\n"
)


async def _imported(sessions: SessionFactory, data: str) -> TranslationReport:
    async with transaction(sessions) as session:
        return await import_translation_export(session, data.encode(), merchant_slug="acme")


async def test_buyers_read_translated_titles_and_options_and_staff_the_shops_words(
    sessions: SessionFactory,
) -> None:
    assert (await run_import(sessions, PRODUCTS)).ok
    report = await _imported(sessions, EXPORT)
    assert report.languages == ("de", "zh-cn")
    assert (report.products, report.titles, report.option_names) == (2, 2, 3)
    assert report.option_values == 5  # de: Black, White, beanie's Black; zh-CN: both Blacks
    assert report.market_rows == 1
    assert report.unmatched == ["Discontinued scarf", "Gift box"]

    headphones = await load_product(sessions, "neckband")
    black, white = headphones.variants
    assert title_in(headphones, "de") == "Nackenbügel-Kopfhörer"
    assert options_in(headphones, black, "de_DE") == {"Farbe": "Schwarz", "Größe": "M"}
    assert options_in(headphones, white, "de") == {"Farbe": "Weiß", "Größe": "M"}
    assert options_in(headphones, black, "zh_Hans") == {"Colour": "黑色", "Size": "M"}
    assert options_in(headphones, black, "en") == {"Colour": "Black", "Size": "M"}  # staff
    german = next(t for t in headphones.translations if t.language == "de")
    assert german.description == "Kabellos, leicht"
    beanie = await load_product(sessions, "beanie")
    assert title_in(beanie, "de") == "Wool beanie"  # its title row had no translation
    assert options_in(beanie, beanie.variants[0], "de") == {"Farbe": "Schwarz"}
    async with sessions() as session:
        offers = await load_offers(session, [black.id], language="de")
    assert offers[black.id].options == {"Farbe": "Schwarz", "Größe": "M"}  # the cart's words

    async with sessions() as session:
        version = await session.scalar(select(CatalogVersion.version))
    again = await _imported(sessions, EXPORT)  # the same file twice changes nothing
    assert (again.products, again.titles, again.option_names, again.option_values) == (0, 0, 0, 0)
    async with sessions() as session:
        assert await session.scalar(select(CatalogVersion.version)) == version


async def test_older_exports_translate_values_per_variant_option(
    sessions: SessionFactory,
) -> None:
    assert (await run_import(sessions, PRODUCTS)).ok
    legacy = HEADER + (
        "PRODUCT_VARIANT,'39000001,option1,fr,,,Black,Noir\n"
        "PRODUCT_VARIANT,'39000001,option2,fr,,,M,Moyen\n"
        "PRODUCT_VARIANT,'39000002,option2,fr,,,Black,Moyen noir\n"  # option 2 is never Black
    )
    report = await _imported(sessions, legacy)
    assert report.option_values == 3  # neckband Black and M, beanie Black
    headphones = await load_product(sessions, "neckband")
    assert options_in(headphones, headphones.variants[0], "fr") == {
        "Colour": "Noir",
        "Size": "Moyen",
    }
    assert options_in(headphones, headphones.variants[1], "fr")["Colour"] == "White"


async def test_a_product_file_or_an_unknown_shop_is_refused_and_changes_nothing(
    sessions: SessionFactory,
) -> None:
    with pytest.raises(ImportRejected) as refused:
        read_translation_export(PRODUCTS.encode())
    assert refused.value.problem.code == "not_translation_export"
    assert (await run_import(sessions, PRODUCTS)).ok
    with pytest.raises(UnknownMerchant):
        async with transaction(sessions) as session:
            await import_translation_export(session, EXPORT.encode(), merchant_slug="nobody")
    rows = read_translation_export(("\ufeff" + HEADER + "PRODUCT,'1,title,PT_br,,,A,B\n").encode())
    assert [(r.identification, r.locale, r.line) for r in rows] == [("1", "pt-br", 2)]
