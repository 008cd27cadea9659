"""A bot and a context that record what the handlers send: no network, no Application.

Enough of PTB's surface for `handlers.render.send`: sending, editing and answering presses.
End-to-end tests over the Bot API stand-in cover the real wiring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from types import SimpleNamespace
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    Contact,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    Update,
    User,
)

from bot.context import ShopData
from bot.database import SessionFactory
from i18n import translator
from orders.customers import Buyer

WHEN = datetime(2025, 3, 10, tzinfo=UTC)
_ids = count(1)


@dataclass
class Sent:
    text: str
    markup: Any


@dataclass
class FakeBot:
    username: str = "shop_bot"
    sent: list[Sent] = field(default_factory=list)
    answers: list[str | None] = field(default_factory=list)

    def _message(self, chat_id: int, text: str) -> Message:
        message = Message(next(_ids), WHEN, Chat(chat_id, Chat.PRIVATE), text=text)
        message.set_bot(self)  # type: ignore[arg-type]  # a recording fake, not a Bot
        return message

    async def send_message(self, chat_id: int, text: str, **options: Any) -> Message:
        self.sent.append(Sent(text, options.get("reply_markup")))
        return self._message(chat_id, text)

    async def edit_message_text(self, text: str, **options: Any) -> Message:
        self.sent.append(Sent(text, options.get("reply_markup")))
        return self._message(options["chat_id"], text)

    async def answer_callback_query(
        self, callback_query_id: str, text: str | None = None, **_: Any
    ) -> bool:
        self.answers.append(text)
        return True

    def buttons(self, index: int = -1) -> dict[str, str]:
        """The inline buttons of a sent message: label → callback data."""
        markup = self.sent[index].markup
        if not isinstance(markup, InlineKeyboardMarkup):
            return {}
        return {b.text: str(b.callback_data) for row in markup.inline_keyboard for b in row}


@dataclass
class FakeSettings:
    fx_max_age: timedelta = timedelta(days=3650)
    order_reservation: timedelta = timedelta(hours=2)
    default_language: str = "en"
    telegram_token: str = "123:TEST"
    web_base_url: str = "http://127.0.0.1:9"


@dataclass
class FakeServices:
    sessions: SessionFactory
    settings: FakeSettings = field(default_factory=FakeSettings)


@dataclass
class FakeContext:
    """What the handlers read of `bot.context.ShopContext`."""

    bot: FakeBot
    services: FakeServices
    buyer: Buyer
    args: list[str] = field(default_factory=list)

    @property
    def i18n(self) -> Any:
        return translator(self.buyer.locale)

    @property
    def application(self) -> Any:
        """What `outbox.telegram.deliver_owed` reads: one outbox round sends through `bot`."""
        return SimpleNamespace(bot=self.bot, bot_data=ShopData(services=self.services))  # type: ignore[arg-type]  # the fake services


def _user(buyer: Buyer) -> User:
    return User(buyer.telegram_user_id, "Anna", is_bot=False)


def message(context: FakeContext, **content: Any) -> Update:
    user = _user(context.buyer)
    sent = Message(next(_ids), WHEN, Chat(user.id, Chat.PRIVATE), from_user=user, **content)
    sent.set_bot(context.bot)  # type: ignore[arg-type]  # a recording fake, not a Bot
    return Update(next(_ids), message=sent)


def text(context: FakeContext, words: str) -> Update:
    return message(context, text=words)


def contact(context: FakeContext, phone: str) -> Update:
    return message(context, contact=Contact(phone, "Anna"))


def photo(context: FakeContext) -> Update:
    return message(context, photo=[PhotoSize("file", "unique", 10, 10)])


def press(context: FakeContext, data: str) -> Update:
    user = _user(context.buyer)
    shown = Message(next(_ids), WHEN, Chat(user.id, Chat.PRIVATE), text="…")
    shown.set_bot(context.bot)  # type: ignore[arg-type]  # a recording fake, not a Bot
    query = CallbackQuery(str(next(_ids)), user, "chat", message=shown, data=data)
    query.set_bot(context.bot)  # type: ignore[arg-type]  # a recording fake, not a Bot
    return Update(next(_ids), callback_query=query)
