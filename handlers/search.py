"""Free text is a search: the words a buyer types become a list of products; Prev/Next page it."""

from __future__ import annotations

from telegram import Update

from bot.context import ShopContext
from bot.database import transaction
from conversation import callbacks
from conversation.views import common
from conversation.views.search import category_page, search_results
from handlers.render import send
from storefront.paging import open_page
from storefront.search import SearchOutcome, search_products


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


async def page_button(update: Update, context: ShopContext) -> None:
    """Prev/Next under a result list: the same search (or category), another page."""
    assert update.callback_query is not None and context.buyer is not None
    pressed = callbacks.decode(update.callback_query.data)
    services = context.services
    async with transaction(services.sessions) as session:
        found = await open_page(
            session,
            services.search_index,
            key=pressed.str(0),
            page=pressed.int(1),
            buyer=context.buyer,
            max_rate_age=services.settings.fx_max_age,
        )
    if found is None:
        reply = common.button_expired(context.i18n)
    elif isinstance(found, SearchOutcome):
        # "Back to results" under a product card (a photo) brings the list as a new message.
        message = update.callback_query.message
        on_card = message is not None and bool(getattr(message, "photo", None))
        reply = search_results(context.i18n, found, edit=not on_card)
    else:
        reply = category_page(context.i18n, found, edit=True)
    await send(update, context, reply)
