"""Reading and changing a merchant's settings; secrets go in, never come back out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from merchants.models import MerchantSettings
from merchants.secrets import SECRET_FIELDS, SecretBox, open_values, seal_values
from money.conversion import ConversionPolicy, charge_currency_of, price_ending_of
from payments import MerchantPaymentSettings, ProviderKind

# The payment settings each provider kind takes; the secret ones are never shown again.
PAYMENT_FIELDS: Final = {
    ProviderKind.STRIPE: ("stripe_api_key", "stripe_webhook_secret"),
    ProviderKind.PAYMENT_LINK: ("url_template", "callback_secret"),
    ProviderKind.SANDBOX: (),
}
LANGUAGE_MAX = 16


class SettingsError(ValueError):
    """A setting the merchant gave is not acceptable; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Shop:
    """A merchant with its settings, read together."""

    merchant: Merchant
    settings: MerchantSettings

    @property
    def language(self) -> str:
        return self.settings.language or self.merchant.language


async def settings_of(session: AsyncSession, merchant_id: int) -> MerchantSettings:
    """The merchant's settings row, created with the defaults the first time it is asked for."""
    row = await session.get(MerchantSettings, merchant_id)
    if row is None:
        row = MerchantSettings(
            merchant_id=merchant_id, fx_margin_percent="0", charge_currency="buyer",
            payment_config={},
        )  # fmt: skip
        session.add(row)
        await session.flush()
    return row


async def shop_by_slug(session: AsyncSession, slug: str) -> Shop | None:
    merchant = await session.scalar(select(Merchant).where(Merchant.slug == slug))
    if merchant is None:
        return None
    return Shop(merchant, await settings_of(session, merchant.id))


async def shop_of(session: AsyncSession, merchant_id: int) -> Shop | None:
    merchant = await session.get(Merchant, merchant_id)
    if merchant is None:
        return None
    return Shop(merchant, await settings_of(session, merchant.id))


async def shop_for_chat(session: AsyncSession, chat_id: int) -> Shop | None:
    """The merchant whose notices go to `chat_id`: the only one that chat may act for."""
    row = await session.scalar(
        select(MerchantSettings).where(MerchantSettings.notify_chat_id == chat_id)
    )
    if row is None:
        return None
    merchant = await session.get(Merchant, row.merchant_id)
    return Shop(merchant, row) if merchant is not None else None


def conversion_policy(settings: MerchantSettings) -> ConversionPolicy:
    """The merchant's FX policy as `money.conversion` takes it."""
    return settings.conversion_policy()


def payment_settings(shop: Shop, box: SecretBox | None) -> MerchantPaymentSettings | None:
    """What `payments.build_provider` takes (secrets opened with `box`), or None when the
    merchant chose no provider. Raises `merchants.secrets.SecretKeyError` for a sealed secret
    without a key."""
    settings = shop.settings
    if not settings.payment_provider:
        return None
    config = open_values(settings.payment_config or {}, box)
    return MerchantPaymentSettings(
        merchant_id=shop.merchant.slug,
        kind=ProviderKind(settings.payment_provider),
        **{name: config.get(name) for fields in PAYMENT_FIELDS.values() for name in fields},
    )


def change_settings(
    settings: MerchantSettings,
    *,
    language: str | None = None,
    fx_margin_percent: str | None = None,
    price_ending: str | None = None,
    charge_currency: str | None = None,
    notify_chat_id: int | None = None,
    digest_hour: int | None = None,
) -> None:
    """Applies the given values (None: leave as is) after checking them all first."""
    margin = settings.fx_margin_percent
    if fx_margin_percent is not None:
        margin = _margin(fx_margin_percent)
    ending = settings.price_ending
    if price_ending is not None:
        ending = None if price_ending in ("", "none") else price_ending
    charge = charge_currency if charge_currency is not None else settings.charge_currency
    try:
        ConversionPolicy(
            margin_percent=Decimal(margin),
            price_ending=price_ending_of(ending),
            charge_currency=charge_currency_of(charge),
        )
    except ValueError as error:
        raise SettingsError(str(error)) from None
    if digest_hour is not None and not 0 <= digest_hour <= 23:
        raise SettingsError("the digest hour must be 0..23 (UTC)")
    if language is not None and not 0 < len(language) <= LANGUAGE_MAX:
        raise SettingsError(f"language must be 1..{LANGUAGE_MAX} characters")
    settings.fx_margin_percent, settings.price_ending, settings.charge_currency = (
        margin, ending, charge,
    )  # fmt: skip
    if language is not None:
        settings.language = language
    if notify_chat_id is not None:
        settings.notify_chat_id = notify_chat_id
    if digest_hour is not None:
        settings.digest_hour = digest_hour


def _margin(text: str) -> str:
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise SettingsError(f"FX margin {text!r} is not a number such as 2.5") from None
    if not value.is_finite() or not Decimal(0) <= value < 100:
        raise SettingsError("FX margin must be at least 0 and below 100 (percent)")
    return str(value)


def set_payment(
    settings: MerchantSettings,
    kind: str | None,
    values: dict[str, str],
    box: SecretBox | None = None,
) -> None:
    """Chooses the provider and stores its values (only the ones that kind takes), secrets
    sealed with `box` (`SecretKeyError` when a secret comes without one)."""
    if kind in (None, "", "none"):
        settings.payment_provider, settings.payment_config = None, {}
        return
    try:
        provider = ProviderKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in ProviderKind)
        raise SettingsError(f"payment provider must be one of {choices}") from None
    unknown = set(values) - set(PAYMENT_FIELDS[provider])
    if unknown:
        raise SettingsError(f"{provider.value} takes no {', '.join(sorted(unknown))}")
    kept = dict(settings.payment_config or {}) if settings.payment_provider == provider else {}
    kept.update(seal_values({name: value for name, value in values.items() if value}, box))
    settings.payment_provider, settings.payment_config = provider.value, kept


def describe(shop: Shop, staff: list[int]) -> dict[str, Any]:
    """The settings as shown to people (CLI, chat): every secret reads "set" or "not set"."""
    settings = shop.settings
    config = settings.payment_config or {}
    payment: dict[str, str] = {}
    if settings.payment_provider:
        for name in PAYMENT_FIELDS[ProviderKind(settings.payment_provider)]:
            if name in SECRET_FIELDS:
                payment[name] = "set" if config.get(name) else "not set"
            else:
                payment[name] = str(config.get(name) or "not set")
    return {
        "slug": shop.merchant.slug,
        "name": shop.merchant.name,
        "currency": shop.merchant.currency,
        "language": shop.language,
        "notify_chat_id": settings.notify_chat_id,
        "staff": staff,
        "fx_margin_percent": settings.fx_margin_percent,
        "price_ending": settings.price_ending,
        "charge_currency": settings.charge_currency,
        "digest_hour_utc": settings.digest_hour,
        "payment_provider": settings.payment_provider,
        "payment": payment,
    }
