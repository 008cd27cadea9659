"""End to end: the real PTB Application polling the Bot API stand-in over loopback HTTP.

Each test gets the demo catalog in its own database (SQLite, and PostgreSQL when configured),
the stand-in with the bot registered, and the bot running with long polling, exactly as
`chatshop run` runs it; the test plays Telegram users through the stand-in's driver.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.app import build_application
from bot.database import SessionFactory, session_factory
from bot.demo.seed import seed_demo_catalog
from bot.pending_work import watch_bot
from bot.runner import polling
from bot.services import Services
from bot.settings import DEMO_TOKEN, load_settings
from bot.standin.driver import Chat, Message, User
from bot.standin.server import StandIn
from conversation.views.merchant import render
from merchants.desk import owe_paid_notice
from orders.delivery import DeliveryDetails
from orders.lifecycle import record_payment
from orders.models import ActorKind, Order
from orders.status import Actor
from outbox import enqueue
from outbox.telegram import RunningSender, start_outbox_sender, stop_outbox_sender

ANSWER_TIMEOUT = 20


@dataclass
class Shop:
    standin: StandIn
    services: Services

    def buyer(self, name: str = "Ana", language_code: str | None = "en") -> User:
        return self.standin.user(name, language_code=language_code)

    async def say(self, user: User, text: str, chat: Chat | None = None) -> list[Message]:
        """Sends `text` and returns what the bot sent back into that chat."""
        chat = chat or user.chat
        before = len(chat.messages)
        await user.send(text, chat)
        await chat.wait_for(timeout=ANSWER_TIMEOUT)  # the first search builds the index
        await self.standin.settle()
        return [m for m in chat.messages[before:] if m.from_bot]

    async def press(self, user: User, message: Message, label: str) -> Message:
        """Presses the button whose text contains `label`; the bot's next message or edit."""
        for r, row in enumerate(message.buttons):
            for c, (text, _) in enumerate(row):
                if label in text:
                    await user.press(message, (r, c), timeout=15)
                    await self.standin.settle()
                    return user.chat.last or message
        raise AssertionError(f"no button {label!r} in {message.buttons}")


@asynccontextmanager
async def bot_running(standin: StandIn, services: Services) -> AsyncIterator[None]:
    """One bot process: the real Application polling the stand-in until the block ends."""
    application = build_application(services, token=DEMO_TOKEN, api_url=standin.api_url)
    unwatch = watch_bot(standin, services.sessions)
    try:
        async with polling(application):
            yield
    finally:
        unwatch()


@pytest.fixture
async def shop(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Shop]:
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(telegram_token=DEMO_TOKEN, fx_refresh_hours=0)
    services = Services(settings=settings, sessions=session_factory(engine))
    await seed_demo_catalog(services.sessions)
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN, username="chatshop_test_bot")
        async with bot_running(standin, services):
            yield Shop(standin, services)


@dataclass
class MerchantWorld:
    standin: StandIn
    sessions: SessionFactory
    sender: RunningSender
    mia: User  # the shop's admin and staff
    bob: User  # in the group, not staff
    ana: User  # a buyer
    group: Chat


@asynccontextmanager
async def merchant_world(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[MerchantWorld]:
    """The demo shops, the real bot routed as in production, a buyer and a shop's group."""
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(telegram_token=DEMO_TOKEN, fx_refresh_hours=0)
    services = Services(settings=settings, sessions=session_factory(engine))
    await seed_demo_catalog(services.sessions)
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN, username="chatshop_test_bot")
        application = build_application(services, token=DEMO_TOKEN, api_url=standin.api_url)
        mia = standin.user("Mia", language_code="en", username="mia")
        bob = standin.user("Bob", language_code="en")
        ana = standin.user("Ana", language_code="de")
        group = standin.group(
            "Northwind orders", members={mia: "administrator", bob: "member"},
            bot_status="administrator",
        )  # fmt: skip
        watch_bot(standin, services.sessions)  # gone with this stand-in
        async with polling(application):
            # The running sender polls every second; tests want their notices sooner.
            await stop_outbox_sender(application)
            sender = start_outbox_sender(application, poll_seconds=0.1)
            yield MerchantWorld(standin, services.sessions, sender, mia, bob, ana, group)


@pytest.fixture
async def world(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[MerchantWorld]:
    async with merchant_world(engine, monkeypatch) as running:
        yield running


ANNA_IN_BERLIN = DeliveryDetails("Anna Müller", "+49301234567", ("Hauptstraße 5",), "Berlin",
                                 "10115", "DE")  # fmt: skip


async def store_paid(session: AsyncSession, order: Order) -> None:
    """`order` stored and paid by its provider, its notice to the shop owed as the payment
    settlement owes it (the running sender delivers it once woken)."""
    session.add(order)
    await session.flush()
    await record_payment(session, number=order.number, actor=Actor(ActorKind.PROVIDER))
    notice = await owe_paid_notice(session, order_number=order.number)
    assert notice is not None
    await enqueue(session, dedupe_key=notice.dedupe_key, chat_id=notice.chat_id,
                  reply=render(notice))  # fmt: skip
