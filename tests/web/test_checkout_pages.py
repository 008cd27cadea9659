"""The sandbox's payment page in the buyer's language; Pay and Cancel go the providers' way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from babel.numbers import get_currency_name

from db import utcnow
from money import Money
from money.formatting import format_money
from orders.models import OrderStatus
from payments import SandboxProvider
from tests.payments.factories import SANDBOX_SECRET
from tests.web.conftest import BASE_URL, BUYER_ID, Harness, open_order_checkout, place_order
from tests.web.test_payment_webhooks import state

TOTAL = Money.of("16.50", "USD")  # a red mug, 11.00, and delivery to Germany, 5.50


async def sandbox_order(harness: Harness, *, locale: str = "en") -> tuple[str, str]:
    """(order number, path of its sandbox payment page)."""
    number = await place_order(harness.sessions, locale=locale)
    link = await open_order_checkout(harness.sessions, harness.sandbox, number, locale=locale)
    assert link.url.startswith(BASE_URL + "/pay/sandbox/")
    return number, link.url.removeprefix(BASE_URL)


async def test_page_shows_the_order_in_english(harness: Harness) -> None:
    number, path = await sandbox_order(harness)

    response = await harness.client.get(path)

    assert response.status_code == 200
    page = response.text
    assert '<html lang="en" dir="ltr">' in page
    assert f"Pay for order {number}" in page
    assert "Ceramic mug" in page and "Delivery" in page
    assert format_money(TOTAL, "en") in page
    assert get_currency_name("USD", locale="en") in page  # the charge currency, named
    assert f'action="{path}/pay"' in page and f'action="{path}/cancel"' in page
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_page_is_right_to_left_in_arabic(harness: Harness) -> None:
    _, path = await sandbox_order(harness, locale="ar")

    response = await harness.client.get(path, headers={"Accept-Language": "de"})

    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.text
    assert format_money(TOTAL, "ar") in response.text


async def test_pay_marks_the_order_paid_and_tells_the_buyer(harness: Harness) -> None:
    number, path = await sandbox_order(harness)

    pressed = await harness.client.post(f"{path}/pay")
    pressed_again = await harness.client.post(f"{path}/pay")
    done = await harness.client.get(pressed.headers["location"])

    assert pressed.status_code == pressed_again.status_code == 303
    assert pressed.headers["location"] == f"{path}/paid"
    assert done.status_code == 200
    assert f"Payment for order {number} received" in done.text
    assert await state(harness.sessions, number) == (OrderStatus.PAID, 1, 2)
    (message,) = harness.api.sent()
    assert message["chat_id"] == BUYER_ID
    assert "Thank you" in message["text"] and number in message["text"]


async def test_cancel_keeps_the_order_and_says_nothing_was_charged(harness: Harness) -> None:
    number, path = await sandbox_order(harness)

    pressed = await harness.client.post(f"{path}/cancel")
    done = await harness.client.get(pressed.headers["location"])

    assert pressed.headers["location"] == f"{path}/cancelled"
    assert "Nothing was charged" in done.text
    assert await state(harness.sessions, number) == (OrderStatus.AWAITING_PAYMENT, 1, 1)
    (message,) = harness.api.sent()
    assert "did not go through" in message["text"]


async def test_paying_after_cancelling_still_pays(harness: Harness) -> None:
    number, path = await sandbox_order(harness)

    await harness.client.post(f"{path}/cancel")
    await harness.client.post(f"{path}/pay")

    assert (await state(harness.sessions, number))[0] == OrderStatus.PAID


@pytest.mark.parametrize("mangle", [lambda p: p[:-3] + "AAA", lambda p: "/pay/sandbox/nonsense"])
async def test_a_forged_token_is_not_found(harness: Harness, mangle: Callable[[str], str]) -> None:
    number, path = await sandbox_order(harness)
    forged = mangle(path)

    shown = await harness.client.get(forged)
    pressed = await harness.client.post(f"{forged}/pay")

    assert shown.status_code == pressed.status_code == 404
    assert (await state(harness.sessions, number))[0] == OrderStatus.AWAITING_PAYMENT


async def test_an_expired_checkout_cannot_be_paid(harness: Harness) -> None:
    number, path = await sandbox_order(harness)
    later = utcnow() + timedelta(hours=2)
    harness.directory.sandbox = SandboxProvider(SANDBOX_SECRET, BASE_URL, clock=lambda: later)

    shown = await harness.client.get(path)
    pressed = await harness.client.post(f"{path}/pay")

    assert shown.status_code == pressed.status_code == 410
    assert (await state(harness.sessions, number))[0] == OrderStatus.AWAITING_PAYMENT


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl"), ("de", "ltr")])
async def test_return_pages_speak_the_buyers_language(
    harness: Harness, lang: str, direction: str
) -> None:
    paid = await harness.client.get(f"/pay/return/paid?lang={lang}")
    cancelled = await harness.client.get(f"/pay/return/cancelled?lang={lang}")
    unknown = await harness.client.get("/pay/return/whatever")

    assert paid.status_code == cancelled.status_code == 200
    assert f'lang="{lang}" dir="{direction}"' in paid.text
    assert unknown.status_code == 404
