"""The web app over the real PTB Application (offline Bot API), a placed order, providers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.app import CONTEXT_TYPES
from bot.context import ShopContext
from bot.database import SessionFactory, transaction
from bot.processor import PerChatUpdateProcessor
from bot.services import Services
from bot.settings import Settings
from bot.web.app import create_web_app
from db import utcnow
from handlers import payment_updates
from inbox.telegram import start_inbox
from merchants.payment_providers import PaymentDirectory
from merchants.secrets import SecretBox
from orders import cart
from orders.placement import place_orders
from payments import CheckoutLink, Provider, SandboxProvider, open_checkout
from payments.checkout_links import checkout_request_for
from tests.orders.factories import make_customer, quoter, ready_draft, seed_shop

# The Stripe stand-in and the provider pointed at it, shared with the payments tests.
from tests.payments.conftest import (  # noqa: F401 - pytest finds fixtures by name
    _no_stripe_telemetry,
    standin,
    stripe_checkout,
)
from tests.payments.factories import SANDBOX_SECRET, SECRET_KEY
from tests.web.fake_bot_api import FakeBotApi

TELEGRAM_SECRET = "telegram-secret_0123"
BASE_URL = "http://testserver"
BUYER_ID = 5005


@dataclass
class Harness:
    client: httpx.AsyncClient
    api: FakeBotApi
    application: Application[Any, Any, Any, Any, Any, Any]
    sessions: SessionFactory
    sandbox: SandboxProvider
    seen_updates: list[Update]
    directory: PaymentDirectory


@pytest.fixture
def sandbox() -> SandboxProvider:
    return SandboxProvider(SANDBOX_SECRET, BASE_URL)


@pytest.fixture
async def harness(sessions: SessionFactory, sandbox: SandboxProvider) -> AsyncIterator[Harness]:
    """The web app in front of a running Application whose Bot API is `FakeBotApi`.

    Tests plug more providers into `harness.directory` (it is read at each request).
    """
    api = FakeBotApi()
    application = (
        ApplicationBuilder()
        .token("123456:test-token-not-for-telegram-0000")
        .request(api)
        .get_updates_request(FakeBotApi())
        .updater(None)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor())
        .build()
    )
    settings = Settings(_env_file=None, public_url=BASE_URL)
    application.bot_data.services = Services(settings=settings, sessions=sessions)
    seen: list[Update] = []

    async def record(update: Update, context: ShopContext) -> None:
        seen.append(update)

    application.add_handler(TypeHandler(Update, record))
    application.add_handlers(payment_updates.handlers())
    directory = PaymentDirectory(sandbox=sandbox, secrets=SecretBox.from_keys(SECRET_KEY))
    web: Starlette = create_web_app(
        application.bot_data.services,
        application,
        payments=directory,
        webhook_secret=TELEGRAM_SECRET,
    )
    transport = httpx.ASGITransport(app=web)
    async with application:
        await application.start()
        inbox = start_inbox(application)  # Telegram's updates are processed from the inbox
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield Harness(client, api, application, sessions, sandbox, seen, directory)
        await inbox.stop()
        await application.stop()


async def place_order(sessions: SessionFactory, *, locale: str = "en") -> str:
    """A buyer's order of one red mug (USD 11.00) delivered to Germany; returns its number."""
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        buyer = await make_customer(session, BUYER_ID, locale=locale, currency="USD")
        await cart.add_to_cart(session, customer_id=buyer, variant_id=shop.mug_red)
        result = await place_orders(
            session,
            customer_id=buyer,
            draft=ready_draft(),
            buyer_currency="USD",
            quoter=quoter(utcnow()),
            now=utcnow(),
            ttl=timedelta(minutes=30),
        )
    (order,) = result.orders
    return order.number


async def open_order_checkout(
    sessions: SessionFactory, provider: Provider, number: str, *, locale: str = "en"
) -> CheckoutLink:
    async with transaction(sessions) as session:
        request = await checkout_request_for(
            session, number=number, locale=locale, public_url=BASE_URL
        )
    return await open_checkout(sessions, provider, request, now=utcnow())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """stripe 16's HTTPXClient posts with `data=<str>`, which httpx 0.28 deprecates; not ours."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning"
                )
            )
