"""Inline mode: `@bot red mug` in any chat, products priced in the sender's currency."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode

from bot.context import ShopContext
from bot.database import transaction
from conversation.views.inline import inline_cards
from outbox.telegram import keyboard
from storefront.search import search_products

CACHE_SECONDS = 60  # prices depend on the sender, hence is_personal


async def inline_query(update: Update, context: ShopContext) -> None:
    """Answers an inline query with matching products, each posting a card with a deep link."""
    query = update.inline_query
    assert query is not None and context.buyer is not None
    if not query.query.strip():
        await query.answer([], cache_time=CACHE_SECONDS, is_personal=True)
        return
    services = context.services
    async with transaction(services.sessions) as session:
        outcome = await search_products(
            session,
            services.search_index,
            text=query.query,
            buyer=context.buyer,
            max_rate_age=services.settings.fx_max_age,
            remember=False,
        )
    cards = inline_cards(context.i18n, outcome, bot_username=context.bot.username)
    results = [
        InlineQueryResultArticle(
            id=card.result_id,
            title=card.title,
            description=card.description,
            thumbnail_url=card.thumbnail_url,
            input_message_content=InputTextMessageContent(
                card.message.text, parse_mode=ParseMode.HTML
            ),
            reply_markup=keyboard(card.message),
        )
        for card in cards
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)
