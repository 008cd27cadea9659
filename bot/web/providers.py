"""Which payment provider serves a merchant: looked up by the webhook's URL, never its payload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.settings import Settings
from payments import PaymentLinkProvider, Provider, SandboxProvider, StripeCheckout


@dataclass
class PaymentDirectory:
    """The providers this server holds, built once at start and closed at shutdown.

    `stripe` is the platform's own Stripe account and serves every merchant; `links` maps a
    merchant slug to that merchant's payment-link provider (merchants' own settings are not
    stored yet, so only code and tests fill it).
    """

    sandbox: SandboxProvider | None = None
    stripe: Provider | None = None
    links: Mapping[str, PaymentLinkProvider] = field(default_factory=dict)

    def stripe_for(self, merchant: str) -> Provider | None:
        return self.stripe

    def link_for(self, merchant: str) -> Provider | None:
        return self.links.get(merchant)

    def for_buyers(self) -> Provider | None:
        """The provider the Pay button uses: Stripe when configured, else the sandbox."""
        return self.stripe or self.sandbox

    async def aclose(self) -> None:
        for provider in (self.sandbox, self.stripe, *self.links.values()):
            if provider is not None:
                await provider.aclose()


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
    return PaymentDirectory(sandbox=sandbox, stripe=stripe_provider)
