"""Everything a handler may use, built once by `bootstrap()`, and the payment providers the
settings enable (`directory_from_settings`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.database import SessionFactory
from bot.settings import Settings
from merchants.payment_providers import PaymentDirectory
from merchants.secrets import SecretBox, box_from
from payments import SandboxProvider, StripeCheckout
from storefront.search_index import LiveSearchIndex

INDEX_CHILD = "bot.index_child"
# Where product photos given as relative paths live (the demo catalog's generated photos).
DEMO_MEDIA_DIR = Path(__file__).resolve().parent / "demo" / "photos"


@dataclass
class Services:
    settings: Settings
    sessions: SessionFactory
    # A large catalog's index is built by `python -m bot.index_child` (the worker stays small).
    search_index: LiveSearchIndex = field(
        default_factory=lambda: LiveSearchIndex(child=INDEX_CHILD)
    )
    media_dir: Path = DEMO_MEDIA_DIR  # product photos stored as paths are relative to this
    # The providers the Pay button and refunds use; None: this server takes no payments.
    payments: PaymentDirectory | None = None
    secrets: SecretBox | None = None  # seals and opens merchants' payment secrets


def directory_from_settings(settings: Settings) -> PaymentDirectory:
    """Sandbox when `CHATSHOP_SANDBOX_SECRET` is set, Stripe when its keys are."""
    base_url = settings.web_base_url
    sandbox = (
        SandboxProvider(settings.sandbox_secret, base_url) if settings.sandbox_secret else None
    )
    stripe_provider = None
    if settings.stripe_api_key and settings.stripe_webhook_secret:
        stripe_provider = StripeCheckout(
            settings.stripe_api_key,
            settings.stripe_webhook_secret,
            api_base=settings.stripe_api_base,
        )
    return PaymentDirectory(
        sandbox=sandbox,
        stripe=stripe_provider,
        public_base_url=base_url,
        secrets=box_from(settings.secret_key),
        stripe_api_base=settings.stripe_api_base,
    )
