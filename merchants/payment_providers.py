"""Which payment provider serves a merchant: its own stored choice, else the platform's default.

A merchant picks its provider with `chatshop merchant edit --payment-provider ...` (stored in
`merchants.models.MerchantSettings`). The Pay button asks for the provider of the order's
merchant; a payment webhook asks for the provider named by its URL, never by its payload.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from merchants.models import MerchantSettings
from merchants.secrets import SecretBox, SecretKeyError
from merchants.settings import Shop, payment_settings
from payments import (
    MerchantPaymentSettings,
    Provider,
    ProviderConfigError,
    ProviderKind,
    SandboxProvider,
    build_provider,
)

log = logging.getLogger(__name__)


@dataclass
class _Built:
    """A merchant's provider as built from one version of its settings (None: misconfigured)."""

    fingerprint: str
    provider: Provider | None


@dataclass
class PaymentDirectory:
    """The providers this server holds, closed at shutdown.

    `stripe` is the platform's own Stripe account and serves every merchant that chose Stripe
    without keys of its own; `sandbox` serves those that chose the sandbox. A merchant's own
    Stripe account or payment link is built from its stored settings (secrets opened with
    `secrets`) the first time it is needed, kept per merchant, and rebuilt when the settings
    change (the cache is keyed by a fingerprint of them). A merchant with no stored choice gets
    `for_buyers()`.
    """

    sandbox: SandboxProvider | None = None
    stripe: Provider | None = None
    public_base_url: str = ""
    secrets: SecretBox | None = None
    stripe_api_base: str | None = None
    _built: dict[str, _Built] = field(default_factory=dict, repr=False)
    _retired: list[Provider] = field(default_factory=list, repr=False)

    async def stripe_for(self, session: AsyncSession, merchant: str) -> Provider | None:
        """Whose secret verifies `/payments/stripe/<merchant>`: the merchant's own Stripe
        account when it has one (an event signed by the platform's is then refused), else the
        platform's."""
        row = await session.scalar(select(Merchant).where(Merchant.slug == merchant))
        settings = await _stored_choice(session, row, self.secrets) if row is not None else None
        if settings is not None and settings.kind is ProviderKind.STRIPE and _own_stripe(settings):
            return self._merchant_own(settings)
        return self.stripe

    def for_buyers(self) -> Provider | None:
        """The default for merchants without a choice: Stripe when configured, else the sandbox."""
        return self.stripe or self.sandbox

    async def for_merchant(self, session: AsyncSession, merchant_id: int) -> Provider | None:
        """The provider the Pay button uses for an order of `merchant_id`.

        None when the merchant's choice is not available on this server or its settings are
        wrong (logged): the buyer is told payments are not set up, never sent elsewhere.
        """
        merchant = await session.get(Merchant, merchant_id)
        if merchant is None:
            return None
        settings = await _stored_choice(session, merchant, self.secrets)
        if settings is None:
            return self.for_buyers()
        return self._provider_for(settings)

    async def took_payment(
        self, session: AsyncSession, merchant_id: int, provider_name: str
    ) -> Provider | None:
        """The provider a payment recorded under `provider_name` was taken by, to refund it.

        The money sits in the account that took it, whatever the merchant uses now: a payment
        taken with the platform's Stripe key (`stripe`) is refunded with that key even after the
        merchant set keys of its own (`stripe:<slug>`), and the other way round. None when that
        account is not on this server any more (the merchant replaced its own keys, or its
        payment link: the refund must then happen there).
        """
        for shared in (self.stripe, self.sandbox):
            if shared is not None and shared.name == provider_name:
                return shared
        merchant = await session.get(Merchant, merchant_id)
        if merchant is None:
            return None
        settings = await _stored_choice(session, merchant, self.secrets)
        if settings is None or settings.kind is ProviderKind.SANDBOX:
            return None
        own = self._merchant_own(settings) if _is_own(settings) else None
        return own if own is not None and own.name == provider_name else None

    async def link_for(self, session: AsyncSession, merchant: str) -> Provider | None:
        """The payment-link provider of the shop with slug `merchant`; None unless it has one."""
        row = await session.scalar(select(Merchant).where(Merchant.slug == merchant))
        settings = await _stored_choice(session, row, self.secrets) if row is not None else None
        if settings is None or settings.kind is not ProviderKind.PAYMENT_LINK:
            return None
        return self._provider_for(settings)

    def _provider_for(self, settings: MerchantPaymentSettings) -> Provider | None:
        if settings.kind is ProviderKind.STRIPE and _own_stripe(settings):
            return self._merchant_own(settings)  # the merchant's money to its own account
        if settings.kind is ProviderKind.STRIPE:
            if self.stripe is None:
                log.warning("merchant %s chose Stripe; this server has none", settings.merchant_id)
            return self.stripe
        if settings.kind is ProviderKind.SANDBOX:
            if self.sandbox is None:
                log.warning("merchant %s chose the sandbox; it is off", settings.merchant_id)
            return self.sandbox
        return self._merchant_own(settings)

    def _merchant_own(self, settings: MerchantPaymentSettings) -> Provider | None:
        """Built once per version of the settings; a misconfiguration is logged once, too."""
        fingerprint = _fingerprint(settings)
        cached = self._built.get(settings.merchant_id)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached.provider
        try:
            provider: Provider | None = build_provider(
                settings, public_base_url=self.public_base_url,
                stripe_api_base=self.stripe_api_base,
            )  # fmt: skip
        except ProviderConfigError as error:
            log.warning("merchant %s: payment settings unusable: %s", settings.merchant_id, error)
            provider = None
        # A request may still be using the replaced provider: closed at shutdown, not now.
        if cached is not None and cached.provider is not None:
            self._retired.append(cached.provider)
        self._built[settings.merchant_id] = _Built(fingerprint, provider)
        return provider

    async def aclose(self) -> None:
        built = [entry.provider for entry in self._built.values()] + self._retired
        self._built.clear()
        self._retired = []
        for provider in (self.sandbox, self.stripe, *built):
            if provider is not None:
                await provider.aclose()


def _is_own(settings: MerchantPaymentSettings) -> bool:
    """Built from the merchant's own settings (its Stripe account or its payment link)."""
    return settings.kind is ProviderKind.PAYMENT_LINK or _own_stripe(settings)


def _own_stripe(settings: MerchantPaymentSettings) -> bool:
    """The merchant set Stripe keys of its own (both are needed; one alone is misconfigured)."""
    return bool(settings.stripe_api_key or settings.stripe_webhook_secret)


async def _stored_choice(
    session: AsyncSession, merchant: Merchant, box: SecretBox | None
) -> MerchantPaymentSettings | None:
    """The merchant's stored payment settings, None when it chose none (or has no settings row).

    Reads the row itself rather than through `merchants.settings.settings_of`, which would create
    it: asking which provider serves a shop must not write.
    """
    row = await session.get(MerchantSettings, merchant.id)
    if row is None:
        return None
    try:
        return payment_settings(Shop(merchant, row), box)
    except SecretKeyError as error:  # checked at start; a key changed under a running worker
        log.warning("merchant %s: payment secrets unreadable: %s", merchant.slug, error)
        return None
    except ValueError:  # a provider kind this code does not know (stored by a newer version?)
        log.warning("merchant %s: unknown payment provider %r", merchant.slug,
                    row.payment_provider)  # fmt: skip
        return None


def _fingerprint(settings: MerchantPaymentSettings) -> str:
    """A digest of every setting, secrets included, so changing any of them rebuilds."""
    text = json.dumps(asdict(settings), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
