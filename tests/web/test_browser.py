"""The sandbox's payment page in a real browser: the buyer pays, and the bot tells them in chat.

Headless Debian Chromium driven by Selenium opens the page the sandbox provider linked to,
served by uvicorn on loopback in front of the real PTB Application, which talks to the Bot API
stand-in. Skipped, with the reason, where Chromium, its driver or selenium is missing
(`.ci/install-browser` installs the browser).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.database import SessionFactory, transaction
from bot.runner import polling
from bot.services import Services
from bot.settings import DEMO_TOKEN, Settings
from bot.standin import StandIn, User
from bot.web.app import create_web_app
from bot.web.local_server import loopback_socket, serve_on_loopback, url_of
from db import utcnow
from handlers import payment_updates
from i18n import Translator, negotiate_locale, translator
from merchants.payment_providers import PaymentDirectory
from money import Money
from money.formatting import format_money
from orders import cart
from orders.customers import Customer
from orders.models import Order, OrderStatus
from orders.placement import place_orders
from payments import SandboxProvider, open_checkout
from payments.checkout_links import checkout_request_for
from tests.orders.factories import quoter, ready_draft, seed_shop
from tests.payments.factories import SANDBOX_SECRET
from tests.web.browser import (
    as_shown,
    button_label,
    chromium,
    click_and_wait,
    missing_browser,
    open_page,
)

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),  # one Chromium for the module, on one test process
    pytest.mark.skipif(missing_browser() is not None, reason=missing_browser() or ""),
]

TOTAL = Money.of("16.50", "USD")  # a red mug, 11.00, and delivery to Germany, 5.50
PAY_BUTTON = 'form[action$="/pay"] button'
WEBHOOK_SECRET = "browser-test-telegram-secret"
ANSWER_TIMEOUT = 20  # seconds the stand-in waits for the bot; a safety net, not an assertion


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One Chromium for the module, with a fresh profile."""
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@dataclass
class Shop:
    standin: StandIn
    sessions: SessionFactory
    sandbox: SandboxProvider
    base_url: str  # the web app's address: its pages link back to it


@pytest.fixture
async def shop(sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Shop]:
    """The web app on loopback, the bot polling the stand-in, the sandbox provider enabled."""
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    sock = loopback_socket()
    settings = Settings(
        _env_file=None,
        telegram_token=DEMO_TOKEN,
        fx_refresh_hours=0,
        public_url=url_of(sock),
        sandbox_secret=SANDBOX_SECRET,
    )
    sandbox = SandboxProvider(SANDBOX_SECRET, url_of(sock))
    services = Services(settings=settings, sessions=sessions)
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN, username="chatshop_test_bot")
        application = build_application(services, token=DEMO_TOKEN, api_url=standin.api_url)
        application.add_handlers(payment_updates.handlers())
        web = create_web_app(
            services,
            application,
            payments=PaymentDirectory(sandbox=sandbox),
            webhook_secret=WEBHOOK_SECRET,
        )
        async with polling(application), serve_on_loopback(web, sock):
            yield Shop(standin, sessions, sandbox, url_of(sock))


async def order_awaiting_payment(shop: Shop, buyer: User) -> tuple[str, str, str]:
    """The buyer's order of a red mug and its sandbox link: (number, buyer's locale, url)."""
    async with transaction(shop.sessions) as session:
        customer = await session.scalar(
            select(Customer).where(Customer.telegram_user_id == buyer.id)
        )
        assert customer is not None, "the bot has not met the buyer yet"
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
        locale = customer.locale
        request = await checkout_request_for(
            session, number=order.number, locale=locale, public_url=shop.base_url
        )
    link = await open_checkout(shop.sessions, shop.sandbox, request, now=utcnow())
    return order.number, locale, link.url


async def status_of(sessions: SessionFactory, number: str) -> OrderStatus:
    async with transaction(sessions) as session:
        status = await session.scalar(select(Order.status).where(Order.number == number))
    assert status is not None
    return OrderStatus(status)


def money(t: Translator, amount: Money) -> str:
    return as_shown(format_money(amount, t.locale))


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl")])
async def test_paying_in_the_browser_tells_the_buyer_in_their_language(
    shop: Shop, browser: WebDriver, language: str, direction: str
) -> None:
    buyer = shop.standin.user("Layla", language_code=language)
    await buyer.send("/start")
    await buyer.chat.wait_for(timeout=ANSWER_TIMEOUT)
    number, locale, url = await order_awaiting_payment(shop, buyer)
    t = translator(negotiate_locale(locale))

    shown = await asyncio.to_thread(open_page, browser, url)
    pay_label = await asyncio.to_thread(button_label, browser, PAY_BUTTON)
    done = await asyncio.to_thread(
        click_and_wait, browser, PAY_BUTTON, until=lambda current: current.endswith("/paid")
    )
    told = await buyer.chat.wait_for(
        lambda message: number in (message.text or ""), timeout=ANSWER_TIMEOUT
    )

    assert (shown.lang, shown.direction) == (language, direction)
    assert shown.heading == t.gettext("Pay for order {number}").format(number=number)
    assert money(t, TOTAL) in shown.text
    assert pay_label == t.gettext("Pay {amount}").format(amount=money(t, TOTAL))
    assert (done.lang, done.direction) == (language, direction)
    assert done.heading == t.gettext("Thank you!")
    assert t.gettext("Payment for order {number} received.").format(number=number) in done.text
    assert money(t, TOTAL) in as_shown(told.text or "")
    assert await status_of(shop.sessions, number) == OrderStatus.PAID
