"""Which languages and currencies a buyer may pick, and recording the pick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from i18n import SHIPPED_LOCALES
from money.locale_currency import (
    CurrencyNotFound,
    find_currency,
    guess_currency,
    likely_currencies,
    nearest_currency,
    territory_of,
)
from money.rate_store import latest_rates
from orders.customers import Buyer, choose_currency, choose_locale
from storefront.pricing import buyer_pricing


class NotOffered(ValueError):
    """A language or currency the shop cannot show (forged button, or no exchange rate)."""


@dataclass(frozen=True, slots=True)
class CurrencyChoices:
    """What /currency shows: the likely currencies first, or the matches of what was typed."""

    current: str
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShownCurrency:
    """The currency prices are really shown in, and the buyer's own when it has no rate."""

    shown: str
    missing: str | None  # the buyer's country's currency, when the bot cannot convert to it
    offers: tuple[str, ...]  # buttons: the shown one and the nearest others with a rate


async def shown_currency(
    session: AsyncSession,
    buyer: Buyer,
    *,
    language_code: str | None,
    default: str,
    max_rate_age: timedelta,
    now: datetime,
) -> ShownCurrency:
    """What the greeting names: never a currency the prices are not in."""
    pricing = await buyer_pricing(
        session, currency=buyer.currency, max_rate_age=max_rate_age, now=now
    )
    available = await priceable_currencies(session)
    wanted = guess_currency(language_code, default)
    for candidate in (pricing.wanted, wanted):
        if candidate != pricing.currency and candidate not in available:
            nearest = nearest_currency(territory_of(language_code), available, default)
            offers = likely_currencies(
                buyer.locale, [nearest], current=pricing.currency, available=available, limit=3
            )
            return ShownCurrency(pricing.currency, candidate, tuple(offers))
    return ShownCurrency(pricing.currency, None, ())


async def priceable_currencies(session: AsyncSession) -> frozenset[str]:
    """Currencies we can convert into: those with a rate, plus every merchant's own."""
    rates = await latest_rates(session)
    merchants = await merchant_currencies(session)
    return (rates.currencies if rates else frozenset()) | frozenset(merchants)


async def merchant_currencies(session: AsyncSession) -> list[str]:
    return list(
        await session.scalars(select(Merchant.currency).distinct().order_by(Merchant.currency))
    )


async def currency_choices(session: AsyncSession, buyer: Buyer, typed: str = "") -> CurrencyChoices:
    """Buttons for /currency. With `typed` ("yen", "¥", "Japanese yen"), its matches instead.

    Raises `CurrencyNotFound` when what was typed names no currency we can price in.
    """
    available = await priceable_currencies(session)
    if typed.strip():
        codes = [code for code in find_currency(typed, buyer.locale) if code in available]
        if not codes:
            raise CurrencyNotFound(typed)
    else:
        codes = likely_currencies(
            buyer.locale,
            await merchant_currencies(session),
            current=buyer.currency,
            available=available,
        )
    return CurrencyChoices(buyer.currency, tuple(codes))


async def set_currency(session: AsyncSession, buyer: Buyer, code: str) -> Buyer:
    if code not in await priceable_currencies(session):
        raise NotOffered(code)
    return await choose_currency(session, customer_id=buyer.customer_id, currency=code)


async def set_language(session: AsyncSession, buyer: Buyer, locale: str) -> Buyer:
    if locale not in SHIPPED_LOCALES:
        raise NotOffered(locale)
    return await choose_locale(session, customer_id=buyer.customer_id, locale=locale)
