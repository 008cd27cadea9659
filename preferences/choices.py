"""Which languages and currencies a buyer may pick, and recording the pick."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from i18n import SHIPPED_LOCALES
from money.locale_currency import CurrencyNotFound, find_currency, likely_currencies
from money.rate_store import latest_rates
from orders.customers import Buyer, choose_currency, choose_locale


class NotOffered(ValueError):
    """A language or currency the shop cannot show (forged button, or no exchange rate)."""


@dataclass(frozen=True, slots=True)
class CurrencyChoices:
    """What /currency shows: the likely currencies first, or the matches of what was typed."""

    current: str
    codes: tuple[str, ...]


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
