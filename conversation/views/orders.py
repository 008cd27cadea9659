"""/orders: the buyer's orders page by page, one order's details and history, cancelling one.

Pure functions over `orders.queries` results; every button carries an order id that the
handler checks against the presser again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from html import escape

from babel.dates import format_date

from conversation import callbacks
from conversation.reply import Button, Reply
from conversation.views.checkout import delivery_text, error_text, line_title, status_label
from conversation.views.common import local_time
from conversation.views.questions import ask_button
from i18n import Translator
from money.formatting import format_money
from orders.delivery import DeliveryDetails
from orders.errors import ShopError
from orders.models import OrderStatus
from orders.queries import HistoryEntry, OrderDetails, OrderPage
from orders.reorder import Refilled

BUTTONS_PER_ROW = 2
SHOWN_LINES = 25


def _when(t: Translator, moment: datetime, country: str | None = None) -> str:
    """In the delivery country's time zone where it has one, else UTC; the zone named."""
    return local_time(t, moment, country)


def orders_list(t: Translator, page: OrderPage) -> Reply:
    """One page of the buyer's orders, newest first, a button to open each."""
    _ = t.gettext
    if not page.items:
        if page.page > 0:
            text = _("There are no more orders.")
            return Reply(
                text,
                buttons=((Button(_("⬅️ Newest orders"), callbacks.encode("orders", 0)),),),
                edit=True,
            )
        return Reply(
            _("You have no orders yet. Type what you are looking for to start."), edit=True
        )
    lines = ["<b>" + _("Your orders") + "</b>"]
    for item in page.items:
        total = format_money(item.buyer_total, t.code)
        lines.append(
            " · ".join(
                [
                    f"<b>{escape(item.number)}</b>",
                    format_date(item.created_at, "medium", locale=t.locale),
                    escape(item.merchant_name),
                    total,
                    status_label(t, item.status.value),
                ]
            )
        )
    buttons = [
        Button(f"📄 {item.number}", callbacks.encode("order", item.order_id)) for item in page.items
    ]
    rows = [
        tuple(buttons[i : i + BUTTONS_PER_ROW]) for i in range(0, len(buttons), BUTTONS_PER_ROW)
    ]
    unpaid = [item for item in page.items if item.status == OrderStatus.AWAITING_PAYMENT]
    if unpaid:  # paying later: one tap from the list
        lines.append("")
        lines.append(
            t.ngettext(
                "{count} order is waiting for payment.",
                "{count} orders are waiting for payment.",
                len(unpaid),
            ).format(count=len(unpaid))
        )
        rows += [
            (
                Button(
                    _("💳 Pay {number}").format(number=item.number),
                    callbacks.encode("pay", item.order_id),
                ),
            )
            for item in unpaid
        ]
    nav = []
    if page.has_previous:
        nav.append(Button(_("⬅️ Newer"), callbacks.encode("orders", page.page - 1)))
    if page.has_next:
        nav.append(Button(_("Older ➡️"), callbacks.encode("orders", page.page + 1)))
    if nav:
        rows.append(tuple(nav))
    return Reply("\n".join(lines), buttons=tuple(rows), edit=True)


def _history_line(t: Translator, entry: HistoryEntry, country: str | None = None) -> str:
    _ = t.gettext
    when = _when(t, entry.at, country)
    if entry.from_status is None:
        return _("{time}: placed").format(time=when)
    return _("{time}: {status}").format(time=when, status=status_label(t, entry.to_status.value))


def _delivery(t: Translator, delivery: dict[str, object]) -> str:
    try:
        return delivery_text(t, DeliveryDetails.from_dict(delivery))
    except ShopError:  # stored before a validator changed: show the name at least
        return escape(str(delivery.get("name", "")))


def order_details(
    t: Translator, details: OrderDetails, *, head: str = "", receipt_url: str | None = None
) -> Reply:
    """One order: lines, totals, delivery, status and its history; Cancel while unpaid."""
    _ = t.gettext
    money = details.total.currency
    country = details.delivery.get("country")
    country = country if isinstance(country, str) else None
    unpaid = details.status == OrderStatus.AWAITING_PAYMENT
    lines = [head, ""] if head else []
    lines.append(
        _("Order <b>{number}</b> from {shop}").format(
            number=escape(details.number), shop=escape(details.merchant_name)
        )
    )
    lines.append(_("Status: {status}").format(status=status_label(t, details.status.value)))
    lines.append("")
    for line in details.lines[:SHOWN_LINES]:
        title = line_title(line.title, line.options)
        lines.append(f"{line.quantity} × {title} — {format_money(line.line_total, t.code)}")
    hidden = len(details.lines) - SHOWN_LINES
    if hidden > 0:  # a message holds 4,096 characters: the rest is counted, not listed
        lines.append(
            t.ngettext("… and {count} more item", "… and {count} more items", hidden).format(
                count=hidden
            )
        )
    shipping = _("free") if not details.shipping else format_money(details.shipping, t.code)
    lines.append(_("Shipping: {amount}").format(amount=shipping))
    total = format_money(details.total, t.code)
    if details.buyer_total.currency != money:
        total = f"{format_money(details.buyer_total, t.code, approx=details.fx_approx)} ({total})"
    lines.append("<b>" + _("Total: {amount}").format(amount=total) + "</b>")
    if unpaid and details.charge.currency != details.buyer_total.currency:
        lines.append(_("To pay: {amount}").format(amount=format_money(details.charge, t.code)))
    if unpaid:
        if details.expires_at is not None:
            lines.append(
                _("If it is not paid by {time}, this order is cancelled automatically.").format(
                    time=_when(t, details.expires_at, country)
                )
            )
        lines.append(_("Press Pay to open the secure payment page."))
    if details.status == OrderStatus.EXPIRED:
        lines.append(
            _("It was not paid in time. Tap <b>Order again</b> to put its items back in your cart.")
        )
    if details.carrier and details.tracking:
        lines.append(
            _("Shipped with {carrier}, tracking number {tracking}").format(
                carrier=escape(details.carrier), tracking=escape(details.tracking)
            )
        )
    lines += ["", _("Delivery to:"), _delivery(t, details.delivery)]
    lines += ["", "<b>" + _("History") + "</b>"]
    lines += [_history_line(t, entry, country) for entry in details.history]
    rows = []
    if unpaid:
        rows.append((Button("💳 " + _("Pay"), callbacks.encode("pay", details.order_id)),))
    if details.status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED):
        rows.append((Button(_("🛒 Order again"), callbacks.encode("reorder", details.order_id)),))
    if details.buyer_can_cancel:
        rows.append(
            (Button(_("✖️ Cancel this order"), callbacks.encode("ocancel", details.order_id)),)
        )
    if receipt_url and details.paid_at is not None:
        rows.append((Button(_("🧾 Receipt"), url=receipt_url),))
    rows.append((ask_button(t, details.order_id),))  # a question to the shop, about this order
    rows.append((Button(_("⬅️ My orders"), callbacks.encode("orders", 0)),))
    return Reply("\n".join(lines), buttons=tuple(rows), edit=True)


def order_cancelled(t: Translator, details: OrderDetails, *, changed: bool) -> Reply:
    """The order after the buyer's Cancel (pressed once or twice: the same answer)."""
    _ = t.gettext
    head = _("Order <b>{number}</b> is cancelled; its items are back on sale.").format(
        number=escape(details.number)
    )
    reply = order_details(t, details, head=head)
    return replace(reply, notice=_("Cancelled") if changed else None)


def cannot_cancel(t: Translator, details: OrderDetails, error: ShopError) -> Reply:
    """Cancel pressed on an order that moved on (paid meanwhile): say why, show it as it is."""
    return order_details(t, details, head=error_text(t, error))


def confirm_cancel(t: Translator, details: OrderDetails) -> Reply:
    """Cancel pressed: asked once more, since it cannot be undone."""
    _ = t.gettext
    text = _("Cancel order <b>{number}</b>? Its items go back on sale; this can't be undone.")
    buttons = (
        (Button(_("Yes, cancel it"), callbacks.encode("ocancelok", details.order_id)),),
        (Button(_("No, keep it"), callbacks.encode("order", details.order_id)),),
    )
    return Reply(text.format(number=escape(details.number)), buttons=buttons, edit=True)


def refilled(t: Translator, result: Refilled) -> Reply:
    """Order again: what went back into the cart, and what could not."""
    _ = t.gettext
    lines = [
        t.ngettext(
            "{count} item of order <b>{number}</b> is back in your cart.",
            "{count} items of order <b>{number}</b> are back in your cart.",
            result.added,
        ).format(count=result.added, number=escape(result.number))
    ]
    if result.missing:
        lines.append(
            t.ngettext(
                "{count} item is no longer available.",
                "{count} items are no longer available.",
                result.missing,
            ).format(count=result.missing)
        )
    return Reply(
        "\n".join(lines), buttons=((Button(_("🛒 Open the cart"), callbacks.encode("cart")),),)
    )
