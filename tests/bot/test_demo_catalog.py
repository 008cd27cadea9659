"""The bundled demo catalog: its files meet the promised counts, every product has a real photo,
and seeding it into a database works and changes nothing the second time."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from bot.database import SessionFactory, transaction
from bot.demo import LANGUAGES, PHOTOS_DIR, SHOPS, DemoShop, photo_path
from bot.demo.listings import COLOUR_OPTION, OPTION_LANGUAGE, header
from bot.demo.make_catalog import render_csv
from bot.demo.seed import seed_demo_catalog
from bot.demo.vocabulary import load_vocabulary
from catalog.merchants import find_merchant
from catalog.models import CatalogVersion, Merchant, Product, ProductImage, Variant
from catalog.models import ProductTranslation as Translation
from orders.catalog_port import load_offers
from orders.shipping import rules_for

PHOTO_BUDGET = 3 * 1024 * 1024


def _products(shop: DemoShop) -> dict[str, list[dict[str, str]]]:
    """The shop's CSV rows grouped by handle: a product's first row, then its other variants."""
    with shop.csv_path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    products: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        products[row["handle"]].append(row)
    return products


def _all_products() -> list[tuple[DemoShop, list[dict[str, str]]]]:
    return [(shop, rows) for shop in SHOPS for rows in _products(shop).values()]


def _stock(rows: list[dict[str, str]]) -> int:
    return sum(int(row["stock"]) for row in rows)


def test_two_shops_in_different_currencies() -> None:
    assert {shop.currency for shop in SHOPS} == {"USD", "CNY"}
    for shop in SHOPS:
        currencies = {rows[0]["currency"] for rows in _products(shop).values()}
        assert currencies == {shop.currency}


def test_at_least_150_products_in_at_least_8_categories() -> None:
    products = _all_products()
    assert len(products) >= 150
    assert len({rows[0]["category"] for _, rows in products}) >= 8
    for shop in SHOPS:
        assert len(_products(shop)) >= 60, shop.slug  # both shops are worth browsing


def test_every_product_is_named_and_described_in_every_shipped_language() -> None:
    for shop, rows in _all_products():
        first = rows[0]
        texts = {shop.language: (first["title"], first["description"])} | {
            language: (first[f"title:{language}"], first[f"description:{language}"])
            for language in LANGUAGES
            if language != shop.language
        }
        assert set(texts) == set(LANGUAGES)
        assert all(title and description for title, description in texts.values()), first


def test_variants_and_varied_stock() -> None:
    products = _all_products()
    with_options = [rows for _, rows in products if len(rows) > 1]
    assert len(with_options) >= 50
    assert any(rows[0]["option2_name"] == "Size" for rows in with_options)
    sold_out_variants = [row for _, rows in products for row in rows if row["stock"] == "0"]
    assert len(sold_out_variants) >= 3
    assert any(0 < _stock(rows) <= 3 for _, rows in products)  # the last few items
    assert len({_stock(rows) for _, rows in products}) >= 40  # not one number everywhere
    for _, rows in products:
        assert all(Decimal(row["price"]) > 0 for row in rows)
        skus = [row["sku"] for row in rows]
        assert all(skus) and len(set(skus)) == len(skus)


def test_the_files_are_what_products_toml_generates() -> None:
    """A stale file would mean someone edited products.toml and forgot the generator."""
    categories = load_vocabulary()
    for shop in SHOPS:
        assert shop.csv_path.read_bytes() == render_csv(shop, categories), shop.slug
        assert next(iter(_products(shop).values()))[0].keys() == set(header(shop))


def test_every_product_has_a_photo_that_is_a_valid_image() -> None:
    for shop, rows in _all_products():
        path = photo_path(rows[0]["image"])
        assert path is not None, (shop.slug, rows[0]["handle"], rows[0]["image"])
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (480, 480)


def test_photos_stay_small_and_none_is_orphaned() -> None:
    photos = sorted(PHOTOS_DIR.glob("*.png"))
    assert sum(photo.stat().st_size for photo in photos) < PHOTO_BUDGET
    used = {rows[0]["image"] for _, rows in _all_products()}
    assert {photo.name for photo in photos} == used


@pytest.mark.parametrize("name", ["../products.toml", "/etc/hostname", "https://x.test/a.png"])
def test_photo_path_refuses_what_is_not_a_demo_photo(name: str) -> None:
    assert photo_path(name) is None


async def _snapshot(sessions: SessionFactory) -> tuple[object, ...]:
    async with transaction(sessions) as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Merchant, Product, Variant, Translation, ProductImage)
        ]
        stock = await session.scalar(select(func.sum(Variant.stock)))
        version = await session.scalar(select(CatalogVersion.version))
    return (*counts, stock, version)


@pytest.mark.slow
async def test_seeding_imports_both_shops_completely(sessions: SessionFactory) -> None:
    report = await seed_demo_catalog(sessions)

    assert report.changed
    assert report.products_created == len(_all_products())
    async with transaction(sessions) as session:
        merchants = {m.slug: m for m in await session.scalars(select(Merchant))}
        assert {(m.slug, m.currency, m.language) for m in merchants.values()} == {
            (shop.slug, shop.currency, shop.language) for shop in SHOPS
        }
        assert merchants["demo-us"].name == "Northwind Goods"
        products = (
            await session.scalars(
                select(Product).options(
                    selectinload(Product.translations),
                    selectinload(Product.variants),
                    selectinload(Product.images),
                )
            )
        ).all()
    by_merchant = {m.id: m for m in merchants.values()}
    for shop in SHOPS:
        handles = {p.handle for p in products if by_merchant[p.merchant_id].slug == shop.slug}
        assert handles == set(_products(shop))
    for product in products:
        merchant = by_merchant[product.merchant_id]
        languages = {merchant.language} | {t.language for t in product.translations}
        assert languages == set(LANGUAGES), product.handle
        assert [photo_path(image.url) is not None for image in product.images] == [True]
        assert product.variants
    assert any(v.stock == 0 for p in products for v in p.variants)
    assert any(p.option_names == ("Colour", "Size") for p in products)


@pytest.mark.slow
async def test_seeding_twice_changes_nothing(sessions: SessionFactory) -> None:
    await seed_demo_catalog(sessions)
    async with transaction(sessions) as session:  # a buyer bought something since
        await session.execute(update(Variant).where(Variant.sku == "US-HA01-BLACK").values(stock=1))
    before = await _snapshot(sessions)

    again = await seed_demo_catalog(sessions)

    assert not again.changed
    assert [shop.imported for shop in again.shops] == [None, None]
    assert await _snapshot(sessions) == before


@pytest.mark.slow
async def test_refresh_restores_the_bundled_catalog(sessions: SessionFactory) -> None:
    await seed_demo_catalog(sessions)
    async with transaction(sessions) as session:
        await session.execute(update(Variant).where(Variant.sku == "US-HA01-BLACK").values(stock=1))

    report = await seed_demo_catalog(sessions, refresh=True)

    assert report.products_created == 0
    assert all(shop.imported is not None and shop.imported.ok for shop in report.shops)
    bundled = next(
        row["stock"]
        for rows in _products(SHOPS[0]).values()
        for row in rows
        if row["sku"] == "US-HA01-BLACK"
    )
    async with transaction(sessions) as session:
        stock = await session.scalar(select(Variant.stock).where(Variant.sku == "US-HA01-BLACK"))
    assert str(stock) == bundled


def test_csv_is_plain_utf8_without_bom() -> None:
    for shop in SHOPS:
        data = shop.csv_path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        assert b"\r\n" not in data
        assert next(csv.reader(io.StringIO(data.decode("utf-8")))) == header(shop)


@pytest.mark.slow
async def test_demo_shops_ship_at_home_and_abroad(sessions: SessionFactory) -> None:
    await seed_demo_catalog(sessions)
    async with transaction(sessions) as session:
        ids = [
            merchant.id
            for merchant in [await find_merchant(session, slug=shop.slug) for shop in SHOPS]
            if merchant is not None
        ]
        rules = await rules_for(session, merchant_ids=ids)
    for merchant_id in ids:
        countries = {rule.country for rule in rules[merchant_id]}
        assert "*" in countries and len(countries) == 2


def test_every_option_name_and_colour_is_translated_in_every_shipped_language() -> None:
    """A German buyer chooses "Farbe: Rot", not "Colour: Red" (sizes read the same everywhere)."""
    others = [language for language in LANGUAGES if language != OPTION_LANGUAGE]
    for _, rows in _all_products():
        for row in rows:
            for position in ("1", "2"):
                name, value = row[f"option{position}_name"], row[f"option{position}_value"]
                if not name:
                    continue
                for language in others:
                    assert row[f"option{position}_name:{language}"], (row["handle"], language)
                    if name == COLOUR_OPTION:
                        translated = row[f"option{position}_value:{language}"]
                        assert translated, (row["handle"], value, language)


async def test_a_buyer_sees_the_demos_options_in_their_language(sessions: SessionFactory) -> None:
    await seed_demo_catalog(sessions)
    async with transaction(sessions) as session:
        red = await session.scalar(
            select(Variant.id).where(Variant.sku.like("US-%-RED")).order_by(Variant.id).limit(1)
        )
        assert red is not None
        german = await load_offers(session, [red], language="de")
        chinese = await load_offers(session, [red], language="zh_Hans")
    assert "Farbe" in german[red].options and "Rot" in german[red].options.values()
    assert chinese[red].options.get("颜色") == "红色"
