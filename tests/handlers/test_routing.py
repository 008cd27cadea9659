"""`handlers.register()`: which handler each kind of update reaches, first match wins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import CallbackQuery, Chat, Contact, Message, PhotoSize, Update, User
from telegram.ext import Application, ApplicationBuilder, BaseHandler, CallbackQueryHandler

import handlers
from handlers import (
    checkout,
    fallback,
    merchant,
    merchant_commands,
    orders,
    payment,
    preferences,
    questions,
    text,
)
from handlers.routing import on

USER = User(7, "Anna", is_bot=False)
CHAT = Chat(7, Chat.PRIVATE)
WHEN = datetime(2025, 3, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def application() -> Application[Any, Any, Any, Any, Any, Any]:
    app = ApplicationBuilder().token("123:TEST").build()
    handlers.register(app)
    return app


class FakeBot:
    """What `CommandHandler` asks of the bot: its username (no network, no token)."""

    username = "shop_bot"


def message(**content: Any) -> Update:
    sent = Message(1, WHEN, CHAT, from_user=USER, **content)
    sent.set_bot(FakeBot())  # type: ignore[arg-type]  # a recording fake, not a Bot
    return Update(1, message=sent)


def button(data: str) -> Update:
    sent = Message(2, WHEN, CHAT, from_user=USER, text="…")
    return Update(2, callback_query=CallbackQuery("q", USER, "chat", message=sent, data=data))


def command(name: str) -> Update:
    return message(text=f"/{name}", entities=[_command_entity(len(name) + 1)])


def _command_entity(length: int) -> Any:
    from telegram import MessageEntity

    return MessageEntity(MessageEntity.BOT_COMMAND, 0, length)


def route(app: Application[Any, Any, Any, Any, Any, Any], update: Update) -> Any:
    chosen: BaseHandler[Any, Any, Any] = next(
        handler for handler in app.handlers[0] if handler.check_update(update) not in (None, False)
    )
    return chosen.callback


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (lambda: message(text="Anna Müller"), text.on_text),
        (lambda: message(contact=Contact("+491701234567", "Anna")), checkout.contact),
        (lambda: message(photo=[PhotoSize("f", "u", 10, 10)]), checkout.not_text),
        (lambda: command("checkout"), checkout.start),
        (lambda: command("cancel"), checkout.cancel_command),
        (lambda: command("orders"), orders.orders_command),
        (lambda: command("nonsense"), fallback.unknown_command),
        (lambda: button("1:co"), checkout.start),
        (lambda: button("1:step:phone:back"), checkout.step_button),
        (lambda: button("1:step:summary:0123456789ab"), checkout.step_button),
        (lambda: button("1:orders:2"), orders.orders_page),
        (lambda: button("1:order:41"), orders.order_opened),
        (lambda: button("1:ocancel:41"), orders.order_cancel_asked),
        (lambda: button("1:ocancelok:41"), orders.order_cancel),
        (lambda: button("1:reorder:41"), orders.order_again),
        (lambda: button("1:pay:41"), payment.pay),
        (lambda: button("1:lang:de"), preferences.chosen),
        (lambda: button("1:cur:EUR"), preferences.chosen),
        (lambda: button("1:ask:41"), questions.ask_pressed),
        (lambda: button("1:mord:accept:41"), merchant.press),
        (lambda: button("1:mlist:all:2"), merchant_commands.orders_page),
        (lambda: button("forged:payload"), fallback.stale_button),
        (lambda: button("1:orderz:41"), fallback.stale_button),
        # Right action, wrong shape: refused by the codec before any handler sees it.
        (lambda: button("1:pay:x"), fallback.stale_button),
        (lambda: button("1:mord:accept"), fallback.stale_button),
        (lambda: button("1:co:extra"), fallback.stale_button),
        (lambda: button("2:pay:41"), fallback.stale_button),
    ],
)
def test_each_update_reaches_its_handler(
    application: Application[Any, Any, Any, Any, Any, Any], update: Any, expected: Any
) -> None:
    assert route(application, update()) is expected


def test_the_stale_button_answer_is_the_last_handler(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> None:
    assert application.handlers[0][-1].callback is fallback.stale_button
    assert application.handlers[-2][0].callback.__name__ == "resolve_buyer"
    assert application.handlers[-1][0].callback.__name__ == "check"  # buttons in place


def test_an_edited_old_answer_is_not_taken_as_the_current_one(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> None:
    edited = Message(1, WHEN, CHAT, from_user=USER, text="Anna Müller")
    update = Update(3, edited_message=edited)
    assert all(
        handler.check_update(update) in (None, False)
        for handler in application.handlers[0]
        if getattr(handler.callback, "__module__", "").startswith(
            ("handlers.text", "handlers.checkout")
        )
    )


def test_every_button_is_routed_through_the_codec(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> None:
    """No hand-written regex over raw payloads: each pattern is an `on(...)` matcher."""
    patterns = [
        handler.pattern
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, CallbackQueryHandler)
    ]
    assert patterns
    assert all(
        p is None or getattr(p, "__qualname__", "") == "on.<locals>.matches" for p in patterns
    )


def test_a_pattern_for_an_action_the_codec_lacks_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="nonsense"):
        on("pay", "nonsense")
