"""Free text in a private chat: an answer to the checkout, a cart edit, or else a search."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.context import ShopContext
from handlers import checkout

CartWords = Callable[[Update, ShopContext], Awaitable[bool]]


def _cart_words() -> CartWords | None:
    """`handlers.cart.handle_cart_words`, once the storefront engineer's module provides it."""
    try:
        module: Any = importlib.import_module("handlers.cart")
    except ModuleNotFoundError as error:
        if error.name != "handlers.cart":
            raise  # the module exists but something it imports is missing: a real bug
        return None
    return getattr(module, "handle_cart_words", None)


async def on_text(update: Update, context: ShopContext) -> None:
    """Checkout first (its question is what the buyer answers), then cart words, then search."""
    if await checkout.answer_text(update, context):
        return
    cart_words = _cart_words()
    if cart_words is not None and await cart_words(update, context):
        return
    from handlers.search import search_text  # imported here: it pulls in the search engine

    await search_text(update, context)
