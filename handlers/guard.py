"""Buttons only where they belong: checked before any handler can act on (or edit) a message.

A buyer's button acts only in that buyer's private chat with the bot; a shop's button (order
actions, the shop's order list) only in a group (whose staff the merchant use case checks).
A press anywhere else is answered "expired" and goes no further: the message is not touched.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler

from bot.context import ShopContext
from conversation import callbacks
from conversation.views.common import button_expired

MERCHANT_ACTIONS = frozenset({"mord", "mlist", "m2ref"})


def in_place(update: Update) -> bool:
    """Whether this press may reach its handler."""
    query = update.callback_query
    if query is None or query.message is None:  # an inline-mode message: no chat to check
        return True
    try:
        action = callbacks.decode(query.data).action
    except callbacks.InvalidCallback:
        return True  # the stale-button answer handles it
    chat = query.message.chat
    if action in MERCHANT_ACTIONS:
        return chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    return chat.type == ChatType.PRIVATE and chat.id == query.from_user.id


async def check(update: Update, context: ShopContext) -> None:
    """Stops a press that is out of place, with the polite "expired" notice."""
    if in_place(update):
        return
    assert update.callback_query is not None
    await update.callback_query.answer(button_expired(context.i18n).notice)
    raise ApplicationHandlerStop


def handler() -> CallbackQueryHandler:  # type: ignore[type-arg]
    return CallbackQueryHandler(check)
