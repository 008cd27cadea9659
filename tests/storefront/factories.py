"""A small two-shop catalog built through the ORM, rates saved in the database, buyers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant, Product, ProductImage, ProductTranslation, Variant
from catalog.version import bump_catalog_version
from money.rate_store import save_rates
from money.rates import RateTable
from orders.customers import Buyer, Customer

TODAY = datetime.now(UTC).date()
# Well after the ECB publication of TODAY's rates, so quotes are fresh (see STALE_NOW).
NOW = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
STALE_NOW = NOW + timedelta(days=10)
MAX_AGE = timedelta(days=4)
# Round numbers: 11.00 USD = 77.00 CNY = 10.00 EUR = 1600 JPY.
RATES = {"USD": Decimal("1.10"), "CNY": Decimal("7.70"), "JPY": Decimal("160")}


@dataclass(frozen=True)
class Catalog:
    usd_merchant: int
    cny_merchant: int
    shirt: int  # USD, Colour × Size, 25.00 (XL 27.00); Red/M sold out, Blue/S 2 left
    shirt_red_s: int
    shirt_blue_s: int
    shirt_blue_xl: int
    mug: int  # USD 11.00, one variant, stock 10, photo by URL
    teapot: int  # CNY 77.00, stock 5, photo by path
    teapot_variant: int
    archived: int  # a mug nobody may find any more
    mug_variant: int


async def _product(session: AsyncSession, merchant: Merchant, **fields: object) -> Product:
    product = Product(merchant_id=merchant.id, **fields)
    session.add(product)
    await session.flush()
    return product


async def _variant(session: AsyncSession, product: Product, **fields: object) -> int:
    variant = Variant(product_id=product.id, merchant_id=product.merchant_id, **fields)
    session.add(variant)
    await session.flush()
    return variant.id


async def seed_catalog(session: AsyncSession, *, rates_date: date = TODAY) -> Catalog:
    usd = Merchant(slug="wear", name="Wear & Co", currency="USD")
    cny = Merchant(slug="tea", name="Tea House", currency="CNY", language="zh")
    session.add_all([usd, cny])
    await session.flush()
    shirt = await _product(
        session, usd, handle="shirt", title="Cotton T-shirt", category="Clothing",
        description="A soft cotton T-shirt. " * 20, option1_name="Colour", option2_name="Size",
        version=1,
    )  # fmt: skip
    session.add(ProductTranslation(product_id=shirt.id, language="zh", title="纯棉T恤"))
    session.add(ProductTranslation(product_id=shirt.id, language="ar", title="قميص قطني"))
    red_s = await _variant(session, shirt, option1="Red", option2="S", price_minor=2500, stock=4)
    await _variant(session, shirt, option1="Red", option2="M", price_minor=2500, stock=0)
    blue_s = await _variant(session, shirt, option1="Blue", option2="S", price_minor=2500, stock=2)
    blue_xl = await _variant(
        session, shirt, option1="Blue", option2="XL", price_minor=2700, stock=9
    )
    mug = await _product(
        session, usd, handle="mug", title="Ceramic mug", category="Kitchen", version=1
    )
    session.add(ProductTranslation(product_id=mug.id, language="zh", title="陶瓷杯"))
    mug_variant = await _variant(session, mug, price_minor=1100, stock=10, sku="MUG-1")
    session.add(ProductImage(product_id=mug.id, url="https://example.test/mug.jpg"))
    teapot = await _product(
        session, cny, handle="teapot", title="紫砂壶", category="Kitchen", version=1
    )
    session.add(ProductTranslation(product_id=teapot.id, language="en", title="Clay teapot"))
    teapot_variant = await _variant(session, teapot, price_minor=7700, stock=5)
    session.add(ProductImage(product_id=teapot.id, url="teapots/clay.jpg"))
    archived = await _product(
        session, usd, handle="old-mug", title="Old ceramic mug", category="Kitchen",
        status="archived", version=1,
    )  # fmt: skip
    await _variant(session, archived, price_minor=500, stock=3)
    await save_rates(session, RateTable(date=rates_date, rates=RATES, source="test"))
    await bump_catalog_version(session)
    return Catalog(
        usd.id, cny.id, shirt.id, red_s, blue_s, blue_xl, mug.id, teapot.id, teapot_variant,
        archived.id, mug_variant,
    )  # fmt: skip


async def make_buyer(
    session: AsyncSession, telegram_user_id: int, *, locale: str = "en", currency: str = "EUR"
) -> Buyer:
    customer = Customer(telegram_user_id=telegram_user_id, locale=locale, currency=currency)
    session.add(customer)
    await session.flush()
    return Buyer(customer.id, telegram_user_id, locale, currency)
