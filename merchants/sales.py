"""What the shop sold: paid totals per day, today / 7 / 30 days, and a chart of them.

"Sold" means paid and not refunded (paid, accepted, shipped, delivered), counted on the day it
was paid, in UTC days (merchants have no time zone setting yet). Totals are exact: integer
minor units summed, shown as `Money` in the merchant's currency. Orders priced in another
currency (the merchant changed currency since) are left out rather than mixed in.

The chart is drawn with matplotlib's object API on an Agg canvas, straight into PNG bytes: no
pyplot global state, no display, safe to run in a worker thread (`asyncio.to_thread`). Bars
stand in minor units (integers); only the axis labels become money, through babel.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from babel.dates import format_skeleton
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from money import Money
from money.formatting import format_money
from orders.models import Order
from orders.status import PAID_STATUSES

DAYS = 30
PERIODS = (1, 7, 30)  # today, the last 7 days, the last 30 days (today included)


@dataclass(frozen=True, slots=True)
class DayTotal:
    day: date
    total: Money
    count: int


@dataclass(frozen=True, slots=True)
class PeriodTotal:
    days: int  # 1: today
    total: Money
    count: int


@dataclass(frozen=True, slots=True)
class SalesReport:
    currency: str
    periods: tuple[PeriodTotal, ...]  # as PERIODS
    days: tuple[DayTotal, ...]  # the last DAYS days, oldest first, today last

    def period(self, days: int) -> PeriodTotal:
        return next(period for period in self.periods if period.days == days)


def _utc(moment: datetime) -> datetime:
    """Aware in UTC (the database's timestamps are; a naive one is taken as UTC)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


async def sales_report(
    session: AsyncSession, *, merchant_id: int, currency: str, now: datetime
) -> SalesReport:
    """The merchant's paid sales of the last `DAYS` days up to `now`, per day and per period."""
    now = _utc(now)
    today = now.date()
    first = today - timedelta(days=DAYS - 1)
    rows = await session.execute(
        select(Order.paid_at, Order.total_minor).where(
            Order.merchant_id == merchant_id,
            Order.currency == currency,
            Order.status.in_([status.value for status in PAID_STATUSES]),
            Order.paid_at >= datetime.combine(first, time.min, tzinfo=UTC),
            Order.paid_at <= now,
        )
    )
    minor = {first + timedelta(days=n): 0 for n in range(DAYS)}
    counts = dict.fromkeys(minor, 0)
    for paid_at, total_minor in rows:
        assert paid_at is not None  # the query reads paid orders only
        day = _utc(paid_at).date()
        if day in minor:
            minor[day] += total_minor
            counts[day] += 1
    days = tuple(DayTotal(day, Money.from_minor(minor[day], currency), counts[day])
                 for day in sorted(minor))  # fmt: skip
    periods = tuple(
        PeriodTotal(
            length,
            Money.from_minor(sum(minor[d.day] for d in days[-length:]), currency),
            sum(d.count for d in days[-length:]),
        )
        for length in PERIODS
    )
    return SalesReport(currency, periods, days)


def sales_chart_png(report: SalesReport, *, locale: str) -> bytes:
    """A bar chart of the daily totals as PNG bytes; dates and amounts written for `locale`.

    The image holds numbers only (dates as "M/d" skeletons, amounts through babel): words go in
    the message's caption, where Telegram's fonts cover every script we ship.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # heavy: only when drawing
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(report.days)))
    heights = [day.total.to_minor() for day in report.days]
    axes.bar(positions, heights, color="#3a7bd5")
    step = 5
    axes.set_xticks(positions[::-step][::-1])
    axes.set_xticklabels(
        [format_skeleton("Md", day.day, locale=locale) for day in report.days[::-step][::-1]]
    )
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axes.yaxis.set_major_formatter(
        FuncFormatter(
            lambda value, _: format_money(Money.from_minor(int(value), report.currency), locale)
        )
    )
    axes.set_ylim(bottom=0, top=max([*heights, 1]) * 11 // 10 + 1)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
