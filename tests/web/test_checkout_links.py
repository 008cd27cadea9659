"""An order's checkout lines add up to exactly what is charged, in the charge currency."""

from __future__ import annotations

import pytest

from money import Money
from orders.models import Order, OrderLine
from payments.checkout_links import charge_lines, return_urls


def order(*, charge_currency: str, charge_total_minor: int) -> Order:
    """Two mugs at USD 11.00 (EUR 10.00 as shown), delivery USD 5.50 (EUR 5.00)."""
    result = Order(
        number="A-1001",
        currency="USD",
        subtotal_minor=2200,
        shipping_minor=550,
        total_minor=2750,
        buyer_currency="EUR",
        buyer_total_minor=2500,
        charge_currency=charge_currency,
        charge_total_minor=charge_total_minor,
    )
    result.lines = [
        OrderLine(
            title="Ceramic mug", quantity=2, unit_price_minor=1100, buyer_unit_price_minor=1000
        )
    ]
    return result


@pytest.mark.parametrize(
    ("currency", "total", "expected"),
    [
        ("USD", 2750, [("Ceramic mug", 2, "11.00"), ("Delivery", 1, "5.50")]),
        ("EUR", 2500, [("Ceramic mug", 2, "10.00"), ("Delivery", 1, "5.00")]),
        ("EUR", 1999, [("Order A-1001", 1, "19.99")]),  # lines exceed the charge: one line
        ("JPY", 4000, [("Order A-1001", 1, "4000")]),  # neither currency: one line
    ],
)
def test_lines_sum_to_the_charge(
    currency: str, total: int, expected: list[tuple[str, int, str]]
) -> None:
    lines = charge_lines(order(charge_currency=currency, charge_total_minor=total), "en")

    assert [(line.name, line.quantity, str(line.unit_amount.amount)) for line in lines] == expected
    charged = sum((line.total for line in lines), Money.zero(currency))
    assert charged == Money.from_minor(total, currency)


def test_return_urls_carry_the_language() -> None:
    assert return_urls("https://shop.example/", "ar") == (
        "https://shop.example/pay/return/paid?lang=ar",
        "https://shop.example/pay/return/cancelled?lang=ar",
    )
