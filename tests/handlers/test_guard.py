"""Buttons only where they belong: a buyer's in their private chat, a shop's in a group."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User

from handlers.guard import in_place

BUYER = User(7001, "Anna", is_bot=False)
STRANGER = User(7003, "Bob", is_bot=False)
GROUP = Chat(-100123, Chat.SUPERGROUP)


def press(data: str, chat: Chat, user: User = BUYER) -> Update:
    message = Message(55, datetime(2026, 1, 1, tzinfo=UTC), chat, text="Order NW-1 is paid")
    return Update(1, callback_query=CallbackQuery("q1", user, "ci", message=message, data=data))


BUYER_BUTTONS = ["1:cats", "1:cat:3", "1:lang:de", "1:cart", "1:page:abc:2", "1:order:9",
                 "1:pay:9", "1:prod:4", "1:line:2:inc", "1:orders:0"]  # fmt: skip


@pytest.mark.parametrize("data", BUYER_BUTTONS)
def test_buyer_buttons_act_only_in_the_buyers_own_private_chat(data: str) -> None:
    assert in_place(press(data, Chat(BUYER.id, Chat.PRIVATE)))
    assert not in_place(press(data, GROUP, STRANGER))  # a group member on the shop's notice
    assert not in_place(press(data, GROUP))
    assert not in_place(press(data, Chat(BUYER.id, Chat.PRIVATE), STRANGER))


@pytest.mark.parametrize("data", ["1:mord:accept:9", "1:mlist:all:0"])
def test_shop_buttons_act_only_in_a_group(data: str) -> None:
    assert in_place(press(data, GROUP))  # staff rights are the merchant use case's check
    assert not in_place(press(data, Chat(BUYER.id, Chat.PRIVATE)))


def test_malformed_payloads_go_on_to_the_stale_button_answer() -> None:
    assert in_place(press("garbage", GROUP))
