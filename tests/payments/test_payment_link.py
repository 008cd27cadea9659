"""A merchant's payment link: filling the template, verifying the signed callback."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from money import Money
from payments import (
    EventKind,
    InvalidSignature,
    MalformedEvent,
    NotSupported,
    PaymentLinkProvider,
    ProviderConfigError,
    StaleEvent,
)
from payments.signed_callback import SIGNATURE_HEADER, signature_header
from tests.payments.factories import CALLBACK_SECRET, checkout_request

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())
TEMPLATE = "https://pay.example/checkout?ref={reference}&sum={amount}&cur={currency}&note={order}"


def merchant_signs(body: bytes, *, secret: str = CALLBACK_SECRET, timestamp: int = T) -> dict:
    """What a merchant's developer writes from PAYMENT_LINK.md, independently of our code."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {SIGNATURE_HEADER: f"t={timestamp},v1={digest.hexdigest()}"}


def callback(**changes: object) -> bytes:
    payload = {
        "event_id": "bank-tx-981",
        "order": "A-1001",
        "status": "paid",
        "amount": "24.68",
        "currency": "EUR",
        "reference": "cs-0123",
        **changes,
    }
    return json.dumps(payload).encode()


@pytest.fixture
def provider() -> PaymentLinkProvider:
    return PaymentLinkProvider(TEMPLATE, CALLBACK_SECRET, name="payment_link:m1")


# --- the link ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "unit", "quantity", "shown"),
    [("EUR", "12.34", 2, "24.68"), ("JPY", "1500", 2, "3000"), ("KWD", "1.5", 1, "1.500")],
)
async def test_link_fills_every_placeholder(
    provider: PaymentLinkProvider, currency: str, unit: str, quantity: int, shown: str
) -> None:
    request = checkout_request(currency=currency, unit=unit, quantity=quantity)

    link = await provider.create_checkout(request)

    query = parse_qs(urlsplit(link.url).query)
    assert query == {
        "ref": [link.provider_reference],
        "sum": [shown],
        "cur": [currency],
        "note": ["A-1001"],
    }
    assert link.url.startswith("https://pay.example/checkout?")
    assert link.provider == "payment_link:m1"
    assert link.expires_at == request.expires_at


async def test_values_are_percent_encoded(provider: PaymentLinkProvider) -> None:
    link = await provider.create_checkout(checkout_request(order="A/1 &x=2#"))

    assert "A%2F1%20%26x%3D2%23" in link.url
    assert parse_qs(urlsplit(link.url).query)["note"] == ["A/1 &x=2#"]


async def test_same_order_gives_the_same_link_and_another_order_another(
    provider: PaymentLinkProvider,
) -> None:
    request = checkout_request()

    first = await provider.create_checkout(request)
    again = await provider.create_checkout(request)
    other = await provider.create_checkout(checkout_request(order="A-1002"))

    assert again == first
    assert other.provider_reference != first.provider_reference


@pytest.mark.parametrize(
    "template",
    [
        "https://pay.example/?o={order}&a={ammount}",  # typo
        "https://pay.example/?o={order}&a={amount:.2f}",  # format spec
        "https://pay.example/?o={order!r}",  # conversion
        "https://pay.example/?o={}",  # positional
        "https://pay.example/?o={order.number}",  # attribute access
        "https://pay.example/?o={order",  # unbalanced
        "ftp://pay.example/{order}",  # not http(s)
        "{order}",  # not a URL
        "https://pay.example/?sum={amount}",  # payment cannot be matched to an order
    ],
)
def test_bad_templates_are_refused_when_configured(template: str) -> None:
    with pytest.raises(ProviderConfigError):
        PaymentLinkProvider(template, CALLBACK_SECRET)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ProviderConfigError):
        PaymentLinkProvider(TEMPLATE, "short")


async def test_refunds_happen_at_the_merchants_provider(provider: PaymentLinkProvider) -> None:
    with pytest.raises(NotSupported):
        await provider.refund("cs-0123")


# --- the callback -----------------------------------------------------------------------------


def test_signed_callback_becomes_an_event(provider: PaymentLinkProvider) -> None:
    body = callback()

    event = provider.parse_webhook(merchant_signs(body), body, now=NOW)

    assert event.provider == "payment_link:m1"
    assert event.event_id == "bank-tx-981"
    assert event.kind is EventKind.PAID
    assert event.order_number == "A-1001"
    assert event.amount == Money.of("24.68", "EUR")
    assert event.provider_reference == "cs-0123"
    assert event.occurred_at == NOW


@pytest.mark.parametrize(
    ("status", "kind"),
    [("paid", EventKind.PAID), ("failed", EventKind.FAILED), ("refunded", EventKind.REFUNDED)],
)
def test_each_status_maps_to_its_kind(
    provider: PaymentLinkProvider, status: str, kind: EventKind
) -> None:
    body = callback(status=status)

    assert provider.parse_webhook(merchant_signs(body), body, now=NOW).kind is kind


def test_callback_signed_with_another_secret_is_refused(provider: PaymentLinkProvider) -> None:
    body = callback()

    with pytest.raises(InvalidSignature):
        provider.parse_webhook(merchant_signs(body, secret="x" * 32), body, now=NOW)


def test_altered_body_is_refused(provider: PaymentLinkProvider) -> None:
    headers = merchant_signs(callback(amount="24.68"))

    with pytest.raises(InvalidSignature):
        provider.parse_webhook(headers, callback(amount="0.01"), now=NOW)


def test_signature_for_another_timestamp_is_refused(provider: PaymentLinkProvider) -> None:
    body = callback()
    signature = merchant_signs(body)[SIGNATURE_HEADER].split(",")[1]

    with pytest.raises(InvalidSignature):
        provider.parse_webhook({SIGNATURE_HEADER: f"t={T + 1},{signature}"}, body, now=NOW)


@pytest.mark.parametrize("value", [None, "", "v1=abc", f"t={T}", f"t=now,v1={'0' * 64}"])
def test_missing_or_garbled_header_is_refused(
    provider: PaymentLinkProvider, value: str | None
) -> None:
    headers = {} if value is None else {SIGNATURE_HEADER: value}

    with pytest.raises(InvalidSignature):
        provider.parse_webhook(headers, callback(), now=NOW)


def test_rotated_secret_any_matching_signature_is_enough(provider: PaymentLinkProvider) -> None:
    body = callback()
    old = merchant_signs(body, secret="y" * 32)[SIGNATURE_HEADER]
    new = merchant_signs(body)[SIGNATURE_HEADER].split(",")[1]

    event = provider.parse_webhook({SIGNATURE_HEADER: f"{old},{new}"}, body, now=NOW)

    assert event.kind is EventKind.PAID


@pytest.mark.parametrize(("age", "fresh"), [(300, True), (301, False), (-3600, True)])
def test_old_callbacks_are_stale(provider: PaymentLinkProvider, age: int, fresh: bool) -> None:
    body = callback()
    headers = merchant_signs(body, timestamp=T - age)

    if fresh:
        provider.parse_webhook(headers, body, now=NOW)
    else:
        with pytest.raises(StaleEvent):
            provider.parse_webhook(headers, body, now=NOW)


def test_a_replay_an_hour_later_is_stale(provider: PaymentLinkProvider) -> None:
    body = callback()
    headers = merchant_signs(body)
    provider.parse_webhook(headers, body, now=NOW)

    with pytest.raises(StaleEvent):
        provider.parse_webhook(headers, body, now=NOW + timedelta(hours=1))


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        callback(amount=24.68),  # a JSON number: money never travels as a float
        callback(amount="24,68"),
        callback(amount="1e3"),
        callback(currency="EURO"),
        callback(currency=None),
        callback(status="settled"),
        callback(event_id=""),
        callback(order=None),
        callback(reference=42),
    ],
)
def test_signed_but_unreadable_callbacks_are_malformed(
    provider: PaymentLinkProvider, body: bytes
) -> None:
    with pytest.raises(MalformedEvent):
        provider.parse_webhook(merchant_signs(body), body, now=NOW)


def test_reference_is_optional(provider: PaymentLinkProvider) -> None:
    body = json.dumps(
        {"event_id": "e1", "order": "A-1", "status": "paid", "amount": "5", "currency": "EUR"}
    ).encode()

    assert provider.parse_webhook(merchant_signs(body), body, now=NOW).provider_reference is None


def test_the_documented_test_vector_holds() -> None:
    """PAYMENT_LINK.md gives merchants a vector to check their code against: it must be right."""
    doc = (Path(__file__).parents[2] / "payments" / "PAYMENT_LINK.md").read_text()
    vector = dict(re.findall(r"^- (secret|t|body|header): `(.+)`$", doc, re.MULTILINE))
    body = vector["body"].encode()
    headers = {SIGNATURE_HEADER: vector["header"]}
    provider = PaymentLinkProvider(TEMPLATE, vector["secret"])

    event = provider.parse_webhook(headers, body, now=datetime.fromtimestamp(int(vector["t"]), UTC))

    assert event.amount == Money.of("24.68", "EUR")
    assert vector["header"] == signature_header(vector["secret"], body, timestamp=int(vector["t"]))
