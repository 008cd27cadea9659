"""Browsing: product cards, categories, the /start deep link from inline mode; and the list of
every storefront handler, for `handlers.register` to add.

Button handlers match on the *decoded* action (`handlers.routing.on`), so a payload that does
not decode reaches no handler here and falls through to `fallback.stale_button`; one that
decodes but no longer fits (a product withdrawn, options changed) is answered "this button has
expired".
"""

from __future__ import annotations

import dataclasses

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    filters,
)

from bot.context import ShopContext, ShopHandler
from bot.database import transaction
from conversation import callbacks
from conversation.reply import Reply
from conversation.views import common
from conversation.views.cart import shop_error
from conversation.views.inline import parse_deep_link
from conversation.views.product import product_card
from conversation.views.search import category_list, category_page
from handlers import cart, inline, search
from handlers.render import send, stale_file_id
from handlers.routing import on
from orders.errors import ProductUnavailable
from storefront.categories import browse_category, list_categories
from storefront.errors import StaleButton
from storefront.product_card import CardPhoto, load_product_card, remember_photo_file_id


async def product_button(update: Update, context: ShopContext) -> None:
    """Opens a product card (`prod`), or redraws it after an option or quantity press (`opt`)."""
    assert update.callback_query is not None
    pressed = callbacks.decode(update.callback_query.data)
    if pressed.action == "prod":
        await show_product(update, context, pressed.int(0))
    else:
        await show_product(
            update, context, pressed.int(0), pressed.str(1), pressed.int(2), edit=True
        )


async def start_product(update: Update, context: ShopContext) -> None:
    """`/start p42`, from an inline card's button: opens that product."""
    product_id = parse_deep_link((context.args or [""])[0])
    if product_id is None:
        await send(update, context, common.button_expired(context.i18n))
        return
    await show_product(update, context, product_id)


async def show_product(
    update: Update,
    context: ShopContext,
    product_id: int,
    selection: str | None = None,
    quantity: int = 1,
    *,
    edit: bool = False,
) -> None:
    assert context.buyer is not None
    services = context.services
    try:
        async with transaction(services.sessions) as session:
            card = await load_product_card(
                session,
                product_id=product_id,
                buyer=context.buyer,
                max_rate_age=services.settings.fx_max_age,
                selection=selection,
                quantity=quantity,
            )
    except ProductUnavailable as error:
        await send(update, context, shop_error(context.i18n, error))
        return
    except StaleButton:
        await send(update, context, common.button_expired(context.i18n))
        return
    reply = _sendable(product_card(context.i18n, card, media_dir=services.media_dir, edit=edit))
    try:
        sent = await send(update, context, reply)
    except BadRequest as error:
        if card.photo is None or not card.photo.file_id or not stale_file_id(error):
            raise
        # The kept id is not this bot's: send the picture itself, and keep the new id instead.
        card = dataclasses.replace(card, photo=dataclasses.replace(card.photo, file_id=None))
        reply = _sendable(product_card(context.i18n, card, media_dir=services.media_dir, edit=edit))
        sent = await send(update, context, reply, answer_press=False)
    await _cache_photo(context, card.photo, reply, sent)


def _sendable(reply: Reply) -> Reply:
    """Without its photo if the file is missing: a card without a picture beats an error."""
    photo = reply.photo
    if photo is not None and photo.path is not None and not photo.path.is_file():
        return dataclasses.replace(reply, photo=None)
    return reply


async def _cache_photo(
    context: ShopContext, photo: CardPhoto | None, reply: Reply, sent: Message | None
) -> None:
    """Keeps Telegram's id of a photo sent for the first time, so it is uploaded only once."""
    if photo is None or photo.file_id or reply.photo is None or sent is None or not sent.photo:
        return
    async with transaction(context.services.sessions) as session:
        await remember_photo_file_id(
            session, image_id=photo.image_id, file_id=sent.photo[-1].file_id
        )


async def categories_button(update: Update, context: ShopContext) -> None:
    """The category list (`cats`), or the first page of one category (`cat`)."""
    assert update.callback_query is not None and context.buyer is not None
    pressed = callbacks.decode(update.callback_query.data)
    services = context.services
    async with transaction(services.sessions) as session:
        if pressed.action == "cats":
            reply = category_list(context.i18n, await list_categories(session), edit=True)
        else:
            page = await browse_category(
                session,
                key=pressed.int(0),
                page=0,
                buyer=context.buyer,
                max_rate_age=services.settings.fx_max_age,
            )
            reply = (
                common.button_expired(context.i18n)
                if page is None
                else category_page(context.i18n, page, edit=True)
            )
    await send(update, context, reply)


async def categories_command(update: Update, context: ShopContext) -> None:
    """/categories: what the shop sells, by category."""
    async with transaction(context.services.sessions) as session:
        categories = await list_categories(session)
    await send(update, context, category_list(context.i18n, categories))


def handlers() -> list[ShopHandler]:
    """Every storefront handler; add them before the fallbacks (stale buttons, unknown
    commands) and before the plain /start."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(
            "start", start_product, filters=private & filters.Regex(r"^/start p\d{1,18}$")
        ),
        CommandHandler("cart", cart.cart_command, filters=private),
        CommandHandler("categories", categories_command, filters=private),
        CallbackQueryHandler(product_button, pattern=on("prod", "opt")),
        CallbackQueryHandler(search.page_button, pattern=on("page")),
        CallbackQueryHandler(categories_button, pattern=on("cats", "cat")),
        CallbackQueryHandler(cart.add_button, pattern=on("add")),
        CallbackQueryHandler(
            cart.cart_button, pattern=on("cart", "line", "empty", "emptyok", "pick")
        ),
        InlineQueryHandler(inline.inline_query),
    ]
