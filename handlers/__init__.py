"""Thin Telegram handlers: parse the update, call one use case, render the reply.

`register()` is the one place where updates are routed to them. Within the one handler group
the first match wins, so the order below is the routing: specific commands and buttons first,
then free text (checkout → cart words → search), then the polite fallbacks, the stale-button
answer last of all.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import (
    browse,
    checkout,
    fallback,
    guard,
    identity,
    merchant,
    merchant_commands,
    merchant_upload,
    onboarding,
    orders,
    payment,
    policies,
    preferences,
    questions,
    shipping,
    start,
    text,
)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(TypeHandler(Update, identity.resolve_buyer), group=-2)
    application.add_handler(guard.handler(), group=-1)  # buttons only where they belong
    private = filters.ChatType.PRIVATE
    new = private & filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            # Product cards, categories, cart buttons, deep links: before the plain /start.
            *browse.handlers(),
            *onboarding.handlers(),  # /newshop; /start shop-<slug> (a shop's link)
            CommandHandler("start", start.start, filters=private),
            CommandHandler("help", start.help_command, filters=private),
            *preferences.handlers(),
            *checkout.handlers(),
            *orders.handlers(),
            *payment.handlers(),
            MessageHandler(private & filters.COMMAND, fallback.unknown_command),
            # New messages only: an edited old answer must not answer the step asked now.
            # A shared contact answers the checkout's phone step; it is not "not text".
            MessageHandler(new & filters.CONTACT, checkout.contact),
            MessageHandler(new & filters.TEXT & ~filters.VIA_BOT, text.on_text),
            # Photos, stickers, voice: the checkout's question again, or the usual answer.
            MessageHandler(new & ~filters.TEXT, checkout.not_text),
            # The merchant's group: catalog files, replies to buyers' questions (before the
            # shipping dialog's catch-all text), /setup, order buttons, the shipping dialog.
            *merchant_upload.handlers(),
            *questions.handlers(),
            *merchant.handlers(),
            *merchant_commands.handlers(),  # /orders /order /stock /price /sales in shop chats
            *shipping.handlers(),  # /shipping in shop chats; the buyer's delivery country
            *policies.handlers(),  # /policy in shop chats: the texts buyers' questions get
            CallbackQueryHandler(fallback.stale_button),
        ]
    )
    application.add_error_handler(fallback.on_error)
