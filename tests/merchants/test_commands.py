"""Shop commands: staff-only, scoped to the chat's shop, strict about what the merchant types."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.database import SessionFactory, transaction
from bot.merchant_jobs import owe_daily_digests, owe_low_stock_alerts
from catalog.models import Product, Variant
from catalog.version import catalog_version
from conversation.views import merchant_commands as views
from db import utcnow
from i18n import translator
from merchants import commands
from merchants.commands import CommandRefused, Problem
from merchants.desk import DeskRefused, Refusal
from merchants.settings import Shop, change_settings, settings_of, shop_of
from money import Money
from money.formatting import format_money
from orders.models import Order, OrderLine, OrderStatus
from orders.status import RELEASES_STOCK
from outbox.models import OutboxMessage
from tests.merchants.factories import (
    MUGS_CHAT,
    MUGS_STAFF,
    STRANGER,
    TEA_CHAT,
    TEA_STAFF,
    two_shops_with_paid_orders,
)

_numbers = itertools.count(1)


async def add_order(
    sessions: SessionFactory, *, merchant_id: int, variant_id: int | None = None,
    quantity: int = 1, total_minor: int = 1000, currency: str = "USD",
    status: OrderStatus = OrderStatus.PAID, paid_at: datetime | None = None,
    created_at: datetime | None = None,
) -> str:  # fmt: skip
    """An order written directly (taking its stock unless it gave it back), as placement and
    payment leave it."""
    number = f"Z{next(_numbers):02d}-{next(_numbers) % 1000:03d}"
    async with transaction(sessions) as session:
        customer_id = await session.scalar(select(Order.customer_id).limit(1))
        line = OrderLine(variant_id=variant_id, title="Thing", options={}, quantity=quantity,
                         unit_price_minor=total_minor // quantity, line_total_minor=total_minor,
                         buyer_unit_price_minor=total_minor // quantity)  # fmt: skip
        session.add(
            Order(
                number=number, checkout_token=number, customer_id=customer_id,
                merchant_id=merchant_id, status=status.value, currency=currency,
                subtotal_minor=total_minor, shipping_minor=0, total_minor=total_minor,
                buyer_currency=currency, buyer_total_minor=total_minor, fx_rate="1",
                charge_currency=currency, charge_total_minor=total_minor, delivery={},
                paid_at=paid_at, created_at=created_at or utcnow(), lines=[line],
            )
        )  # fmt: skip
        if variant_id is not None and status not in RELEASES_STOCK:
            variant = await session.get(Variant, variant_id)
            assert variant is not None
            variant.stock -= quantity
    return number


async def shop_as(sessions: SessionFactory, chat: int = MUGS_CHAT, user: int = MUGS_STAFF) -> Shop:
    async with transaction(sessions) as session:
        return await commands.staff_shop(session, chat_id=chat, user_id=user)


async def variant_by_sku(sessions: SessionFactory, sku: str) -> Variant:
    async with transaction(sessions) as session:
        variant = await session.scalar(select(Variant).where(Variant.sku == sku))
        assert variant is not None
        return variant


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chat", "user", "refusal"),
    [(MUGS_CHAT, STRANGER, Refusal.NOT_STAFF), (MUGS_CHAT, TEA_STAFF, Refusal.NOT_STAFF),
     (-999, MUGS_STAFF, Refusal.NOT_A_SHOP_CHAT)],
)  # fmt: skip
async def test_only_staff_in_their_shops_chat_get_the_shop(
    sessions: SessionFactory, chat: int, user: int, refusal: Refusal
) -> None:
    shops = await two_shops_with_paid_orders(sessions)
    with pytest.raises(DeskRefused) as refused:
        await shop_as(sessions, chat, user)
    assert refused.value.refusal is refusal
    assert (await shop_as(sessions)).merchant.id == shops.usd_merchant
    assert (await shop_as(sessions, TEA_CHAT, TEA_STAFF)).merchant.id == shops.cny_merchant


# --- /orders, /order --------------------------------------------------------------------------


async def test_orders_are_the_shops_own_by_status_ten_a_page(sessions: SessionFactory) -> None:
    shops = await two_shops_with_paid_orders(sessions)
    for n in range(11):
        await add_order(sessions, merchant_id=shops.usd_merchant, total_minor=100 + n,
                        status=OrderStatus.SHIPPED,
                        created_at=utcnow() - timedelta(hours=n + 1))  # fmt: skip
    shop = await shop_as(sessions)
    async with transaction(sessions) as session:
        paid = await commands.orders_page(session, shop=shop, status=OrderStatus.PAID)
        everything = await commands.orders_page(session, shop=shop, status=None)
        second = await commands.orders_page(session, shop=shop, status=None, page=1)
        beyond = await commands.orders_page(session, shop=shop, status=None, page=5)

    assert [item.number for item in paid.items] == [shops.orders["mugs"]]
    assert shops.orders["tea"] not in [i.number for i in everything.items + second.items]
    assert (everything.total_count, len(everything.items), len(second.items)) == (12, 10, 2)
    assert everything.has_next and not everything.has_previous
    assert second.has_previous and not second.has_next
    assert beyond.items == ()
    assert {item.total.currency for item in everything.items} == {"USD"}

    reply = views.orders_page(translator("en"), everything)
    assert shops.orders["mugs"] in reply.text
    [[nxt]] = reply.buttons
    assert nxt.action == "1:mlist:all:1"
    [[prev]] = views.orders_page(translator("en"), second).buttons
    assert prev.action == "1:mlist:all:0"


def test_a_status_filter_is_a_known_status_or_all() -> None:
    assert commands.parse_status("Paid") is OrderStatus.PAID
    assert commands.parse_status("all") is None and commands.parse_status("") is None
    with pytest.raises(CommandRefused) as refused:
        commands.parse_status("lost")
    assert refused.value.problem is Problem.UNKNOWN_STATUS
    assert "shipped" in views.problem(translator("en"), refused.value).text


async def test_one_order_by_number_and_never_another_shops(sessions: SessionFactory) -> None:
    shops = await two_shops_with_paid_orders(sessions)
    shop = await shop_as(sessions)
    typed = shops.orders["mugs"].replace("-", " ").lower()
    async with transaction(sessions) as session:
        notice = await commands.order_notice(session, shop=shop, number=typed)
    assert notice.number == shops.orders["mugs"]
    assert format_money(notice.total, "en") in views.order(translator("en"), notice).text
    for number in (shops.orders["tea"], "NOPE", "ZZZ-ZZZ"):
        with pytest.raises(CommandRefused) as refused:
            async with transaction(sessions) as session:
                await commands.order_notice(session, shop=shop, number=number)
        assert refused.value.problem is Problem.UNKNOWN_ORDER


# --- /stock -----------------------------------------------------------------------------------


async def test_stock_lists_low_first_and_only_the_shops_own(sessions: SessionFactory) -> None:
    await two_shops_with_paid_orders(sessions)
    async with transaction(sessions) as session:
        overview = await commands.stock_overview(session, shop=await shop_as(sessions))
    assert [(i.sku, i.stock) for i in overview.items] == [("HP-1", 3), ("MUG-R", 9),
                                                           ("MUG-B", 10)]  # fmt: skip
    assert (overview.total_count, overview.low_count) == (3, 1)
    text = views.stock_overview(translator("en"), overview).text
    assert "⚠️ <code>HP-1</code>" in text and "TP-1" not in text


async def test_setting_a_stock_level_bumps_the_catalog_version(sessions: SessionFactory) -> None:
    await two_shops_with_paid_orders(sessions)
    shop = await shop_as(sessions)
    async with transaction(sessions) as session:
        before = await catalog_version(session)
        change = await commands.set_stock(session, shop=shop, sku="mug-r", level="12")
    async with transaction(sessions) as session:
        after = await catalog_version(session)
        product = await session.scalar(select(Product).where(Product.handle == "mug"))
    assert (change.sku, change.before, change.after) == ("MUG-R", 9, 12)
    assert (await variant_by_sku(sessions, "MUG-R")).stock == 12
    assert after == before + 1 and product is not None and product.version == after
    assert "9 → 12" in views.stock_set(translator("en"), change).text


@pytest.mark.parametrize(
    ("sku", "level", "problem"),
    [("MUG-R", "-1", Problem.NEGATIVE), ("MUG-R", "1.5", Problem.NOT_WHOLE),
     ("MUG-R", "twelve", Problem.NOT_WHOLE), ("MUG-R", "١٢", Problem.NOT_WHOLE),
     ("MUG-R", "99999999999", Problem.TOO_LARGE), ("NOPE", "5", Problem.UNKNOWN_SKU),
     ("TP-1", "5", Problem.UNKNOWN_SKU)],  # TP-1 is the tea shop's
)  # fmt: skip
async def test_bad_stock_input_changes_nothing(
    sessions: SessionFactory, sku: str, level: str, problem: Problem
) -> None:
    await two_shops_with_paid_orders(sessions)
    shop = await shop_as(sessions)
    with pytest.raises(CommandRefused) as refused:
        async with transaction(sessions) as session:
            await commands.set_stock(session, shop=shop, sku=sku, level=level)
    assert refused.value.problem is problem
    assert views.problem(translator("de"), refused.value).text
    assert [(await variant_by_sku(sessions, s)).stock for s in ("MUG-R", "TP-1")] == [9, 4]


# --- /price -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "typed", "minor"),
    [("en", "19.90", 1990), ("de", "19,90", 1990), ("de", "19.90", 1990),
     ("de", "1.234,50", 123450), ("en", "1,234.50", 123450), ("en", "$7", 700),
     ("fr", "19,9", 1990), ("en", "0", 0)],
)  # fmt: skip
async def test_a_price_is_read_in_the_merchants_locale(
    sessions: SessionFactory, language: str, typed: str, minor: int
) -> None:
    shops = await two_shops_with_paid_orders(sessions)
    async with transaction(sessions) as session:
        change_settings(await settings_of(session, shops.usd_merchant), language=language)
    shop = await shop_as(sessions)
    async with transaction(sessions) as session:
        before = await catalog_version(session)
        change = await commands.set_price(session, shop=shop, sku="MUG-B", price=typed)
    async with transaction(sessions) as session:
        assert await catalog_version(session) == before + 1
    assert change.after == Money.from_minor(minor, "USD") and change.before == Money.of(11, "USD")
    assert (await variant_by_sku(sessions, "MUG-B")).price_minor == minor
    text = views.price_set(translator(language), change).text
    assert format_money(change.after, language) in text


@pytest.mark.parametrize(
    ("sku", "typed", "problem"),
    [("MUG-B", "19.999", Problem.TOO_MANY_DIGITS), ("MUG-B", "-5", Problem.NEGATIVE),
     ("MUG-B", "cheap", Problem.NOT_A_PRICE), ("MUG-B", "1e3", Problem.NOT_A_PRICE),
     ("MUG-B", "NaN", Problem.NOT_A_PRICE), ("MUG-B", "9" * 20, Problem.TOO_LARGE),
     ("TP-1", "5", Problem.UNKNOWN_SKU)],
)  # fmt: skip
async def test_bad_prices_change_nothing(
    sessions: SessionFactory, sku: str, typed: str, problem: Problem
) -> None:
    await two_shops_with_paid_orders(sessions)
    shop = await shop_as(sessions)
    with pytest.raises(CommandRefused) as refused:
        async with transaction(sessions) as session:
            await commands.set_price(session, shop=shop, sku=sku, price=typed)
    assert refused.value.problem is problem
    assert [(await variant_by_sku(sessions, s)).price_minor for s in ("MUG-B", "TP-1")] == [
        1100, 7700,
    ]  # fmt: skip


# --- low stock alerts and the digest ----------------------------------------------------------


async def outbox_keys(sessions: SessionFactory) -> list[str]:
    async with transaction(sessions) as session:
        return list(await session.scalars(select(OutboxMessage.dedupe_key)
                                          .order_by(OutboxMessage.id)))  # fmt: skip


async def test_an_order_crossing_the_threshold_owes_one_alert(sessions: SessionFactory) -> None:
    shops = await two_shops_with_paid_orders(sessions)  # teapot 5 → 4; headphones 3, no orders
    teapot = (await variant_by_sku(sessions, "TP-1")).id
    assert await owe_low_stock_alerts(sessions) == 0  # low by hand (headphones): no alert

    await add_order(sessions, merchant_id=shops.cny_merchant, variant_id=teapot, quantity=2,
                    currency="CNY", status=OrderStatus.AWAITING_PAYMENT)  # fmt: skip  # 4 → 2
    async with transaction(sessions) as session:
        [alert] = await commands.low_stock_alerts(session)
    assert (alert.chat_id, alert.language, alert.stock, alert.sku) == (TEA_CHAT, "zh_Hans", 2,
                                                                       "TP-1")  # fmt: skip
    assert await owe_low_stock_alerts(sessions) == 1
    assert await owe_low_stock_alerts(sessions) == 0  # scanned again: owed once
    await add_order(sessions, merchant_id=shops.cny_merchant, variant_id=teapot, quantity=1,
                    currency="CNY")  # fmt: skip  # 2 → 1: still low, no new crossing
    assert await owe_low_stock_alerts(sessions) == 0

    async with transaction(sessions) as session:  # restocked, then sold low again
        await commands.set_stock(session, shop=await shop_as(sessions, TEA_CHAT, TEA_STAFF),
                                 sku="TP-1", level="10")  # fmt: skip
    await add_order(sessions, merchant_id=shops.cny_merchant, variant_id=teapot, quantity=8,
                    currency="CNY")  # fmt: skip
    await add_order(sessions, merchant_id=shops.cny_merchant, variant_id=teapot, quantity=5,
                    currency="CNY", status=OrderStatus.CANCELLED)  # fmt: skip  # gave it back
    assert await owe_low_stock_alerts(sessions) == 1
    keys = [k for k in await outbox_keys(sessions) if k.startswith("low-stock:")]
    assert len(keys) == 2 and len(set(keys)) == 2
    text = views.low_stock_alert(translator("en"), alert).text
    assert "TP-1" in text and "Clay teapot" in text


async def test_the_daily_digest_is_owed_once_a_day_per_active_shop(
    sessions: SessionFactory,
) -> None:
    shops = await two_shops_with_paid_orders(sessions)
    now = utcnow().replace(hour=10)
    async with transaction(sessions) as session:  # one shop reads its summary later in the day
        later = await shop_of(session, shops.cny_merchant)
        assert later is not None
        later.settings.digest_hour = 18
    assert await owe_daily_digests(sessions, now=now.replace(hour=8)) == 0  # before 09:00
    assert await owe_daily_digests(sessions, now=now) == 1  # 09:00 has come for one of them
    assert await owe_daily_digests(sessions, now=now.replace(hour=19)) == 1  # and 18:00
    assert await owe_daily_digests(sessions, now=now.replace(hour=20)) == 0  # once a day
    async with transaction(sessions) as session:
        count = await session.scalar(select(func.count()).select_from(OutboxMessage))
        rows = (await session.scalars(select(OutboxMessage))).all()
        shop = await shop_of(session, shops.usd_merchant)
    assert count == 2 and shop is not None
    mugs = next(row for row in rows if row.chat_id == MUGS_CHAT)
    assert "Mugs &amp; Co" in mugs.payload["text"]
    assert "1 paid order to accept" in mugs.payload["text"]
