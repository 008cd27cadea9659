"""Building blocks of the orders tests: a two-shop catalog, buyers, fixed rates, a checkout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import SessionFactory, transaction
from catalog.models import Merchant, Product, ProductTranslation, Variant
from money.rates import RateTable
from orders import cart
from orders.checkout import CheckoutDraft, start_checkout
from orders.customers import Customer
from orders.placement import PlacedOrder, place_orders
from orders.pricing import Quoter, make_quoter
from orders.shipping import set_rule

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
# Round numbers on purpose: 11.00 USD and 77.00 CNY are both exactly 10.00 EUR.
RATES = RateTable(
    date=date(2025, 3, 10),
    rates={"USD": Decimal("1.10"), "CNY": Decimal("7.70"), "JPY": Decimal("160")},
)


def quoter(now: datetime = NOW) -> Quoter:
    return make_quoter(RATES, now=now, max_rate_age=timedelta(days=4))


@dataclass(frozen=True)
class Shop:
    usd_merchant: int
    cny_merchant: int
    mug_red: int  # USD 11.00, stock 10
    mug_blue: int  # USD 11.00, stock 10
    headphones: int  # USD 55.00, stock 3
    teapot: int  # CNY 77.00, stock 5
    made_to_order: int  # CNY 154.00, stock 0, policy continue


async def _variant(
    session: AsyncSession,
    merchant: Merchant,
    *,
    handle: str,
    title: str,
    translations: dict[str, str],
    price_minor: int,
    stock: int,
    colour: str = "",
    policy: str = "deny",
    sku: str | None = None,
) -> int:
    product = await session.scalar(
        select(Product).where(Product.merchant_id == merchant.id, Product.handle == handle)
    )
    if product is None:
        product = Product(
            merchant_id=merchant.id, handle=handle, title=title, option1_name="Colour"
        )
        session.add(product)
        await session.flush()
        for language, text in translations.items():
            session.add(ProductTranslation(product_id=product.id, language=language, title=text))
    variant = Variant(
        product_id=product.id,
        merchant_id=merchant.id,
        sku=sku,
        option1=colour,
        price_minor=price_minor,
        stock=stock,
        inventory_policy=policy,
    )
    session.add(variant)
    await session.flush()
    return variant.id


async def seed_shop(session: AsyncSession) -> Shop:
    """Two merchants: "Mugs & Co" in USD and "Tea House" in CNY."""
    usd = Merchant(slug="mugs", name="Mugs & Co", currency="USD")
    cny = Merchant(slug="tea", name="Tea House", currency="CNY")
    session.add_all([usd, cny])
    await session.flush()
    mug_titles = {"ru": "Кружка", "de": "Tasse", "es": "Taza", "zh": "杯子"}
    mug_red = await _variant(
        session, usd, handle="mug", title="Ceramic mug", translations=mug_titles,
        price_minor=1100, stock=10, colour="Red", sku="MUG-R",
    )  # fmt: skip
    mug_blue = await _variant(
        session, usd, handle="mug", title="Ceramic mug", translations=mug_titles,
        price_minor=1100, stock=10, colour="Blue", sku="MUG-B",
    )  # fmt: skip
    headphones = await _variant(
        session, usd, handle="headphones", title="Wireless headphones",
        translations={"ru": "Беспроводные наушники"}, price_minor=5500, stock=3, sku="HP-1",
    )  # fmt: skip
    teapot = await _variant(
        session, cny, handle="teapot", title="Clay teapot", translations={"zh": "紫砂壶"},
        price_minor=7700, stock=5, sku="TP-1",
    )  # fmt: skip
    made = await _variant(
        session, cny, handle="cup", title="Tea cup", translations={}, price_minor=15400,
        stock=0, policy="continue", sku="CUP-1",
    )  # fmt: skip
    # USD shop: 5.50 (5.00 EUR) to Germany, free from 50.00; 16.50 (15.00 EUR) anywhere else.
    # CNY shop: to Germany only, 30.80 (4.00 EUR).
    await set_rule(session, merchant_id=usd.id, country="DE", rate_minor=550, free_above_minor=5000)
    await set_rule(session, merchant_id=usd.id, country="*", rate_minor=1650)
    await set_rule(session, merchant_id=cny.id, country="DE", rate_minor=3080)
    return Shop(usd.id, cny.id, mug_red, mug_blue, headphones, teapot, made)


async def make_customer(
    session: AsyncSession, telegram_user_id: int, *, locale: str = "en", currency: str = "EUR"
) -> int:
    customer = Customer(telegram_user_id=telegram_user_id, locale=locale, currency=currency)
    session.add(customer)
    await session.flush()
    return customer.id


async def stock_of(session: AsyncSession, variant_id: int) -> int:
    stock = await session.scalar(
        select(Variant.stock)
        .where(Variant.id == variant_id)
        .execution_options(populate_existing=True)
    )
    assert stock is not None
    return stock


def ready_draft(*, country: str = "DE", save: bool = False) -> CheckoutDraft:
    """A checkout answered up to its summary, the way a buyer types it."""
    draft = start_checkout(region_hint="DE")
    for answer in (country, "Anna Müller", "030 1234567", "Hauptstraße 5", "Berlin", "10115"):
        draft = draft.answer(answer)
    return draft.choose(save)


async def alice_and_bob(sessions: SessionFactory) -> tuple[int, int, int, list[PlacedOrder]]:
    """Alice placed two orders (a mug from Mugs & Co, two teapots from Tea House); Bob none.

    Returns the teapot's variant id, Alice's and Bob's customer ids, and Alice's orders.
    """
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        alice = await make_customer(session, 1001)
        bob = await make_customer(session, 1002)
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_red)
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.teapot, quantity=2)
        result = await place_orders(
            session,
            customer_id=alice,
            draft=ready_draft(),
            buyer_currency="EUR",
            quoter=quoter(),
            now=NOW,
            ttl=timedelta(minutes=30),
        )
    return shop.teapot, alice, bob, list(result.orders)
