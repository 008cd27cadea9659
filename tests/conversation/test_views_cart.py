"""The cart as a pure function: per-merchant totals, price changes, buttons that decode."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from conversation import callbacks
from conversation.reply import Reply
from conversation.views.cart import cart_view, confirm_empty, shop_error, words_outcome
from i18n import translator
from money import Money
from money.conversion import ConversionPolicy
from money.formatting import format_money
from money.rates import RateTable
from orders.cart import CartLineView, CartView, MerchantCart
from orders.cart_language import Ambiguous, EditAction
from orders.errors import NotEnoughStock
from orders.pricing import make_quoter, price_line
from storefront.cart import WordsOutcome

NOW = datetime(2025, 3, 10, 15, tzinfo=UTC)
QUOTER = make_quoter(
    RateTable(date=date(2025, 3, 10), rates={"USD": Decimal("1.10"), "CNY": Decimal("7.70")}),
    now=NOW, max_rate_age=timedelta(days=4),
)  # fmt: skip


def line(
    line_id: int, title: str, price: str, currency: str, quantity: int, **kw: Any
) -> CartLineView:
    unit = Money.of(price, currency)
    default = CartLineView(
        line_id=line_id, variant_id=line_id, product_id=line_id, title=title,
        sku=None, options={}, quantity=quantity, added_price=unit,
        priced=price_line(QUOTER, unit, quantity, "EUR", ConversionPolicy()),
        available=True, stock_short=False,
    )  # fmt: skip
    return dataclasses.replace(default, **kw)


def view() -> CartView:
    mugs = MerchantCart(
        1, "Mugs & Co", "USD", ConversionPolicy(),
        (line(1, "Mug <red>", "11.00", "USD", 3, added_price=Money.of("9.90", "USD")),),
    )  # fmt: skip
    tea = MerchantCart(
        2, "Tea House", "CNY", ConversionPolicy(), (line(2, "紫砂壶", "77.00", "CNY", 1),)
    )
    return CartView("EUR", (mugs, tea))


def pressed(reply: Reply) -> list[tuple[object, ...]]:
    decoded = [callbacks.decode(b.action) for row in reply.buttons for b in row if b.action]
    return [(p.action, *p.args) for p in decoded]


@pytest.mark.parametrize("locale", ["en", "ar", "zh_Hans"])
def test_cart_shows_totals_per_merchant_and_changed_prices(locale: str) -> None:
    t = translator(locale)
    reply = cart_view(t, view(), edit=True)
    assert reply.edit and len(reply.text) <= 4096
    assert "Mugs &amp; Co" in reply.text and "Mug &lt;red&gt;" in reply.text
    for amount in ("30.00", "10.00", "40.00"):  # 3 × 10.00, the teapot, the total
        assert format_money(Money.of(amount, "EUR"), t.locale) in reply.text
    assert format_money(Money.of("9.90", "USD"), t.locale) in reply.text  # was 9.90
    buttons = pressed(reply)
    for operation in ("dec", "inc", "del"):
        assert ("line", 1, operation) in buttons and ("line", 2, operation) in buttons
    assert ("empty",) in buttons and ("co",) in buttons


def test_empty_cart_and_confirmation() -> None:
    t = translator("en")
    assert "empty" in cart_view(t, CartView("EUR", ())).text
    assert [b[0] for b in pressed(confirm_empty(t))] == ["emptyok", "cart"]


def test_unsure_words_ask_with_buttons() -> None:
    cart = view()
    asking = WordsOutcome(cart, ambiguous=Ambiguous(EditAction.REMOVE, None, (1, 2)))
    reply = words_outcome(translator("en"), asking)
    assert ("pick", 1) in pressed(reply) and ("pick", 2) in pressed(reply)
    done = words_outcome(translator("en"), WordsOutcome(cart, change=3))
    assert done.notice and ("co",) in pressed(done)


def test_refusals_are_escaped_sentences() -> None:
    reply = shop_error(translator("en"), NotEnoughStock(title="<b>Mug</b>", available=2))
    assert reply.text == "Only 2 of “&lt;b&gt;Mug&lt;/b&gt;” left."
