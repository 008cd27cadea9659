"""The order desk: paid notices for the right chat, staff-only presses, idempotent moves."""

from __future__ import annotations

import pytest

from bot.database import SessionFactory, transaction
from conversation.views.merchant import render
from merchants import desk
from merchants.desk import Action, BuyerNews, OrderNotice, Refusal
from money import Money
from money.formatting import format_money
from orders.errors import MissingTracking
from orders.models import OrderStatus
from tests.merchants.factories import (
    MUGS_CHAT,
    MUGS_STAFF,
    STRANGER,
    TEA_CHAT,
    TEA_STAFF,
    two_shops_with_paid_orders,
)


async def press(
    sessions: SessionFactory, order_id: int, action: Action, *, user: int = MUGS_STAFF,
    chat: int = MUGS_CHAT,
) -> desk.DeskResult:  # fmt: skip
    async with transaction(sessions) as session:
        return await desk.act(
            session, chat_id=chat, user_id=user, actor_name="Mia (@mia)", order_id=order_id,
            action=action, notice_message_id=99,
        )  # fmt: skip


async def test_each_paid_order_is_noticed_in_its_own_shops_chat(sessions: SessionFactory) -> None:
    shops = await two_shops_with_paid_orders(sessions)
    async with transaction(sessions) as session:
        mugs = await desk.owe_paid_notice(session, order_number=shops.orders["mugs"])
        tea = await desk.owe_paid_notice(session, order_number=shops.orders["tea"])
    assert mugs is not None and tea is not None
    assert (mugs.chat_id, tea.chat_id) == (MUGS_CHAT, TEA_CHAT)
    assert isinstance(mugs.content, OrderNotice) and isinstance(tea.content, OrderNotice)
    # Each in its merchant's currency, the buyer's beside, and nothing of the other shop.
    mugs_text, tea_text = render(mugs).text, render(tea).text
    assert format_money(mugs.content.total, "en") in mugs_text
    assert mugs.content.total.currency == "USD" and tea.content.total.currency == "CNY"
    assert format_money(mugs.content.buyer_total, "en") in mugs_text  # EUR beside
    assert "Ceramic mug" in mugs_text and "Clay teapot" not in mugs_text
    assert "Clay teapot" in tea_text and "Ceramic mug" not in tea_text
    assert "Anna Müller" in mugs_text and "10115 BERLIN" in mugs_text  # as the post prints it
    assert str(mugs.content.buyer_user_id) in mugs_text
    assert (mugs.locale, tea.locale) == ("en", "zh_Hans")  # each in its merchant's language
    assert format_money(tea.content.total, "zh_Hans") in tea_text
    assert [b.text for row in render(mugs).buttons for b in row] == [
        "✅ Accept",
        "↩️ Cancel and refund",
    ]


async def test_accepting_edits_the_notice_and_tells_the_buyer_once(
    sessions: SessionFactory,
) -> None:
    shops = await two_shops_with_paid_orders(sessions, locale="de")
    order_id = shops.order_ids["mugs"]

    first = await press(sessions, order_id, Action.ACCEPT)
    second = await press(sessions, order_id, Action.ACCEPT)

    assert first.changed and first.status == OrderStatus.ACCEPTED
    notice, buyer = first.owed
    assert (notice.chat_id, notice.edit_message_id) == (MUGS_CHAT, 99)
    assert isinstance(notice.content, OrderNotice) and notice.content.acted_by == "Mia (@mia)"
    assert "Mia (@mia)" in render(notice).text
    assert [b.text for row in render(notice).buttons for b in row] == [
        "🚚 Ship",
        "↩️ Cancel and refund",
    ]
    assert isinstance(buyer.content, BuyerNews) and buyer.locale == "de"
    assert shops.orders["mugs"] in render(buyer).text
    assert not second.changed and second.owed == ()


@pytest.mark.parametrize(
    ("user", "chat", "refusal"),
    [
        (STRANGER, MUGS_CHAT, Refusal.NOT_STAFF),
        (TEA_STAFF, TEA_CHAT, Refusal.NOT_FOUND),  # another shop's order, from its own chat
        (MUGS_STAFF, -999, Refusal.NOT_A_SHOP_CHAT),
    ],
)
async def test_only_the_shops_staff_in_its_chat_may_act(
    sessions: SessionFactory, user: int, chat: int, refusal: Refusal
) -> None:
    shops = await two_shops_with_paid_orders(sessions)
    with pytest.raises(desk.DeskRefused) as refused:
        await press(sessions, shops.order_ids["mugs"], Action.ACCEPT, user=user, chat=chat)
    assert refused.value.refusal is refusal
    again = await press(sessions, shops.order_ids["mugs"], Action.ACCEPT)
    assert again.changed  # the refused press changed nothing


async def test_shipping_asks_for_tracking_then_tells_the_buyer(sessions: SessionFactory) -> None:
    shops = await two_shops_with_paid_orders(sessions, locale="en")
    order_id = shops.order_ids["mugs"]
    with pytest.raises(desk.DeskRefused) as early:
        await press(sessions, order_id, Action.SHIP)  # not accepted yet
    assert early.value.refusal is Refusal.NOT_NOW
    await press(sessions, order_id, Action.ACCEPT)
    asked = await press(sessions, order_id, Action.SHIP)
    assert asked.ask_tracking and not asked.changed

    async with transaction(sessions) as session:
        shipped = await desk.ship(
            session, chat_id=MUGS_CHAT, user_id=MUGS_STAFF, actor_name="Mia", order_id=order_id,
            carrier="DHL", tracking="00340434161094042557", notice_message_id=None,
        )  # fmt: skip

    assert shipped.status == OrderStatus.SHIPPED
    [buyer] = shipped.owed  # the notice was never sent through the outbox: nothing to edit
    text = render(buyer).text
    assert "DHL" in text and "00340434161094042557" in text
    again = await press(sessions, order_id, Action.SHIP)
    assert not again.changed and not again.ask_tracking


def test_tracking_is_the_last_word_and_the_carrier_the_rest() -> None:
    assert desk.parse_tracking("  Royal Mail  RM123456GB ") == ("Royal Mail", "RM123456GB")
    for bad in ("", "RM123456GB", "x" * 70 + " 1"):
        with pytest.raises(MissingTracking):
            desk.parse_tracking(bad)


def test_money_in_a_notice_is_exact() -> None:
    assert Money.of("11.00", "USD").to_minor() == 1100
