"""Free text is a search: the words a buyer types become a list of products."""

from __future__ import annotations

from telegram import Update

from bot.context import ShopContext
from bot.database import transaction
from conversation.views.search import search_results
from handlers.render import send
from storefront.search import search_products


async def search_text(update: Update, context: ShopContext) -> None:
    """Searches the catalog for the message's text and lists what matches."""
    assert update.effective_message is not None and context.buyer is not None
    services = context.services
    async with transaction(services.sessions) as session:
        outcome = await search_products(
            session,
            services.search_index,
            text=update.effective_message.text or "",
            buyer=context.buyer,
            max_rate_age=services.settings.fx_max_age,
        )
    await send(update, context, search_results(context.i18n, outcome))
