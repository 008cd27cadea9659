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
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_application
from bot.database import session_factory
from bot.demo.seed import seed_demo_catalog
from bot.runner import polling
from bot.services import Services
from bot.settings import DEMO_TOKEN, load_settings
from bot.standin.driver import Chat, Message, User
from bot.standin.server import StandIn

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


@asynccontextmanager
async def bot_running(standin: StandIn, services: Services) -> AsyncIterator[None]:
    """One bot process: the real Application polling the stand-in until the block ends."""
    application = build_application(services, token=DEMO_TOKEN, api_url=standin.api_url)
    async with polling(application):
        yield


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
