"""/start and /help."""

from __future__ import annotations

from telegram import Update

from bot.context import ShopContext
from bot.database import transaction
from conversation.views import common
from db import utcnow
from handlers.render import send
from preferences.choices import shown_currency


async def start(update: Update, context: ShopContext) -> None:
    """Greets the buyer in their language, naming the currency prices are really shown in."""
    assert context.buyer is not None and update.effective_user is not None
    settings = context.services.settings
    async with transaction(context.services.sessions) as session:
        shown = await shown_currency(
            session,
            context.buyer,
            language_code=update.effective_user.language_code,
            default=settings.default_currency,
            max_rate_age=settings.fx_max_age,
            now=utcnow(),
        )
    reply = common.greeting(
        context.i18n,
        first_name=update.effective_user.first_name,
        currency=shown.shown,
        missing=shown.missing,
        offers=shown.offers,
    )
    await send(update, context, reply)


async def help_command(update: Update, context: ShopContext) -> None:
    """Lists what the bot can do."""
    await send(update, context, common.help_text(context.i18n))
