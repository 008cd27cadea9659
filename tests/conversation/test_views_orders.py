"""/orders replies: the list with a button per order, details with history, cancelling."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from conversation import callbacks
from conversation.reply import Reply
from conversation.views.orders import (
    cannot_cancel,
    confirm_cancel,
    order_cancelled,
    order_details,
    orders_list,
)
from i18n import SHIPPED_LOCALES, translator
from money import Money
from orders.errors import InvalidTransition
from orders.models import ActorKind, OrderStatus
from orders.queries import HistoryEntry, OrderDetails, OrderLineView, OrderListItem, OrderPage
from tests.orders.factories import NOW

EN = translator("en")
DELIVERY = {
    "name": "Anna Müller",
    "phone": "+49301234567",
    "address_lines": ["Hauptstraße 5"],
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


def pressed(reply: Reply) -> list[tuple[str, int]]:
    found = [callbacks.decode(b.action) for row in reply.buttons for b in row if b.action]
    return [(p.action, p.int(0)) for p in found]


def item(
    order_id: int, number: str, status: OrderStatus = OrderStatus.AWAITING_PAYMENT
) -> OrderListItem:
    return OrderListItem(
        order_id=order_id,
        number=number,
        merchant_name="Mugs <&> Co",
        status=status,
        total=Money.of("27.50", "USD"),
        buyer_total=Money.of("25.00", "EUR"),
        created_at=NOW,
        item_count=2,
    )


def details(status: OrderStatus = OrderStatus.AWAITING_PAYMENT, **changes: Any) -> OrderDetails:
    history = [HistoryEntry(None, OrderStatus.AWAITING_PAYMENT, ActorKind.BUYER, None, NOW)]
    if status != OrderStatus.AWAITING_PAYMENT:
        history.append(
            HistoryEntry(
                OrderStatus.AWAITING_PAYMENT,
                status,
                ActorKind.BUYER,
                None,
                NOW + timedelta(minutes=5),
            )
        )
    default = OrderDetails(
        order_id=41,
        number="7KQ-3M9",
        merchant_id=1,
        merchant_name="Mugs & Co",
        status=status,
        lines=(
            OrderLineView(
                "Ceramic <mug>",
                "MUG-R",
                {"Colour": "Red"},
                2,
                Money.of("11", "USD"),
                Money.of("22", "USD"),
            ),
        ),
        subtotal=Money.of("22.00", "USD"),
        shipping=Money.of("5.50", "USD"),
        total=Money.of("27.50", "USD"),
        buyer_total=Money.of("25.00", "EUR"),
        charge=Money.of("25.00", "EUR"),
        fx_rate="0.909",
        fx_rate_date=NOW.date(),
        fx_margin_percent="0",
        fx_approx=False,
        delivery=DELIVERY,
        created_at=NOW,
        expires_at=NOW + timedelta(hours=2),
        paid_at=None,
        carrier=None,
        tracking=None,
        history=tuple(history),
    )
    return dataclasses.replace(default, **changes)


def test_the_list_has_a_button_per_order_and_pages() -> None:
    page = OrderPage(
        (item(41, "7KQ-3M9"), item(40, "ABC-DEF", OrderStatus.PAID)), page=1, total_count=25
    )
    reply = orders_list(EN, page)
    assert "7KQ-3M9" in reply.text and "awaiting payment" in reply.text and "paid" in reply.text
    assert "Mugs &lt;&amp;&gt; Co" in reply.text
    buttons = pressed(reply)
    assert ("order", 41) in buttons and ("order", 40) in buttons
    assert ("orders", 0) in buttons and ("orders", 2) in buttons  # newer and older pages


def test_an_empty_list_says_so() -> None:
    assert "no orders" in orders_list(EN, OrderPage((), page=0, total_count=0)).text
    beyond = orders_list(EN, OrderPage((), page=7, total_count=3))
    assert pressed(beyond) == [("orders", 0)]


def test_details_show_lines_totals_delivery_and_history() -> None:
    reply = order_details(EN, details())
    text = reply.text
    assert "7KQ-3M9" in text and "Mugs &amp; Co" in text and "Ceramic &lt;mug&gt; (Red)" in text
    assert "10115 BERLIN" in text and "030 1234567" in text  # as the German post prints it
    assert "placed" in text and "History" in text
    assert pressed(reply) == [("pay", 41), ("ocancel", 41), ("ask", 41), ("orders", 0)]
    # Unpaid: a Pay button (a fresh link is made when pressed), no "instructions follow".
    assert "separate message" not in text
    # Times in the delivery country's zone (Germany has one), named.
    assert "Central European" in text and "UTC" not in text


def test_to_pay_and_pay_only_while_unpaid_and_order_again_once_expired() -> None:
    for status in OrderStatus:
        # Charged in the shop's currency: "To pay" shows it, but only while unpaid.
        reply = order_details(EN, details(status, charge=Money.of("27.50", "USD")))
        unpaid = status == OrderStatus.AWAITING_PAYMENT
        assert (("pay", 41) in pressed(reply)) == unpaid
        assert ("To pay" in reply.text) == unpaid
        again = status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED)
        assert (("reorder", 41) in pressed(reply)) == again
    assert "not paid in time" in order_details(EN, details(OrderStatus.EXPIRED)).text


def test_cancelling_asks_first() -> None:
    asked = confirm_cancel(EN, details())
    assert "7KQ-3M9" in asked.text and "can't be undone" in asked.text
    assert pressed(asked) == [("ocancelok", 41), ("order", 41)]


def test_the_list_offers_pay_for_each_unpaid_order() -> None:
    page = OrderPage(
        (item(41, "7KQ-3M9"), item(40, "ABC-DEF", OrderStatus.PAID)),
        page=0,
        total_count=2,
    )
    reply = orders_list(EN, page)
    assert "1 order is waiting for payment" in reply.text
    assert ("pay", 41) in pressed(reply) and ("pay", 40) not in pressed(reply)


def test_only_an_unpaid_order_offers_cancel() -> None:
    for status in (OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.EXPIRED):
        assert ("ocancel", 41) not in pressed(order_details(EN, details(status)))


def test_shipped_orders_show_the_tracking_number() -> None:
    reply = order_details(EN, details(OrderStatus.SHIPPED, carrier="DHL", tracking="JJD0001"))
    assert "DHL" in reply.text and "JJD0001" in reply.text


def test_cancelled_and_refused_cancel() -> None:
    done = order_cancelled(EN, details(OrderStatus.CANCELLED), changed=True)
    assert done.text.startswith("Order <b>7KQ-3M9</b> is cancelled") and done.notice
    assert ("ocancel", 41) not in pressed(done)
    assert order_cancelled(EN, details(OrderStatus.CANCELLED), changed=False).notice is None
    error = InvalidTransition(current="paid", requested="cancelled")
    refused = cannot_cancel(EN, details(OrderStatus.PAID), error)
    assert refused.text.startswith("This order is paid and can't be changed to cancelled.")


def test_a_stored_address_that_no_longer_validates_still_renders() -> None:
    reply = order_details(EN, details(delivery={"name": "Anna", "country": "??"}))
    assert "Anna" in reply.text


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_orders_render_in_every_shipped_language(locale: str) -> None:
    t = translator(locale)
    for reply in (
        orders_list(t, OrderPage((item(41, "7KQ-3M9"),), page=0, total_count=1)),
        order_details(t, details(OrderStatus.SHIPPED, carrier="DHL", tracking="1")),
    ):
        assert reply.text and "{" not in reply.text


def test_an_order_of_fifty_long_lines_fits_in_one_message() -> None:
    line = OrderLineView("Mug " * 100, None, {}, 1, Money.of("1", "USD"), Money.of("1", "USD"))
    reply = order_details(EN, details(lines=(line,) * 50))
    assert len(reply.text) <= 4096 and "25 more items" in reply.text
