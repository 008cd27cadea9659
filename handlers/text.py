"""Free text in a private chat: an answer to what the bot asked, a cart edit, or else a search."""

from __future__ import annotations

from telegram import Update

from bot.context import ShopContext
from handlers import cart, checkout, onboarding, questions, search, shipping


async def on_text(update: Update, context: ShopContext) -> None:
    """A pending question to the shop or the checkout's step first (the buyer is answering
    what was asked), then plain-words cart edits, then a search."""
    if await onboarding.answer_key_text(update, context):  # a shop's payment key, asked for
        return
    if await questions.answer_text(update, context):
        return
    if await checkout.answer_text(update, context):
        return
    if await shipping.answer_text(update, context):  # the country the cart asked for
        return
    if await cart.handle_cart_words(update, context):
        return
    await search.search_text(update, context)
