"""Thin Telegram handlers: parse the update, call one use case, render the reply.

`register()` is the one place where updates are routed to them.
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

from handlers import fallback, identity, search, start


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(TypeHandler(Update, identity.resolve_buyer), group=-1)
    private = filters.ChatType.PRIVATE
    application.add_handlers(
        [
            CommandHandler("start", start.start, filters=private),
            CommandHandler("help", start.help_command, filters=private),
            MessageHandler(private & filters.COMMAND, fallback.unknown_command),
            MessageHandler(private & filters.TEXT & ~filters.VIA_BOT, search.search_text),
            MessageHandler(private & ~filters.TEXT, fallback.not_text),
            CallbackQueryHandler(fallback.stale_button),
        ]
    )
    application.add_error_handler(fallback.on_error)  # type: ignore[arg-type]
