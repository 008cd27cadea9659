"""Forged or stale button payloads reach no storefront handler, or are refused; nothing changes.

The handlers are driven with a stand-in update and context (no network); `send` is captured.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

import handlers.browse
import handlers.cart
import handlers.search
from bot.database import SessionFactory, transaction
from conversation import callbacks
from conversation.reply import Reply
from handlers.routing import on
from i18n import translator
from orders.models import CartLine
from storefront import cart
from storefront.search_index import LiveSearchIndex
from tests.storefront.factories import MAX_AGE, make_buyer, seed_catalog


@pytest.mark.parametrize(
    "data",
    ["1:line:1:inc:x", "2:line:1:inc", "1:line:-1:inc", "1:line:٤٢:inc", "1:add:1", "", None,
     "1:" + "x" * 70],
)  # fmt: skip
def test_malformed_payloads_match_no_handler(data: str | None) -> None:
    assert not on("line", "add", "prod", "opt", "page")(data)


async def test_a_forged_line_and_a_forged_page_are_refused(
    sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with transaction(sessions) as session:
        catalog = await seed_catalog(session)
        alice = await make_buyer(session, 1)
        bob = await make_buyer(session, 2)
        await cart.add_variant(session, buyer=alice, variant_id=catalog.mug_variant, quantity=2)
    async with transaction(sessions) as session:
        alices_line = (await cart.show_cart(session, buyer=alice, max_rate_age=MAX_AGE)).lines[0]
    sent: list[Reply] = []

    async def capture(update: Any, context: Any, reply: Reply) -> None:
        sent.append(reply)

    for module in (handlers.cart, handlers.search, handlers.browse):
        monkeypatch.setattr(module, "send", capture)
    services = SimpleNamespace(
        sessions=sessions,
        search_index=LiveSearchIndex(),
        settings=SimpleNamespace(fx_max_age=MAX_AGE),
        media_dir=None,
    )
    context: Any = SimpleNamespace(services=services, buyer=bob, i18n=translator("en"))

    def press(payload: str) -> Any:
        return SimpleNamespace(callback_query=SimpleNamespace(data=payload))

    await handlers.cart.cart_button(
        press(callbacks.encode("line", alices_line.line_id, "del")), context
    )
    await handlers.cart.cart_button(press(callbacks.encode("pick", alices_line.line_id)), context)
    await handlers.search.page_button(press(callbacks.encode("page", "sForged", 1)), context)
    await handlers.browse.product_button(
        press(callbacks.encode("opt", catalog.shirt, "9-9", 1)), context
    )
    texts = [reply.text for reply in sent]
    assert texts[0] == "This item is no longer in your cart."
    assert all("expired" in text for text in texts[1:]) and len(texts) == 4
    async with transaction(sessions) as session:
        quantities = (await session.scalars(select(CartLine.quantity))).all()
    assert quantities == [2]
