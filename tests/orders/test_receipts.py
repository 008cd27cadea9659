"""Receipts: only a paid order's receipt opens, and only with its buyer's link."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bot.database import SessionFactory, transaction
from conversation.views.receipt import receipt_page
from i18n import SHIPPED_LOCALES, translator
from orders.lifecycle import record_payment
from orders.models import ActorKind
from orders.receipts import find_receipt, receipt_key, receipt_token
from orders.status import Actor
from tests.orders.factories import NOW, alice_and_bob

KEY = receipt_key("123:TEST")


async def test_a_paid_orders_receipt_opens_with_its_link_only(sessions: SessionFactory) -> None:
    _teapot, alice, bob, orders = await alice_and_bob(sessions)
    order = orders[0]
    token = receipt_token(KEY, order_id=order.order_id, customer_id=alice)
    async with transaction(sessions) as session:  # not paid yet: no receipt
        assert await find_receipt(session, key=KEY, order_id=order.order_id, token=token) is None
    async with transaction(sessions) as session:
        await record_payment(
            session, number=order.number, actor=Actor(ActorKind.PROVIDER, "sandbox"), now=NOW
        )
    async with transaction(sessions) as session:
        found = await find_receipt(session, key=KEY, order_id=order.order_id, token=token)
        assert found is not None and found.order.number == order.number
        forged = receipt_token(KEY, order_id=order.order_id, customer_id=bob)
        assert await find_receipt(session, key=KEY, order_id=order.order_id, token=forged) is None
        other_key = receipt_token(
            receipt_key("another bot"), order_id=order.order_id, customer_id=alice
        )
        assert (
            await find_receipt(session, key=KEY, order_id=order.order_id, token=other_key) is None
        )
        assert await find_receipt(session, key=KEY, order_id=10**30, token=token) is None

    class Parsed(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.html_attrs: dict[str, str | None] = {}

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "html":
                self.html_attrs = dict(attrs)

    for locale in SHIPPED_LOCALES:
        t = translator(locale)
        page = receipt_page(t, found.order)
        parsed = Parsed()
        parsed.feed(page)
        assert parsed.html_attrs["dir"] == ("rtl" if locale == "ar" else "ltr")
        assert parsed.html_attrs["lang"] == locale
        assert order.number in page and "Ceramic mug" in page
        title = t.gettext("Receipt for order {number}").format(number=order.number)
        assert title in page and (locale == "en" or title != f"Receipt for order {order.number}")
        # The shop's currency and the buyer's differ here: the quoted rate is stated.
        assert found.order.fx_rate in page


@pytest.mark.parametrize("token", ["", "x" * 22, "../../etc/passwd"])
async def test_garbage_tokens_open_nothing(sessions: SessionFactory, token: str) -> None:
    _teapot, _alice, _bob, orders = await alice_and_bob(sessions)
    async with transaction(sessions) as session:
        found = await find_receipt(session, key=KEY, order_id=orders[0].order_id, token=token)
    assert found is None
