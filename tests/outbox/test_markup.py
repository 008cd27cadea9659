"""One renderer for buttons: what the outbox sends later looks like what a handler sends now."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardMarkup

from conversation.reply import Button, Reply
from outbox.payload import reply_from_payload, reply_payload
from outbox.telegram import keyboard, markup

REPLY = Reply(
    "Order A-1001",
    buttons=(
        (Button("Pay", url="https://pay.example/c/1"), Button("Details", action="1:order:7")),
        (Button("Search here", switch_inline_query="red mug"),),
    ),
)


def test_a_reply_through_the_outbox_keeps_every_kind_of_button() -> None:
    stored = reply_from_payload(reply_payload(REPLY))

    assert stored == REPLY
    assert keyboard(stored) == markup(REPLY)


def test_each_kind_of_button_becomes_its_telegram_kind() -> None:
    rendered = keyboard(REPLY)

    assert isinstance(rendered, InlineKeyboardMarkup)
    (pay, details), (search,) = rendered.inline_keyboard
    assert pay.url == "https://pay.example/c/1" and pay.callback_data is None
    assert details.callback_data == "1:order:7"
    assert search.switch_inline_query_current_chat == "red mug"
    assert keyboard(Reply("no buttons")) is None


@pytest.mark.parametrize(
    "reply",
    [
        Reply("Which phone number can the courier call?", contact_request="Share my number"),
        Reply("Thank you.", remove_keyboard=True),
        Reply(
            "Tracking number?",
            force_reply=True,
            force_reply_selective=True,
            force_reply_placeholder="1Z999AA10123456784",
        ),
    ],
)
def test_keyboards_and_forced_replies_survive_the_outbox(reply: Reply) -> None:
    stored = reply_from_payload(reply_payload(reply))

    assert stored == reply
    assert markup(stored) == markup(reply) and markup(reply) is not None
