"""/currency and /language record only what the shop can show, and remember it."""

from __future__ import annotations

import pytest

from bot.database import SessionFactory, transaction
from catalog.merchants import create_merchant
from money.locale_currency import CurrencyNotFound
from orders.customers import Buyer, identify_buyer
from preferences.choices import NotOffered, currency_choices, set_currency, set_language


async def _buyer(sessions: SessionFactory, locale: str = "en", currency: str = "USD") -> Buyer:
    async with transaction(sessions) as session:
        await create_merchant(session, slug="lotus", name="Lotus", currency="CNY")
        return await identify_buyer(session, telegram_user_id=7, locale=locale, currency=currency)


async def test_menu_offers_the_buyers_own_then_local_and_merchant_currencies(
    sessions: SessionFactory,
) -> None:
    buyer = await _buyer(sessions, locale="pt_BR", currency="USD")
    async with transaction(sessions) as session:
        choices = await currency_choices(session, buyer)
    assert choices.current == "USD"
    assert choices.codes[:3] == ("USD", "BRL", "CNY")


@pytest.mark.parametrize("typed", ["yen", "jpy", "Japanese yen", "¥"])
async def test_typed_currency_is_found_fuzzily(sessions: SessionFactory, typed: str) -> None:
    buyer = await _buyer(sessions)
    async with transaction(sessions) as session:
        choices = await currency_choices(session, buyer, typed)
    assert "JPY" in choices.codes


@pytest.mark.parametrize("typed", ["zzqx", "DEM", "💸💸", "x" * 500])
async def test_garbage_currency_is_not_found(sessions: SessionFactory, typed: str) -> None:
    buyer = await _buyer(sessions)
    async with transaction(sessions) as session:
        with pytest.raises(CurrencyNotFound):
            await currency_choices(session, buyer, typed)


async def test_chosen_currency_survives_the_next_guess(sessions: SessionFactory) -> None:
    buyer = await _buyer(sessions)
    async with transaction(sessions) as session:
        await set_currency(session, buyer, "JPY")
    async with transaction(sessions) as session:
        again = await identify_buyer(session, telegram_user_id=7, locale="en", currency="USD")
    assert again.currency == "JPY"


async def test_chosen_language_survives_the_next_guess(sessions: SessionFactory) -> None:
    buyer = await _buyer(sessions)
    async with transaction(sessions) as session:
        await set_language(session, buyer, "ar")
    async with transaction(sessions) as session:
        again = await identify_buyer(session, telegram_user_id=7, locale="en", currency="USD")
    assert again.locale == "ar"


@pytest.mark.parametrize("code", ["XXX", "usd", "'; DROP TABLE customers; --"])
async def test_a_currency_without_a_rate_is_refused_and_nothing_changes(
    sessions: SessionFactory, code: str
) -> None:
    buyer = await _buyer(sessions)
    async with transaction(sessions) as session:
        with pytest.raises(NotOffered):
            await set_currency(session, buyer, code)
    async with transaction(sessions) as session:
        again = await identify_buyer(session, telegram_user_id=7, locale="en", currency="EUR")
    assert again.currency == "EUR"  # not chosen, so the guess still applies


@pytest.mark.parametrize("locale", ["ja", "xx", "en_US", ""])
async def test_a_language_we_do_not_ship_is_refused(sessions: SessionFactory, locale: str) -> None:
    buyer = await _buyer(sessions)
    async with transaction(sessions) as session:
        with pytest.raises(NotOffered):
            await set_language(session, buyer, locale)
