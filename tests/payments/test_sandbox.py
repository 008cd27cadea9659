"""The sandbox: its page model, unforgeable tokens, and events signed like a real provider's."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime, timedelta

import pytest

from money import Money
from payments import (
    CheckoutExpired,
    CheckoutLine,
    EventKind,
    InvalidSignature,
    ProviderConfigError,
    SandboxProvider,
    StaleEvent,
)
from tests.payments.factories import SANDBOX_SECRET, checkout_request

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:8080"


@pytest.fixture
def sandbox() -> SandboxProvider:
    return SandboxProvider(SANDBOX_SECRET, BASE + "/", clock=lambda: NOW)


async def token_for(
    sandbox: SandboxProvider, *, expires_at: datetime = NOW + timedelta(minutes=15)
) -> str:
    link = await sandbox.create_checkout(checkout_request(expires_at=expires_at))
    prefix = f"{BASE}/pay/sandbox/"
    assert link.url.startswith(prefix)
    return link.url.removeprefix(prefix)


async def test_page_shows_the_order(sandbox: SandboxProvider) -> None:
    request = checkout_request(currency="JPY", unit="1500", expires_at=NOW + timedelta(minutes=15))
    link = await sandbox.create_checkout(request)
    token = link.url.rsplit("/", 1)[1]

    page = sandbox.payment_page_model(token)

    assert page.order_number == "A-1001"
    assert page.amount == Money.of(3000, "JPY")
    assert page.lines == (CheckoutLine("Linen shirt", 2, Money.of(1500, "JPY")),)
    assert page.expires_at == request.expires_at.replace(microsecond=0)
    assert page.expired is False
    assert page.provider_reference == link.provider_reference
    assert (page.success_url, page.cancel_url) == (request.success_url, request.cancel_url)


async def test_creating_twice_gives_the_same_link(sandbox: SandboxProvider) -> None:
    request = checkout_request(expires_at=NOW + timedelta(minutes=15))

    assert await sandbox.create_checkout(request) == await sandbox.create_checkout(request)


async def test_pay_produces_an_event_the_sandbox_accepts(sandbox: SandboxProvider) -> None:
    token = await token_for(sandbox)

    headers, body = sandbox.signed_event(token, "paid", now=NOW)
    event = sandbox.parse_webhook(headers, body, now=NOW)

    assert event.kind is EventKind.PAID
    assert event.order_number == "A-1001"
    assert event.amount == Money.of("24.68", "USD")
    assert event.provider_reference == sandbox.payment_page_model(token).provider_reference
    assert event.provider == "sandbox"


async def test_pressing_pay_twice_is_one_event_id(sandbox: SandboxProvider) -> None:
    token = await token_for(sandbox)

    _, first = sandbox.signed_event(token, "paid", now=NOW)
    _, again = sandbox.signed_event(token, "paid", now=NOW + timedelta(seconds=5))
    _, failed = sandbox.signed_event(token, "failed", now=NOW)

    assert json.loads(first)["event_id"] == json.loads(again)["event_id"]
    assert json.loads(failed)["event_id"] != json.loads(first)["event_id"]


async def test_paying_after_expiry_is_refused(sandbox: SandboxProvider) -> None:
    token = await token_for(sandbox, expires_at=NOW - timedelta(seconds=1))

    assert sandbox.payment_page_model(token).expired is True
    with pytest.raises(CheckoutExpired):
        sandbox.signed_event(token, "paid")


async def test_a_stale_sandbox_event_is_refused(sandbox: SandboxProvider) -> None:
    token = await token_for(sandbox)
    headers, body = sandbox.signed_event(token, "paid", now=NOW)

    with pytest.raises(StaleEvent):
        sandbox.parse_webhook(headers, body, now=NOW + timedelta(seconds=301))


async def test_an_altered_token_is_refused(sandbox: SandboxProvider) -> None:
    token = await token_for(sandbox)
    payload, signature = token.split(".")
    data = json.loads(
        zlib.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    )
    data["a"] = "0.01"  # the buyer makes the order cheaper
    forged_payload = base64.urlsafe_b64encode(zlib.compress(json.dumps(data).encode())).rstrip(b"=")

    with pytest.raises(InvalidSignature):
        sandbox.payment_page_model(f"{forged_payload.decode()}.{signature}")
    with pytest.raises(InvalidSignature):
        sandbox.signed_event(f"{forged_payload.decode()}.{signature}", "paid")


@pytest.mark.parametrize("token", ["", ".", "abc", "abc.def", "abc.", ".def", "a.b.c"])
def test_garbage_tokens_are_refused(sandbox: SandboxProvider, token: str) -> None:
    with pytest.raises(InvalidSignature):
        sandbox.payment_page_model(token)


async def test_another_sandboxs_token_and_events_are_refused(sandbox: SandboxProvider) -> None:
    other = SandboxProvider("another-sandbox-secret-99", BASE, clock=lambda: NOW)
    foreign_token = await token_for(other)
    headers, body = other.signed_event(foreign_token, "paid", now=NOW)

    with pytest.raises(InvalidSignature):
        sandbox.payment_page_model(foreign_token)
    with pytest.raises(InvalidSignature):
        sandbox.parse_webhook(headers, body, now=NOW)


async def test_sandbox_refund_is_simulated(sandbox: SandboxProvider) -> None:
    result = await sandbox.refund("sbx-123", Money.of("5", "EUR"))

    assert (result.status, result.amount, result.provider_reference) == (
        "succeeded",
        Money.of("5", "EUR"),
        "sbx-123",
    )


@pytest.mark.parametrize(("secret", "base"), [("short", BASE), (SANDBOX_SECRET, "127.0.0.1")])
def test_bad_configuration_is_refused(secret: str, base: str) -> None:
    with pytest.raises(ProviderConfigError):
        SandboxProvider(secret, base)
