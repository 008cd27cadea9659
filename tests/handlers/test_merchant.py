"""The merchant handlers' routing: /setup anywhere, order buttons by their payload, group text."""

from __future__ import annotations

import re

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from conversation import callbacks
from handlers import merchant


def test_the_buttons_handled_are_exactly_the_merchant_order_actions() -> None:
    setup, press, text = merchant.handlers()
    assert isinstance(setup, CommandHandler) and setup.commands == frozenset({"setup"})
    assert isinstance(press, CallbackQueryHandler) and isinstance(text, MessageHandler)
    pattern = press.pattern
    assert isinstance(pattern, re.Pattern)
    assert pattern.match(callbacks.encode("mord", "accept", 7))
    assert not pattern.match(callbacks.encode("order", 7))
