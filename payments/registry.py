"""Building a merchant's payment provider from its settings: one factory, no globals.

The composition root (`bot/`) loads a merchant's settings, calls `build_provider`, and keeps the
provider for the merchant's lifetime (close it with `aclose`). Which provider a webhook is for is
told by its URL (one path per merchant), never by the payload: the payload is untrusted until
that provider has verified it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from db import utcnow
from payments.base import Provider, ProviderConfigError
from payments.payment_link import PaymentLinkProvider
from payments.sandbox import SandboxProvider
from payments.stripe_checkout import StripeCheckout


class ProviderKind(StrEnum):
    STRIPE = "stripe"
    PAYMENT_LINK = "payment_link"
    SANDBOX = "sandbox"


@dataclass(frozen=True, slots=True)
class MerchantPaymentSettings:
    """What a merchant configures. Secrets are plain strings here; storing them encrypted is the
    settings owner's business."""

    merchant_id: str
    kind: ProviderKind
    stripe_api_key: str | None = None
    stripe_webhook_secret: str | None = None
    url_template: str | None = None
    callback_secret: str | None = None


def build_provider(
    settings: MerchantPaymentSettings,
    *,
    public_base_url: str,
    sandbox_secret: str | None = None,
    stripe_api_base: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Provider:
    """The merchant's provider; `ProviderConfigError` names the first missing or bad setting.

    `public_base_url` is the bot web server's address (the sandbox's page lives there);
    `stripe_api_base` points Stripe at a stand-in (tests, demo).
    """
    try:
        kind = ProviderKind(settings.kind)
    except ValueError as error:
        raise ProviderConfigError(f"unknown payment provider {settings.kind!r}") from error
    if kind is ProviderKind.STRIPE:
        api_key = _required(settings.stripe_api_key, "stripe_api_key")
        secret = _required(settings.stripe_webhook_secret, "stripe_webhook_secret")
        # The merchant's own account: its checkouts and events are recorded under its own name.
        return StripeCheckout(
            api_key, secret, api_base=stripe_api_base, clock=clock,
            name=f"stripe:{settings.merchant_id}",
        )  # fmt: skip
    if kind is ProviderKind.PAYMENT_LINK:
        return PaymentLinkProvider(
            _required(settings.url_template, "url_template"),
            _required(settings.callback_secret, "callback_secret"),
            # Event ids are chosen by each merchant's system: scope them per merchant.
            name=f"payment_link:{settings.merchant_id}",
        )
    return SandboxProvider(
        _required(sandbox_secret, "sandbox_secret"), public_base_url, clock=clock
    )


def _required(value: str | None, field: str) -> str:
    if not value:
        raise ProviderConfigError(f"payment settings lack {field}")
    return value
