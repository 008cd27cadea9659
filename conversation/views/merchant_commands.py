"""What the shop's commands answer in the merchant's chat, in the merchant's language.

Pure functions from `merchants.commands` / `merchants.sales` data to `Reply`s: /orders pages
with Prev/Next buttons, /order (the order's notice), /stock, /price, /sales with its chart,
the low-stock alert and the daily digest. Amounts are in the merchant's currency via babel.
"""

from __future__ import annotations

from html import escape

from babel.dates import format_date
from babel.numbers import format_decimal

from conversation import callbacks
from conversation.reply import Button, Photo, Reply
from conversation.views.checkout import line_title, status_label
from conversation.views.merchant import order_notice
from i18n import N_, Translator
from merchants.commands import (
    CommandRefused,
    LowStockAlert,
    MerchantOrderPage,
    PriceChange,
    Problem,
    StockChange,
    StockOverview,
    Waiting,
)
from merchants.desk import OrderNotice
from merchants.sales import SalesReport
from money import Money
from money.currency import exponent
from money.formatting import format_money
from orders.models import OrderStatus

ALL = "all"  # the /orders filter token for every status

_PROBLEMS = {
    Problem.UNKNOWN_STATUS: N_("I don't know the status “{value}”. Try one of: {choices}."),
    Problem.UNKNOWN_SKU: N_("This shop has no product with the SKU “{value}”."),
    Problem.UNKNOWN_ORDER: N_("This shop has no order {value}."),
    Problem.NEGATIVE: N_("“{value}” is negative: give a number of 0 or more."),
    Problem.NOT_WHOLE: N_("“{value}” is not a whole number of items, e.g. 12."),
    Problem.TOO_LARGE: N_("“{value}” is too large."),
    Problem.NOT_A_PRICE: N_("“{value}” is not a price, e.g. {example}."),
    Problem.TOO_MANY_DIGITS: N_("“{value}” has more decimal places than {currency} allows."),
}


def _item(title: str, options: dict[str, str]) -> str:
    return line_title(title, options)


def _example_price(t: Translator, currency: str) -> str:
    """19.90 in the currency's precision, written as the merchant writes numbers."""
    example = (
        Money.of("19.90", currency).rounded() if exponent(currency) else Money.of(1990, currency)
    )
    return format_decimal(example.amount, locale=t.locale)


def problem(t: Translator, refused: CommandRefused, *, currency: str = "USD") -> Reply:
    """Bad input, worded for the merchant."""
    return Reply(
        t.gettext(_PROBLEMS[refused.problem]).format(
            value=escape(refused.value[:100]),
            choices=", ".join([ALL, *(status.value for status in OrderStatus)]),
            example=_example_price(t, currency),
            currency=currency,
        )
    )


# --- /orders, /order -----------------------------------------------------------------------


def orders_page(t: Translator, page: MerchantOrderPage) -> Reply:
    """One page of the shop's orders (10), newest first, with Prev/Next."""
    _ = t.gettext
    token = page.status.value if page.status else ALL
    if page.status is None:
        head = _("Orders")
    else:
        head = _("Orders: {status}").format(status=escape(status_label(t, page.status.value)))
    if not page.items:
        empty = _("No more orders.") if page.page > 0 else _("No orders.")
        back = (Button(_("⬅️ First page"), callbacks.encode("mlist", token, 0)),)
        return Reply(f"<b>{head}</b>\n{empty}", buttons=(back,) if page.page else (), edit=True)
    last = (page.total_count - 1) // page.page_size + 1
    lines = [
        f"<b>{head}</b> · "
        + _("page {page} of {pages}").format(page=page.page + 1, pages=last),
        "",
    ]  # fmt: skip
    for item in page.items:
        count = t.ngettext("{count} item", "{count} items", item.item_count).format(
            count=item.item_count
        )
        lines.append(" · ".join([
            f"<code>{escape(item.number)}</code>",
            format_date(item.created_at, "medium", locale=t.locale),
            format_money(item.total, t.code),
            count,
            escape(status_label(t, item.status.value)),
        ]))  # fmt: skip
    lines += ["", _("Send /order followed by a number to see one order.")]
    nav = []
    if page.has_previous:
        nav.append(Button(_("⬅️ Previous"), callbacks.encode("mlist", token, page.page - 1)))
    if page.has_next:
        nav.append(Button(_("Next ➡️"), callbacks.encode("mlist", token, page.page + 1)))
    return Reply("\n".join(lines), buttons=(tuple(nav),) if nav else (), edit=True)


def order(t: Translator, notice: OrderNotice) -> Reply:
    """/order N: the order as its notice shows it, with the buttons its status allows."""
    return order_notice(t, notice)


def order_usage(t: Translator) -> Reply:
    return Reply(t.gettext("Send <code>/order</code> followed by the order number, "
                           "e.g. <code>/order 7KQ-3M9</code>."))  # fmt: skip


# --- /stock, /price ------------------------------------------------------------------------


def stock_overview(t: Translator, overview: StockOverview) -> Reply:
    """The shop's stock, lowest first; how to change a level."""
    _ = t.gettext
    if not overview.items:
        return Reply(_("This shop has no products yet."))
    lines = [
        "<b>" + _("Stock") + "</b> · "
        + t.ngettext("{count} variant at {threshold} or below",
                     "{count} variants at {threshold} or below",
                     overview.low_count).format(count=overview.low_count,
                                                threshold=overview.threshold),
        "",
    ]  # fmt: skip
    for item in overview.items:
        sku = f"<code>{escape(item.sku)}</code>" if item.sku else _("(no SKU)")
        level = (
            str(item.stock)
            if item.tracked
            else _("{count} (sold without limit)").format(count=item.stock)
        )
        marker = "⚠️ " if item.tracked and item.stock <= overview.threshold else ""
        lines.append(f"{marker}{sku} · {_item(item.title, item.options)}: <b>{level}</b>")
    hidden = overview.total_count - len(overview.items)
    if hidden > 0:
        lines.append(t.ngettext("… and {count} more", "… and {count} more", hidden)
                     .format(count=hidden))  # fmt: skip
    lines += ["", _("Set a level with <code>/stock SKU 12</code>.")]
    return Reply("\n".join(lines))


def stock_usage(t: Translator) -> Reply:
    return Reply(t.gettext("Send <code>/stock</code> to see the stock, or "
                           "<code>/stock SKU 12</code> to set a level."))  # fmt: skip


def stock_set(t: Translator, change: StockChange) -> Reply:
    return Reply(
        t.gettext("Stock of {sku} ({item}): {before} → {after}.").format(
            sku=f"<code>{escape(change.sku)}</code>", item=_item(change.title, change.options),
            before=change.before, after=change.after,
        )
    )  # fmt: skip


def price_usage(t: Translator, currency: str) -> Reply:
    return Reply(t.gettext("Send <code>/price SKU {example}</code> to set a price in {currency}.")
                 .format(example=_example_price(t, currency), currency=currency))  # fmt: skip


def price_set(t: Translator, change: PriceChange) -> Reply:
    return Reply(
        t.gettext("Price of {sku} ({item}): {before} → {after}.").format(
            sku=f"<code>{escape(change.sku)}</code>", item=_item(change.title, change.options),
            before=format_money(change.before, t.code), after=format_money(change.after, t.code),
        )
    )  # fmt: skip


# --- /sales --------------------------------------------------------------------------------

_PERIODS = {1: N_("Today"), 7: N_("Last 7 days"), 30: N_("Last 30 days")}


def sales_lines(t: Translator, report: SalesReport) -> list[str]:
    lines = []
    for period in report.periods:
        count = t.ngettext("{count} order", "{count} orders", period.count).format(
            count=period.count
        )
        label = t.gettext(_PERIODS.get(period.days, "{days}")).format(days=period.days)
        lines.append(f"{label}: <b>{format_money(period.total, t.code)}</b> · {count}")
    return lines


def sales(t: Translator, report: SalesReport, chart_png: bytes | None) -> Reply:
    """Paid sales today / 7 / 30 days, the chart of the 30 days as the photo."""
    text = "\n".join(["<b>" + t.gettext("Sales (paid orders, UTC days)") + "</b>",
                      *sales_lines(t, report)])  # fmt: skip
    photo = Photo(data=chart_png, filename="sales.png") if chart_png else None
    return Reply(text, photo=photo)


# --- alerts and the digest (through the outbox: text only) ---------------------------------


def low_stock_alert(t: Translator, alert: LowStockAlert) -> Reply:
    sku = f" (<code>{escape(alert.sku)}</code>)" if alert.sku else ""
    return Reply(
        "⚠️ " + t.ngettext("Low stock: {item}{sku} has {count} left.",
                           "Low stock: {item}{sku} has {count} left.",
                           alert.stock).format(item=_item(alert.title, alert.options), sku=sku,
                                               count=alert.stock)
    )  # fmt: skip


def digest(t: Translator, shop_name: str, report: SalesReport, waiting: Waiting, low: int) -> Reply:
    """The morning summary: sales, orders waiting for the shop, low stock."""
    _ = t.gettext
    lines = ["<b>" + _("Daily summary for {shop}").format(shop=escape(shop_name)) + "</b>", ""]
    yesterday = report.days[-2]  # the digest goes out in the morning: yesterday was the day
    count = t.ngettext("{count} order", "{count} orders", yesterday.count).format(
        count=yesterday.count
    )
    lines.append(
        _("Yesterday: {amount}").format(amount=f"<b>{format_money(yesterday.total, t.code)}</b>")
        + f" · {count}"
    )
    lines += [line for period, line in zip(report.periods, sales_lines(t, report), strict=True)
              if period.days > 1]  # fmt: skip
    lines.append("")
    lines.append(t.ngettext("{count} paid order to accept", "{count} paid orders to accept",
                            waiting.to_accept).format(count=waiting.to_accept))  # fmt: skip
    lines.append(t.ngettext("{count} accepted order to ship", "{count} accepted orders to ship",
                            waiting.to_ship).format(count=waiting.to_ship))  # fmt: skip
    lines.append(t.ngettext("{count} variant low on stock", "{count} variants low on stock",
                            low).format(count=low))  # fmt: skip
    lines += ["", _("Commands: /orders, /stock, /sales")]
    return Reply("\n".join(lines))
