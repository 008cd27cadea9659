"""Builders shared by the payments tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from db import utcnow
from money import Money
from payments import CheckoutLine, CheckoutRequest

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
CALLBACK_SECRET = "merchant-callback-secret-0123"
SANDBOX_SECRET = "sandbox-secret-0123456789"
# CHATSHOP_SECRET_KEY in tests: seals merchants' payment secrets (a fixed Fernet key).
SECRET_KEY = "q0l0S5cY3bG1f0pQyJw8m2VYt6T1sVHkz3kq8m1n5XE="


def checkout_request(
    *,
    order: str = "A-1001",
    unit: str = "12.34",
    quantity: int = 2,
    currency: str = "USD",
    expires_at: datetime | None = None,
    locale: str | None = "en",
) -> CheckoutRequest:
    """One order of `quantity` × `unit`, reserved for an hour unless told otherwise."""
    unit_amount = Money.of(unit, currency)
    return CheckoutRequest(
        order_number=order,
        amount=unit_amount * quantity,
        lines=[CheckoutLine("Linen shirt", quantity, unit_amount)],
        expires_at=expires_at or utcnow() + timedelta(hours=1),
        success_url="https://t.me/chatshop_bot?start=paid",
        cancel_url="https://t.me/chatshop_bot?start=cancelled",
        locale=locale,
        customer_reference="tg:42",
    )
