"""/start and /help."""

from __future__ import annotations

from telegram import Update

from bot.context import ShopContext
from conversation.views import common
from handlers.render import send


async def start(update: Update, context: ShopContext) -> None:
    """Greets the buyer in their language and says what to do."""
    assert context.buyer is not None and update.effective_user is not None
    reply = common.greeting(
        context.i18n, first_name=update.effective_user.first_name, currency=context.buyer.currency
    )
    await send(update, context, reply)


async def help_command(update: Update, context: ShopContext) -> None:
    """Lists what the bot can do."""
    await send(update, context, common.help_text(context.i18n))
