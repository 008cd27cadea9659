"""The provider boundary's own rules."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from db import utcnow
from money import CurrencyMismatch, Money
from payments import CheckoutLine, CheckoutRequest, Provider
from payments.base import header
from tests.payments.factories import CALLBACK_SECRET, SANDBOX_SECRET, WEBHOOK_SECRET


def request_with(**changes: Any) -> CheckoutRequest:
    default = CheckoutRequest(
        order_number="A-1",
        amount=Money.of("10", "EUR"),
        lines=[CheckoutLine("Shirt", 1, Money.of("10", "EUR"))],
        expires_at=utcnow() + timedelta(hours=1),
        success_url="https://example.com/ok",
        cancel_url="https://example.com/cancel",
    )
    return dataclasses.replace(default, **changes)


def test_lines_must_add_up_to_the_amount() -> None:
    lines = [CheckoutLine("Shirt", 2, Money.of("10.00", "EUR"))]

    assert request_with(lines=lines, amount=Money.of("20", "EUR")).lines == tuple(lines)
    with pytest.raises(ValueError, match="add up"):  # a delivery fee missing from the lines
        request_with(lines=lines, amount=Money.of("25.00", "EUR"))


def test_lines_in_another_currency_are_refused() -> None:
    lines = [CheckoutLine("Shirt", 1, Money.of("10", "USD"))]

    with pytest.raises(CurrencyMismatch):
        request_with(lines=lines, amount=Money.of("10", "EUR"))


@pytest.mark.parametrize(
    "changes",
    [
        {"expires_at": datetime(2030, 1, 1)},  # naive
        {"order_number": ""},
        {"order_number": "x" * 65},
        {"lines": []},
    ],
)
def test_bad_requests_are_refused(changes: dict[str, object]) -> None:
    request_with()  # the defaults are fine

    with pytest.raises(ValueError):
        request_with(**changes)


@pytest.mark.parametrize("quantity", [0, -1])
def test_line_quantity_must_be_positive(quantity: int) -> None:
    with pytest.raises(ValueError):
        CheckoutLine("Shirt", quantity, Money.of("1", "EUR"))


def test_line_quantity_is_an_integer() -> None:
    with pytest.raises(TypeError):
        CheckoutLine("Shirt", Decimal("1.5"), Money.of("1", "EUR"))  # type: ignore[arg-type]  # refused


def test_headers_are_found_whatever_their_case() -> None:
    assert header({"stripe-signature": "x"}, "Stripe-Signature") == "x"
    assert header({"STRIPE-SIGNATURE": "y"}, "Stripe-Signature") == "y"
    assert header({}, "Stripe-Signature") is None


def test_every_provider_satisfies_the_protocol() -> None:
    from payments import PaymentLinkProvider, SandboxProvider, StripeCheckout

    providers = [
        StripeCheckout("sk_test_x", WEBHOOK_SECRET),
        PaymentLinkProvider("https://pay.example/{order}", CALLBACK_SECRET),
        SandboxProvider(SANDBOX_SECRET, "http://127.0.0.1:8080"),
    ]

    assert all(isinstance(provider, Provider) for provider in providers)
