"""Webhook mode end to end: `bot.serve.serve_webhook`, as `chatshop serve` runs it, against the
Bot API stand-in, which delivers updates by POSTing them to the bot's webhook over loopback.

The bot registers its webhook with the secret; /start and a search are delivered and answered;
a delivery without the right secret is refused with 403 and never reaches the bot; a sandbox
payment settles through the same server and the buyer hears of it in their chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import session_factory, transaction
from bot.demo.seed import seed_demo_catalog
from bot.serve import serve, serve_webhook
from bot.services import Services
from bot.settings import DEMO_TOKEN, Settings
from bot.standin import Message, StandIn, User
from bot.standin.state import World
from bot.web.telegram_webhook import PATH, SECRET_HEADER
from db import utcnow
from orders import cart
from orders.customers import Customer
from orders.models import Order, OrderStatus
from orders.placement import place_orders
from payments import SandboxProvider, open_checkout
from payments.checkout_links import checkout_request_for
from tests.orders.factories import quoter, ready_draft, seed_shop
from tests.payments.factories import SANDBOX_SECRET

pytestmark = pytest.mark.slow

SECRET = "webhook-secret_0123456789"
ANSWER_TIMEOUT = 20  # seconds; a safety net for slow machines, never an assertion


def free_loopback_port() -> int:
    """A port nothing listens on right now (the settings take a port, not a socket)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WebhookShop:
    standin: StandIn
    world: World  # the stand-in's view of our bot: its webhook, its pending updates
    services: Services
    public_url: str

    async def say(self, user: User, text: str) -> list[Message]:
        """Sends `text` and returns what the bot sent back into the user's chat."""
        before = len(user.chat.messages)
        await user.send(text)
        await user.chat.wait_for(timeout=ANSWER_TIMEOUT)
        await self.standin.settle()
        return [m for m in user.chat.messages[before:] if m.from_bot]


async def until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
async def shop(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WebhookShop]:
    """The demo catalog, the stand-in, and `serve_webhook` running until its webhook is set."""
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    port = free_loopback_port()
    public_url = f"http://127.0.0.1:{port}"
    async with StandIn.start() as standin:
        world = standin.add_bot(DEMO_TOKEN, username="chatshop_test_bot")
        settings = Settings(
            _env_file=None,
            telegram_token=DEMO_TOKEN,
            telegram_api_url=standin.api_url,
            public_url=public_url,
            webhook_secret=SECRET,
            web_host="127.0.0.1",
            web_port=port,
            sandbox_secret=SANDBOX_SECRET,
            fx_refresh_hours=0,
        )
        services = Services(settings=settings, sessions=session_factory(engine))
        await seed_demo_catalog(services.sessions)
        serving = asyncio.create_task(serve_webhook(services))

        def ready() -> bool:
            if serving.done():
                serving.result()  # re-raises why the server could not start
                raise AssertionError("serve_webhook returned before registering its webhook")
            return world.webhook is not None

        try:
            await until(ready, "the bot to register its webhook")
            yield WebhookShop(standin, world, services, public_url)
        finally:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving


async def test_the_bot_registers_its_webhook_with_the_secret(shop: WebhookShop) -> None:
    webhook = shop.world.webhook

    assert webhook is not None
    assert webhook.url == f"{shop.public_url}{PATH}"
    assert webhook.secret_token == SECRET


async def test_start_and_a_search_are_delivered_and_answered(shop: WebhookShop) -> None:
    buyer = shop.standin.user("Ana", language_code="en")

    [greeting] = await shop.say(buyer, "/start")
    [results] = await shop.say(buyer, "wireles headphnes")

    assert greeting.text is not None and greeting.text.startswith("Hi Ana!")
    assert results.text is not None and "Wireless" in results.text and "$" in results.text
    assert results.buttons, "each product gets a button"
    assert shop.world.webhook is not None and shop.world.webhook.last_error_message is None


@pytest.mark.parametrize("secret", [None, "wrong-secret", SECRET + "x"])
async def test_a_post_without_the_right_secret_is_forbidden(
    shop: WebhookShop, secret: str | None
) -> None:
    buyer = shop.standin.user("Ana")
    update = {
        "update_id": 999_999,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": buyer.id, "type": "private"},
            "from": {"id": buyer.id, "is_bot": False, "first_name": "Ana"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    headers = {} if secret is None else {SECRET_HEADER: secret}

    async with httpx.AsyncClient(base_url=shop.public_url, trust_env=False) as client:
        response = await client.post(PATH, json=update, headers=headers)
    await shop.standin.settle()

    assert response.status_code == 403
    assert buyer.chat.bot_messages == []


async def test_a_delivery_with_a_wrong_secret_gets_403_until_the_secret_is_right(
    shop: WebhookShop,
) -> None:
    webhook = shop.world.webhook
    assert webhook is not None
    webhook.secret_token = "someone-elses-secret"  # as if another bot's webhook pointed here
    buyer = shop.standin.user("Ana")

    await buyer.send("/start")
    await until(lambda: webhook.last_error_message is not None, "a refused delivery")
    refused = webhook.last_error_message
    answered_before_fix = list(buyer.chat.bot_messages)
    webhook.secret_token = SECRET
    shop.world.webhook_changed.set()  # the stand-in retries at once, as Telegram would later
    greeting = await buyer.chat.wait_for(timeout=ANSWER_TIMEOUT)

    assert refused is not None and "403" in refused
    assert answered_before_fix == []
    assert greeting.text is not None and greeting.text.startswith("Hi Ana!")


async def test_a_sandbox_payment_reaches_the_buyer_through_the_same_server(
    shop: WebhookShop,
) -> None:
    buyer = shop.standin.user("Ana")
    await shop.say(buyer, "/start")
    number, url = await sandbox_checkout(shop, buyer)

    async with httpx.AsyncClient(trust_env=False) as client:
        pressed = await client.post(f"{url}/pay")
    told = await buyer.chat.wait_for(lambda m: number in (m.text or ""), timeout=ANSWER_TIMEOUT)

    assert pressed.status_code == 303
    assert told.text is not None and "Thank you" in told.text
    async with transaction(shop.services.sessions) as session:
        status = await session.scalar(select(Order.status).where(Order.number == number))
    assert status == OrderStatus.PAID


async def test_chatshop_serve_opens_its_own_database_and_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve(settings)` whole, as the CLI calls it: the embedded SQLite migrates itself.

    SQLite only: PostgreSQL is migrated by the operator, and the tests above cover the rest.
    """
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    port = free_loopback_port()
    async with StandIn.start() as standin:
        world = standin.add_bot(DEMO_TOKEN, username="chatshop_test_bot")
        settings = Settings(
            _env_file=None,
            telegram_token=DEMO_TOKEN,
            telegram_api_url=standin.api_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite'}",
            public_url=f"http://127.0.0.1:{port}",
            webhook_secret=SECRET,
            web_port=port,
            fx_refresh_hours=0,
        )
        serving = asyncio.create_task(serve(settings))
        try:
            await until(lambda: world.webhook is not None or serving.done(), "the webhook")
            buyer = standin.user("Ana")
            await buyer.send("/start")
            greeting = await buyer.chat.wait_for(timeout=ANSWER_TIMEOUT)
        finally:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving

    assert greeting.text is not None and greeting.text.startswith("Hi Ana!")


async def sandbox_checkout(shop: WebhookShop, buyer: User) -> tuple[str, str]:
    """An order of a red mug for `buyer` and its sandbox payment page: (number, url)."""
    sessions = shop.services.sessions
    async with transaction(sessions) as session:
        customer = await session.scalar(
            select(Customer).where(Customer.telegram_user_id == buyer.id)
        )
        assert customer is not None
        catalog = await seed_shop(session)
        await cart.add_to_cart(session, customer_id=customer.id, variant_id=catalog.mug_red)
        placed = await place_orders(
            session,
            customer_id=customer.id,
            draft=ready_draft(),
            buyer_currency="USD",
            quoter=quoter(utcnow()),
            now=utcnow(),
            ttl=timedelta(minutes=30),
        )
        (order,) = placed.orders
        request = await checkout_request_for(
            session, number=order.number, locale=customer.locale, public_url=shop.public_url
        )
    # The same secret and address as the server's own sandbox: the same links.
    sandbox = SandboxProvider(SANDBOX_SECRET, shop.public_url)
    link = await open_checkout(sessions, sandbox, request, now=utcnow())
    return order.number, link.url
