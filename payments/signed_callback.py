"""chatshop's own signed notification: the scheme merchants' payment links and the sandbox use.

It is Stripe's scheme with our header name, so a merchant's developer who has verified a Stripe
webhook already knows it: `X-Chatshop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over the
bytes `f"{t}."` followed by the raw body. Several `v1=` entries may be sent while a secret is
rotated; one valid entry is enough. Documented for merchants in `payments/PAYMENT_LINK.md`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from money import Money, UnknownCurrency, exponent
from payments.base import (
    EventKind,
    InvalidSignature,
    MalformedEvent,
    PaymentEvent,
    StaleEvent,
    header,
)

SIGNATURE_HEADER = "X-Chatshop-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
CALLBACK_STATUSES = {
    "paid": EventKind.PAID,
    "failed": EventKind.FAILED,
    "refunded": EventKind.REFUNDED,
}
_AMOUNT = re.compile(r"^\d{1,15}(\.\d{1,6})?$")


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `"<t>."` + body: the `v1` value."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int) -> str:
    """The header value a sender attaches to `body`."""
    return f"t={timestamp},v1={compute_signature(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """Check the signature, then the age; returns the signed timestamp.

    The signature is checked first so an attacker learns nothing about our clock. Timestamps in
    the future are accepted (clock skew, as Stripe does): replays are caught by the event id.
    """
    value = header(headers, SIGNATURE_HEADER)
    if not value:
        raise InvalidSignature(f"no {SIGNATURE_HEADER} header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isdigit():
            timestamp = int(item)
        elif key == "v1" and item:
            signatures.append(item)
    if timestamp is None or not signatures:
        raise InvalidSignature(f"{SIGNATURE_HEADER} lacks t= or v1=")
    expected = compute_signature(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignature("signature does not match")
    check_age(timestamp, now=now, tolerance_seconds=tolerance_seconds)
    return timestamp


def check_age(timestamp: int, *, now: datetime, tolerance_seconds: int) -> datetime:
    """Refuse a signed timestamp older than the tolerance; returns it as a UTC datetime."""
    try:
        signed_at = datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise StaleEvent(f"timestamp {timestamp} is out of range") from error
    age = now - signed_at
    if age > timedelta(seconds=tolerance_seconds):
        raise StaleEvent(f"signed {age} ago, tolerance is {tolerance_seconds} s")
    return signed_at


def parse_callback(provider: str, body: bytes, *, signed_at: int) -> PaymentEvent:
    """Map a verified callback body to a `PaymentEvent`.

    Body: `{"event_id", "order", "status": "paid"|"failed"|"refunded", "amount": "12.34",
    "currency": "EUR", "reference"?}`. The amount must be a JSON *string*: a JSON number would go
    through a float in most senders' code, and money never does.
    """
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedEvent(f"body is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise MalformedEvent("body must be a JSON object")
    event_id = _text(data, "event_id", 255)
    order = _text(data, "order", 64)
    status = data.get("status")
    if status not in CALLBACK_STATUSES:
        raise MalformedEvent(f"status must be one of {sorted(CALLBACK_STATUSES)}, got {status!r}")
    reference = data.get("reference")
    if reference is not None and (not isinstance(reference, str) or len(reference) > 255):
        raise MalformedEvent("reference must be a string of at most 255 characters")
    return PaymentEvent(
        provider=provider,
        event_id=event_id,
        kind=CALLBACK_STATUSES[status],
        order_number=order,
        amount=_amount(data.get("amount"), data.get("currency")),
        provider_reference=reference or None,
        occurred_at=datetime.fromtimestamp(signed_at, UTC),
        raw=data,
    )


def callback_body(
    *, event_id: str, order: str, status: str, amount: Money, reference: str | None
) -> bytes:
    """The canonical JSON body of a callback (the sandbox sends exactly this)."""
    payload = {
        "event_id": event_id,
        "order": order,
        "status": status,
        "amount": format_amount(amount),
        "currency": amount.currency,
        "reference": reference,
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def format_amount(money: Money) -> str:
    """`12.34`, `500` (JPY), `1.250` (KWD): plain digits at the currency's precision."""
    quantum = Decimal(1).scaleb(-exponent(money.currency))
    quantized = money.amount.quantize(quantum)
    if quantized != money.amount:
        raise ValueError(f"{money} has more digits than {money.currency} allows; round it first")
    return format(quantized, "f")


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise MalformedEvent(f"{key} must be a non-empty string of at most {limit} characters")
    return value


def _amount(amount: Any, currency: Any) -> Money:
    if not isinstance(amount, str) or not _AMOUNT.match(amount):
        raise MalformedEvent(f'amount must be a decimal string like "12.34", got {amount!r}')
    if not isinstance(currency, str):
        raise MalformedEvent("currency must be an ISO 4217 code")
    try:
        return Money(Decimal(amount), currency)
    except (UnknownCurrency, InvalidOperation) as error:
        raise MalformedEvent(str(error)) from error
