"""Polite answers for what nothing else handles: unknown commands, stickers, stale buttons."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import ShopContext
from bot.database import rolled_back, transaction
from conversation.views import common
from handlers.render import send
from i18n import Translator, negotiate_locale, translator
from inbox.fence import NotNext
from orders.customers import stored_locale

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: ShopContext) -> None:
    """Says the command is unknown and points to /help."""
    assert update.effective_message is not None
    command = (update.effective_message.text or "").split()[0]
    await send(update, context, common.unknown_command(context.i18n, command))


async def not_text(update: Update, context: ShopContext) -> None:
    """Stickers, voice, photos where none is asked for: explain what the bot can read; a
    photo's caption is read as text."""
    message = update.effective_message
    if message is not None and message.photo and message.chat.type == "private":
        from handlers import text  # here: text imports checkout, which imports this module

        await text.on_photo(update, context)
        return
    await send(update, context, common.not_understood(context.i18n))


async def stale_button(update: Update, context: ShopContext) -> None:
    """A button whose payload no handler accepts: old, or forged. Nothing changes."""
    query = update.callback_query
    assert query is not None
    log.info("refused callback data %r from user %s", query.data, query.from_user.id)
    await send(update, context, common.button_expired(context.i18n))


async def on_error(update: object, context: ShopContext) -> None:
    """Logs the failure and, when there is a person waiting, apologises in their language.

    PTB hands error handlers a fresh context: the buyer's language is looked up again. "Nothing
    was changed" is said only when the failed transaction was rolled back.
    """
    if isinstance(context.error, NotNext):  # nothing happened: it is handled in its turn
        log.info("update taken as it arrived waits for an older one of its chat")
        raise ApplicationHandlerStop  # and no other handler of it runs meanwhile
    log.error("update %r failed", update, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            context.i18n = await _buyers_language(update, context)
            reply = common.something_went_wrong(
                context.i18n, nothing_changed=rolled_back(context.error)
            )
            await send(update, context, reply)
        except Exception:  # the apology itself failed (Telegram down): the log is what we have
            log.exception("could not apologise for a failed update")


async def _buyers_language(update: Update, context: ShopContext) -> Translator:
    """The buyer's stored language, else their Telegram app's (the database may be the fault)."""
    user = update.effective_user
    if user is None:
        return context.i18n
    settings = context.services.settings
    locale = None
    try:
        async with transaction(context.services.sessions) as session:
            locale = await stored_locale(session, telegram_user_id=user.id)
    except Exception:
        log.warning("the buyer's language could not be read; using their app's")
    return translator(locale or negotiate_locale(user.language_code, settings.default_language))
