"""`handlers.render.markup`: the one markup a Telegram message can carry."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from conversation.reply import Button, Reply
from outbox.telegram import markup


def test_a_contact_request_becomes_a_one_tap_keyboard() -> None:
    keyboard = markup(Reply("Your phone?", contact_request="Share my phone number"))
    assert isinstance(keyboard, ReplyKeyboardMarkup)
    (row,) = keyboard.keyboard
    assert row[0].request_contact and row[0].text == "Share my phone number"
    assert keyboard.one_time_keyboard and keyboard.resize_keyboard


def test_the_keyboard_can_be_taken_away() -> None:
    assert isinstance(markup(Reply("OK.", remove_keyboard=True)), ReplyKeyboardRemove)


def test_inline_buttons_win_and_plain_text_has_no_markup() -> None:
    buttons = ((Button("Back", "1:step:phone:back"),),)
    both = markup(Reply("?", buttons=buttons, contact_request="Share"))
    assert isinstance(both, InlineKeyboardMarkup)
    assert markup(Reply("Hello")) is None
