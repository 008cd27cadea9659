"""What the buyer reads before paying: the amount, the currency, and why it may differ."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from conversation.views.payment import payment_link
from i18n import translator
from money import Money
from payments import CheckoutLink
from payments.pay_button import PaymentLink


def _payment(amount: str, currency: str) -> PaymentLink:
    link = CheckoutLink(
        "https://pay.example/c/1", "sandbox", "c1", datetime(2026, 1, 1, tzinfo=UTC)
    )
    return PaymentLink(SimpleNamespace(number="A-1001"), Money.of(Decimal(amount), currency), link)  # type: ignore[arg-type]  # the view reads only the number


def test_charge_in_the_shown_currency_needs_no_warning() -> None:
    reply = payment_link(translator("en"), "USD", _payment("49.99", "USD"))
    assert "$49.99" in reply.text and "bank converts" not in reply.text
    assert reply.buttons[0][0].url == "https://pay.example/c/1"


def test_charge_in_the_merchants_currency_explains_the_difference() -> None:
    reply = payment_link(translator("en"), "BRL", _payment("299.00", "CNY"))
    assert "CN¥299.00" in reply.text
    assert "shown to you in BRL" in reply.text and "charges in CNY" in reply.text


def test_arabic_keeps_the_amount_whole_inside_the_sentence() -> None:
    reply = payment_link(translator("ar"), "SAR", _payment("49.99", "USD"))
    assert "\u2068" in reply.text and "\u2069" in reply.text
