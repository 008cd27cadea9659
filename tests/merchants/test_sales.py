"""Sales totals: paid orders only, per UTC day, exact, in the merchant's currency; the chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.database import SessionFactory, transaction
from conversation.views import merchant_commands as views
from i18n import translator
from merchants.sales import DAYS, sales_chart_png, sales_report
from money import Money
from money.formatting import format_money
from orders.models import OrderStatus
from tests.merchants.factories import two_shops_with_paid_orders
from tests.merchants.test_commands import add_order

NOW = datetime(2030, 6, 15, 18, 0, tzinfo=UTC)


async def test_today_seven_and_thirty_days_count_paid_orders_only(
    sessions: SessionFactory,
) -> None:
    shops = await two_shops_with_paid_orders(sessions)  # paid "now" (real time): outside NOW's days
    usd = shops.usd_merchant
    for days_ago, minor, status, currency in [
        (0, 1001, OrderStatus.PAID, "USD"),
        (0, 2002, OrderStatus.SHIPPED, "USD"),
        (3, 3003, OrderStatus.DELIVERED, "USD"),
        (10, 4004, OrderStatus.ACCEPTED, "USD"),
        (29, 5005, OrderStatus.PAID, "USD"),
        (30, 9999, OrderStatus.PAID, "USD"),  # before the 30 days
        (1, 9999, OrderStatus.REFUNDED, "USD"),  # money given back
        (1, 9999, OrderStatus.AWAITING_PAYMENT, "USD"),
        (1, 9999, OrderStatus.PAID, "EUR"),  # priced in another currency: not mixed in
    ]:
        paid = NOW - timedelta(days=days_ago, hours=1)
        await add_order(sessions, merchant_id=usd, total_minor=minor, status=status,
                        currency=currency, paid_at=paid, created_at=paid)  # fmt: skip
    await add_order(sessions, merchant_id=shops.cny_merchant, total_minor=7777, currency="CNY",
                    paid_at=NOW - timedelta(hours=1))  # fmt: skip
    async with transaction(sessions) as session:
        report = await sales_report(session, merchant_id=usd, currency="USD", now=NOW)

    assert (report.period(1).total, report.period(1).count) == (Money.of("30.03", "USD"), 2)
    assert (report.period(7).total, report.period(7).count) == (Money.of("60.06", "USD"), 3)
    assert (report.period(30).total, report.period(30).count) == (Money.of("150.15", "USD"), 5)
    assert len(report.days) == DAYS and report.days[-1].day == NOW.date()
    assert report.days[-4].total == Money.of("30.03", "USD")

    text = views.sales(translator("de"), report, None).text
    assert format_money(Money.of("150.15", "USD"), "de") in text and "5" in text


async def test_an_order_paid_just_before_midnight_counts_for_that_day(
    sessions: SessionFactory,
) -> None:
    shops = await two_shops_with_paid_orders(sessions)
    midnight = datetime(2030, 6, 15, tzinfo=UTC)
    await add_order(sessions, merchant_id=shops.usd_merchant, total_minor=100,
                    paid_at=midnight - timedelta(seconds=1))  # fmt: skip
    async with transaction(sessions) as session:
        report = await sales_report(session, merchant_id=shops.usd_merchant, currency="USD",
                                    now=midnight + timedelta(hours=2))  # fmt: skip
    assert report.period(1).count == 0 and report.period(7).count == 1


@pytest.mark.slow  # the first matplotlib import builds its font cache
@pytest.mark.parametrize("locale", ["en", "zh_Hans", "ar"])
async def test_the_chart_is_a_png_for_every_locale(sessions: SessionFactory, locale: str) -> None:
    shops = await two_shops_with_paid_orders(sessions)
    async with transaction(sessions) as session:
        report = await sales_report(session, merchant_id=shops.cny_merchant, currency="CNY",
                                    now=datetime.now(UTC))  # fmt: skip
    png = sales_chart_png(report, locale=locale)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    reply = views.sales(translator(locale), report, png)
    assert reply.photo is not None and reply.photo.data == png
