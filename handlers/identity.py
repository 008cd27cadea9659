"""Runs before every other handler: who is writing, and in which language do we answer."""

from __future__ import annotations

from telegram import Update

from bot.context import ShopContext
from bot.database import transaction
from i18n import negotiate_locale, translator
from inbox.fence import replay_safe
from money.locale_currency import default_currency, territory_of
from money.rates import bundled_rates
from orders.customers import identify_buyer
from storefront import memory


async def resolve_buyer(update: Update, context: ShopContext) -> None:
    """Loads (or creates) the buyer and puts their translator on the context."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    settings = context.services.settings
    # Repeating it is harmless: it never marks the update processed (see `inbox.fence`).
    with replay_safe():
        async with transaction(context.services.sessions) as session:
            context.buyer = await identify_buyer(
                session,
                telegram_user_id=user.id,
                locale=negotiate_locale(user.language_code, settings.default_language),
                # Only a currency the bot can convert to (the bundled rates: no query per update).
                currency=default_currency(
                    user.language_code, settings.default_currency, bundled_rates().currencies
                ),
                country=territory_of(user.language_code),
                name=user.full_name,
                username=user.username,
            )
            memory.expect_memory(session, context.buyer.customer_id)  # read with the dialogs
    context.i18n = translator(context.buyer.locale)
