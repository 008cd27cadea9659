"""A buyer as the shop knows them: a chat identity with a language and a currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, BigInteger, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, utcnow

# How precisely the last-seen time is kept: a buyer's every update rewriting it would make every
# update a writing transaction (on SQLite, one taking the write lock) for a time nobody reads
# to the second.
LAST_SEEN_STEP = timedelta(minutes=10)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Telegram user ids exceed 2^31; other channels can add their own identity columns.
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    locale: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    # True once the buyer picked them, so a later Telegram language change does not override.
    locale_chosen: Mapped[bool] = mapped_column(default=False)
    currency_chosen: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Delivery details the buyer asked us to remember (`orders.delivery.DeliveryDetails`).
    delivery_details: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The country the buyer said they want delivery to (ISO alpha-2); None: not said yet.
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    # As Telegram last told us, so the shop's staff can see and reach who ordered.
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    username: Mapped[str | None] = mapped_column(String(64))


@dataclass(frozen=True, slots=True)
class Buyer:
    """What a handler needs to know of the person it is answering."""

    customer_id: int
    telegram_user_id: int
    locale: str
    currency: str
    # The delivery country the buyer chose, else the one their Telegram language suggests.
    country: str | None = None
    country_chosen: bool = False


async def identify_buyer(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    locale: str,
    currency: str,
    country: str | None = None,
    name: str | None = None,
    username: str | None = None,
) -> Buyer:
    """The buyer behind a Telegram user, created on first contact with the guessed preferences.

    `locale`, `currency` and `country` are the guesses from the client's language; they refresh
    an existing buyer's defaults unless the buyer chose their own. `name` and `username`, when
    given, are what Telegram shows of the user now (for the shop's order notices).
    """
    customer = await session.scalar(
        select(Customer).where(Customer.telegram_user_id == telegram_user_id)
    )
    if customer is None:
        customer = Customer(telegram_user_id=telegram_user_id, locale=locale, currency=currency)
        session.add(customer)
    else:
        if not customer.locale_chosen:
            customer.locale = locale
        if not customer.currency_chosen:
            customer.currency = currency
        now = utcnow()
        if now - customer.last_seen_at >= LAST_SEEN_STEP:
            customer.last_seen_at = now
    if name is not None:  # assigned only when changed, so an unchanged buyer is not written
        if customer.name != name[:200]:
            customer.name = name[:200]
        new_username = (username or None) and username[:64]
        if customer.username != new_username:
            customer.username = new_username
    await session.flush()
    return _buyer(customer, guessed_country=country)


def _buyer(customer: Customer, *, guessed_country: str | None = None) -> Buyer:
    chosen = customer.country
    return Buyer(
        customer.id,
        customer.telegram_user_id,
        customer.locale,
        customer.currency,
        country=chosen or guessed_country,
        country_chosen=chosen is not None,
    )


async def choose_country(session: AsyncSession, *, customer_id: int, country: str) -> None:
    """The country the buyer wants delivery to, remembered for the cart's delivery estimates."""
    customer = await session.get_one(Customer, customer_id)
    customer.country = country
    await session.flush()


async def choose_locale(session: AsyncSession, *, customer_id: int, locale: str) -> Buyer:
    """The buyer's own choice of language; kept even when their Telegram app's language changes."""
    customer = await session.get_one(Customer, customer_id)
    customer.locale = locale
    customer.locale_chosen = True
    await session.flush()
    return Buyer(customer.id, customer.telegram_user_id, customer.locale, customer.currency)


async def choose_currency(session: AsyncSession, *, customer_id: int, currency: str) -> Buyer:
    """The buyer's own choice of display currency, remembered from now on."""
    customer = await session.get_one(Customer, customer_id)
    customer.currency = currency
    customer.currency_chosen = True
    await session.flush()
    return Buyer(customer.id, customer.telegram_user_id, customer.locale, customer.currency)


async def stored_locale(session: AsyncSession, *, telegram_user_id: int) -> str | None:
    """The language a buyer reads (chosen or guessed), without touching anything else."""
    return await session.scalar(
        select(Customer.locale).where(Customer.telegram_user_id == telegram_user_id)
    )
