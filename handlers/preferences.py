"""/language and /currency, typed or chosen with buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import ShopContext, ShopHandler
from bot.database import transaction
from conversation import callbacks
from conversation.views import common, preferences
from handlers.render import send
from handlers.routing import on
from i18n import translator
from money.locale_currency import CurrencyNotFound
from preferences.choices import NotOffered, currency_choices, set_currency, set_language


async def language_command(update: Update, context: ShopContext) -> None:
    assert context.buyer is not None
    await send(update, context, preferences.language_menu(context.i18n, context.buyer.locale))


async def currency_command(update: Update, context: ShopContext) -> None:
    assert context.buyer is not None
    typed = " ".join(context.args or [])
    try:
        async with transaction(context.services.sessions) as session:
            choices = await currency_choices(session, context.buyer, typed)
    except CurrencyNotFound:
        await send(update, context, preferences.currency_not_found(context.i18n, typed))
        return
    await send(update, context, preferences.currency_menu(context.i18n, choices, typed=typed))


async def chosen(update: Update, context: ShopContext) -> None:
    """A press on a language or currency button; the value is checked, never trusted."""
    assert update.callback_query is not None and context.buyer is not None
    try:
        pressed = callbacks.decode(update.callback_query.data)
        async with transaction(context.services.sessions) as session:
            if pressed.action == "lang":
                context.buyer = await set_language(session, context.buyer, pressed.str(0))
            else:
                context.buyer = await set_currency(session, context.buyer, pressed.str(0))
    except (callbacks.InvalidCallback, NotOffered):
        await send(update, context, common.button_expired(context.i18n))
        return
    context.i18n = translator(context.buyer.locale)
    if pressed.action == "lang":
        reply = preferences.language_set(context.i18n, context.buyer.locale)
    else:
        reply = preferences.currency_set(context.i18n, context.buyer.currency)
    await send(update, context, reply)


def handlers() -> list[ShopHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("language", language_command, filters=private),
        CommandHandler("currency", currency_command, filters=private),
        CallbackQueryHandler(chosen, pattern=on("lang", "cur")),
    ]
