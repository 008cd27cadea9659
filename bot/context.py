"""The per-update context every handler receives, and what the whole Application shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler, CallbackContext, ExtBot

from bot.services import Services
from i18n import Translator, translator
from inbox.telegram import InboxDispatcher
from orders.customers import Buyer
from outbox.sender import DeadLetterHook
from outbox.telegram import RunningSender


@dataclass
class ShopData:
    """The Application's `bot_data`, typed: PTB makes one (`ContextTypes(bot_data=ShopData)`),
    `bot.app.build_application` puts the services in, the outbox its running sender."""

    services: Services | None = None
    outbox_sender: RunningSender | None = None
    outbox_dead_letter: DeadLetterHook | None = None  # a refused buyer message, told the shop
    inbox: InboxDispatcher | None = None  # this worker's processing of stored updates


class ShopContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], ShopData]):
    """PTB's context plus the buyer and their language, resolved once per update.

    PTB builds one context per update and hands it to every handler group, so the identity
    handler in group -1 can fill `buyer` and `i18n` for the handlers that follow. Nothing here
    outlives the update: state that must survive lives in the database.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.buyer: Buyer | None = None
        self.i18n: Translator = translator()

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        assert services is not None, "build_application puts the services in bot_data"
        return services


# What a handlers module's `handlers()` lists: PTB handlers of Telegram updates on our context.
ShopHandler = BaseHandler[Update, ShopContext, None]
