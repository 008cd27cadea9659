"""A paid order's receipt as its buyer's browser shows it, in every shipped language.

The receipt route is served by uvicorn on loopback and opened in Debian's headless Chromium
(skipped, with the reason, where the browser is missing; `.ci/install-browser` installs it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update
from starlette.applications import Starlette

from bot.database import SessionFactory, transaction
from bot.services import Services
from bot.settings import Settings
from bot.web.local_server import loopback_socket, serve_on_loopback, url_of
from bot.web.receipts import receipt_route, receipt_url
from i18n import SHIPPED_LOCALES, translator
from orders.customers import Customer
from orders.lifecycle import record_payment
from orders.models import ActorKind
from orders.status import Actor
from tests.orders.factories import NOW, alice_and_bob
from tests.web.browser import chromium, missing_browser, open_page

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),  # one Chromium for the module, on one test process
    pytest.mark.skipif(missing_browser() is not None, reason=missing_browser() or ""),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


async def test_the_receipt_reads_right_in_every_language(
    sessions: SessionFactory, browser: WebDriver
) -> None:
    _teapot, alice, _bob, orders = await alice_and_bob(sessions)
    order = orders[0]
    async with transaction(sessions) as session:
        await record_payment(
            session, number=order.number, actor=Actor(ActorKind.PROVIDER, "sandbox"), now=NOW
        )
    sock = loopback_socket()
    settings = Settings(
        _env_file=None, public_url=url_of(sock), telegram_token="123456:receipt-test-token-00000"
    )
    services = Services(settings=settings, sessions=sessions)
    url = receipt_url(services, order_id=order.order_id, customer_id=alice)
    async with serve_on_loopback(Starlette(routes=[receipt_route(services)]), sock):
        for locale in SHIPPED_LOCALES:
            async with transaction(sessions) as session:
                await session.execute(
                    update(Customer).where(Customer.id == alice).values(locale=locale)
                )
            page = await asyncio.to_thread(open_page, browser, url)
            t = translator(locale)
            assert page.lang == locale
            assert page.direction == ("rtl" if locale == "ar" else "ltr")
            assert t.gettext("Receipt for order {number}").format(number=order.number) in (
                page.heading + page.text
            )
            assert "Ceramic mug" in page.text
        forged = await asyncio.to_thread(open_page_status, browser, url[:-4] + "AAAA")
        assert "Ceramic mug" not in forged


def open_page_status(driver: WebDriver, url: str) -> str:
    """The body text of a page that may have no heading (the 404)."""
    from selenium.webdriver.common.by import By

    driver.get(url)
    return str(driver.find_element(By.TAG_NAME, "body").text)
