"""The sandbox provider: a fake hosted payment page for the demo and the tests.

`create_checkout` returns `{base_url}/pay/sandbox/{token}`. The token carries the order (number,
lines, amount, expiry, return URLs) and our HMAC, so the bot's web server renders the page from
the token alone (`payment_page_model`) and a buyer cannot forge or alter one. Pressing Pay makes
the web server post `signed_event(token, "paid")` to its own webhook path, which is verified
exactly like a merchant's payment-link callback: the same code path real providers take.

The sandbox never moves money; it is a provider like the others so the demo exercises them all.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from db import utcnow
from money import Money
from payments.base import (
    CheckoutExpired,
    CheckoutLine,
    CheckoutLink,
    CheckoutRequest,
    InvalidSignature,
    MalformedEvent,
    PaymentEvent,
    ProviderConfigError,
    RefundResult,
)
from payments.signed_callback import (
    DEFAULT_TOLERANCE_SECONDS,
    SIGNATURE_HEADER,
    callback_body,
    format_amount,
    parse_callback,
    signature_header,
    verify_signature,
)

Outcome = Literal["paid", "failed", "refunded"]
PAGE_PATH = "/pay/sandbox/"


@dataclass(frozen=True, slots=True)
class SandboxPage:
    """What the payment page shows, and what its buttons lead to."""

    order_number: str
    amount: Money
    lines: tuple[CheckoutLine, ...]
    expires_at: datetime
    expired: bool
    provider_reference: str
    success_url: str
    cancel_url: str
    locale: str | None = None  # the buyer's, from the checkout request: the page speaks it


class SandboxProvider:
    """`Provider` whose payment page is served by the bot itself."""

    def __init__(
        self,
        secret: str,
        base_url: str,
        *,
        name: str = "sandbox",
        clock: Callable[[], datetime] = utcnow,
        tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        """`base_url` is the bot web server's public address; `secret` signs tokens and events."""
        if len(secret) < 16:
            raise ProviderConfigError("sandbox secret must be at least 16 characters")
        if not base_url.startswith(("http://", "https://")):
            raise ProviderConfigError("sandbox base_url must be an http(s) URL")
        self.name = name
        self._secret = secret.encode()
        self._base_url = base_url.rstrip("/")
        self._clock = clock
        self._tolerance = tolerance_seconds

    async def aclose(self) -> None:
        """Nothing to release."""

    # --- checkout ---------------------------------------------------------------------------
    async def create_checkout(self, request: CheckoutRequest) -> CheckoutLink:
        token = self._token(request)
        return CheckoutLink(
            url=f"{self._base_url}{PAGE_PATH}{token}",
            provider=self.name,
            provider_reference=self._reference(token),
            expires_at=request.expires_at,
        )

    def payment_page_model(self, token: str) -> SandboxPage:
        """The page's data; raises `InvalidSignature` for a forged or altered token."""
        data = self._read(token)
        try:
            currency = data["c"]
            expires_at = datetime.fromtimestamp(data["e"], UTC)
            return SandboxPage(
                order_number=data["o"],
                amount=Money(Decimal(data["a"]), currency),
                lines=tuple(
                    CheckoutLine(name, quantity, Money(Decimal(unit), currency))
                    for name, quantity, unit in data["l"]
                ),
                expires_at=expires_at,
                expired=self._clock() >= expires_at,
                provider_reference=self._reference(token),
                success_url=data["s"],
                cancel_url=data["x"],
                locale=data.get("lc") if isinstance(data.get("lc"), str) else None,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise MalformedEvent(f"sandbox token content: {error}") from error

    def signed_event(
        self, token: str, outcome: Outcome = "paid", *, now: datetime | None = None
    ) -> tuple[dict[str, str], bytes]:
        """Headers and body the web server posts to its own sandbox webhook path.

        The event id is derived from the token and outcome, so pressing Pay twice is one
        payment (the ledger records the id once). Paying an expired checkout is refused,
        as a real provider would.
        """
        page = self.payment_page_model(token)
        if page.expired and outcome != "refunded":
            raise CheckoutExpired(f"checkout for order {page.order_number} has expired")
        moment = now or self._clock()
        digest = hmac.new(self._secret, f"event|{token}|{outcome}".encode(), hashlib.sha256)
        body = callback_body(
            event_id=f"sbx-evt-{digest.hexdigest()[:24]}",
            order=page.order_number,
            status=outcome,
            amount=page.amount,
            reference=page.provider_reference,
        )
        timestamp = int(moment.timestamp())
        headers = {
            SIGNATURE_HEADER: signature_header(self._secret.decode(), body, timestamp=timestamp),
            "Content-Type": "application/json",
        }
        return headers, body

    # --- provider protocol ------------------------------------------------------------------
    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> PaymentEvent:
        signed_at = verify_signature(
            self._secret.decode(), headers, body, now=now, tolerance_seconds=self._tolerance
        )
        return parse_callback(self.name, body, signed_at=signed_at)

    async def refund(self, provider_reference: str, amount: Money | None = None) -> RefundResult:
        """Pretend the refund went through: the sandbox holds no money."""
        digest = hmac.new(
            self._secret, f"refund|{provider_reference}|{amount}".encode(), hashlib.sha256
        )
        return RefundResult(
            provider=self.name,
            refund_id=f"sbx-re-{digest.hexdigest()[:20]}",
            status="succeeded",
            amount=amount,
            provider_reference=provider_reference,
            raw={"simulated": True},
        )

    # --- tokens -----------------------------------------------------------------------------
    def _token(self, request: CheckoutRequest) -> str:
        payload: dict[str, Any] = {
            "o": request.order_number,
            "a": format_amount(request.amount),
            "c": request.amount.currency,
            "e": int(request.expires_at.timestamp()),
            "l": [
                [line.name[:60], line.quantity, format(line.unit_amount.amount, "f")]
                for line in request.lines
            ],
            "s": request.success_url,
            "x": request.cancel_url,
        }
        if request.locale:
            payload["lc"] = request.locale[:16]
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        encoded = _b64(zlib.compress(raw, 9))
        return f"{encoded}.{self._sign(encoded)}"

    def _read(self, token: str) -> dict[str, Any]:
        encoded, _, signature = token.partition(".")
        if not encoded or not signature or not hmac.compare_digest(signature, self._sign(encoded)):
            raise InvalidSignature("sandbox token is not ours")
        try:
            data = json.loads(zlib.decompress(_unb64(encoded)))
        except (binascii.Error, zlib.error, ValueError) as error:
            raise MalformedEvent(f"sandbox token cannot be read: {error}") from error
        if not isinstance(data, dict):
            raise MalformedEvent("sandbox token content is not an object")
        return data

    def _sign(self, encoded: str) -> str:
        return _b64(hmac.new(self._secret, f"token|{encoded}".encode(), hashlib.sha256).digest())

    def _reference(self, token: str) -> str:
        return f"sbx-{hashlib.sha256(token.encode()).hexdigest()[:20]}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
