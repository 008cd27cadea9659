"""A merchant's own payment link: a URL template we fill in, and a signed callback we verify.

For merchants whose provider we do not integrate (a local bank's hosted page, PayPal.me, an
invoice tool), the merchant gives us a template such as
`https://pay.example/checkout?ref={reference}&sum={amount}&cur={currency}&note={order}` and their
side posts a callback signed with a secret we share. The scheme is in `payments/PAYMENT_LINK.md`.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote, urlsplit

from money import Money
from payments.base import (
    CheckoutLink,
    CheckoutRequest,
    NotSupported,
    PaymentEvent,
    ProviderConfigError,
    RefundResult,
)
from payments.signed_callback import (
    DEFAULT_TOLERANCE_SECONDS,
    format_amount,
    parse_callback,
    verify_signature,
)

PLACEHOLDERS = frozenset({"order", "amount", "currency", "reference"})


def template_fields(url_template: str) -> set[str]:
    """The placeholders used in a template; anything but a bare known name is a config error.

    Checked once at construction, so a typo (`{ammount}`) is reported when the merchant saves
    the setting, not as a broken link in front of a buyer.
    """
    fields: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(url_template))
    except ValueError as error:
        raise ProviderConfigError(f"payment link template: {error}") from error
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise ProviderConfigError(
                f"payment link template: unknown placeholder {{{name}}}; "
                f"use {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}"
            )
        fields.add(name)
    return fields


class PaymentLinkProvider:
    """`Provider` for a merchant's URL template plus an HMAC-signed callback."""

    def __init__(
        self,
        url_template: str,
        secret: str,
        *,
        name: str = "payment_link",
        tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        """`name` must differ per merchant (e.g. `payment_link:<merchant id>`): event ids are
        chosen by each merchant's system and are only unique within it."""
        fields = template_fields(url_template)
        parts = urlsplit(url_template.replace("{", "").replace("}", ""))
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ProviderConfigError("payment link template must be an http(s) URL")
        if not fields & {"order", "reference"}:
            raise ProviderConfigError(
                "payment link template needs {order} or {reference}, or payments cannot be matched"
            )
        if len(secret) < 16:
            raise ProviderConfigError("payment link secret must be at least 16 characters")
        self.name = name
        self._template = url_template
        self._secret = secret
        self._tolerance = tolerance_seconds

    async def aclose(self) -> None:
        """Nothing to release: no connection is ever opened."""

    def reference(self, request: CheckoutRequest) -> str:
        """Our reference for this checkout: deterministic, so asking twice gives the same link,
        and keyed, so nobody can guess another order's reference."""
        message = "|".join(
            (
                request.order_number,
                format_amount(request.amount),
                request.amount.currency,
                str(int(request.expires_at.timestamp())),
            )
        )
        digest = hmac.new(self._secret.encode(), message.encode(), hashlib.sha256).hexdigest()
        return f"cs-{digest[:20]}"

    async def create_checkout(self, request: CheckoutRequest) -> CheckoutLink:
        """Fill the template; every value is percent-encoded, so an order number cannot break
        out of its query parameter."""
        reference = self.reference(request)
        values = {
            "order": request.order_number,
            "amount": format_amount(request.amount),
            "currency": request.amount.currency,
            "reference": reference,
        }
        url = self._template.format_map({k: quote(v, safe="") for k, v in values.items()})
        return CheckoutLink(
            url=url,
            provider=self.name,
            provider_reference=reference,
            expires_at=request.expires_at,
        )

    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> PaymentEvent:
        """Verify `X-Chatshop-Signature` (HMAC-SHA256, 300 s tolerance) and map the body."""
        signed_at = verify_signature(
            self._secret, headers, body, now=now, tolerance_seconds=self._tolerance
        )
        return parse_callback(self.name, body, signed_at=signed_at)

    async def refund(self, provider_reference: str, amount: Money | None = None) -> RefundResult:
        """The money sits with the merchant's own provider: they refund there, and may report it
        to us with a `refunded` callback."""
        raise NotSupported("refund this payment with your payment provider; we cannot")
