"""The merchant handlers' routing: /setup anywhere, order buttons by their payload, group text."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from conversation import callbacks
from handlers import merchant


def test_the_buttons_handled_are_exactly_the_merchant_order_actions() -> None:
    setup, press, refunded, text = merchant.handlers()
    assert isinstance(setup, CommandHandler) and setup.commands == frozenset({"setup"})
    assert isinstance(press, CallbackQueryHandler) and isinstance(text, MessageHandler)
    pattern = press.pattern
    assert callable(pattern) and not isinstance(pattern, type)  # through the codec, no regex
    assert pattern(callbacks.encode("mord", "accept", 7))
    assert not pattern(callbacks.encode("order", 7))
    assert not pattern("1:mord:accept:x")
    assert isinstance(refunded, CallbackQueryHandler)
    refunded_pattern = refunded.pattern
    assert callable(refunded_pattern) and not isinstance(refunded_pattern, type)
    assert refunded_pattern(callbacks.encode("m2ref", 3))
    assert not refunded_pattern(callbacks.encode("mord", "accept", 3))
