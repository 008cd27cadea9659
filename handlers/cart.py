"""The cart: /cart, "Add to cart", the cart's buttons, and cart edits in plain words.

Every use case gets `context.buyer`, the person who sent the update or pressed the button, so
nobody can touch a cart line that is not theirs, whatever a button's payload says.
"""

from __future__ import annotations

from telegram import Update

from bot.context import ShopContext
from bot.database import transaction
from conversation import callbacks
from conversation.reply import Reply
from conversation.views import common
from conversation.views.cart import cart_view, confirm_empty, shop_error, words_outcome
from conversation.views.product import added_to_cart
from handlers.render import send
from orders.errors import ShopError
from storefront import cart
from storefront.errors import StaleButton


async def cart_command(update: Update, context: ShopContext) -> None:
    """/cart: shows the cart."""
    assert context.buyer is not None
    services = context.services
    async with transaction(services.sessions) as session:
        view = await cart.show_cart(
            session, buyer=context.buyer, max_rate_age=services.settings.fx_max_age
        )
    await send(update, context, cart_view(context.i18n, view))


async def add_button(update: Update, context: ShopContext) -> None:
    """ "Add to cart" on a product card: the variant and quantity it names."""
    assert update.callback_query is not None and context.buyer is not None
    pressed = callbacks.decode(update.callback_query.data)
    try:
        async with transaction(context.services.sessions) as session:
            added = await cart.add_variant(
                session, buyer=context.buyer, variant_id=pressed.int(0), quantity=pressed.int(1)
            )
    except ShopError as error:
        await send(update, context, shop_error(context.i18n, error))
        return
    await send(update, context, added_to_cart(context.i18n, added))


async def cart_button(update: Update, context: ShopContext) -> None:
    """The cart's own buttons: show, a line's −/+/✕, empty (asked first), "which one?"."""
    assert update.callback_query is not None and context.buyer is not None
    pressed = callbacks.decode(update.callback_query.data)
    if pressed.action == "empty":
        await send(update, context, confirm_empty(context.i18n))
        return
    try:
        reply = await _press(pressed, context)
    except ShopError as error:
        reply = shop_error(context.i18n, error)
    except StaleButton:
        reply = common.button_expired(context.i18n)
    await send(update, context, reply)


async def _press(pressed: callbacks.Callback, context: ShopContext) -> Reply:
    assert context.buyer is not None
    t, buyer, age = context.i18n, context.buyer, context.services.settings.fx_max_age
    async with transaction(context.services.sessions) as session:
        if pressed.action == "line":
            view = await cart.change_line(
                session, buyer=buyer, line_id=pressed.int(0), operation=pressed.str(1),
                max_rate_age=age,
            )  # fmt: skip
            return cart_view(t, view, edit=True)
        if pressed.action == "emptyok":
            view = await cart.empty(session, buyer=buyer, max_rate_age=age)
            return cart_view(t, view, edit=True, notice=t.gettext("Your cart is empty now."))
        if pressed.action == "pick":
            outcome = await cart.pick_line(
                session, buyer=buyer, line_id=pressed.int(0), max_rate_age=age
            )
            return words_outcome(t, outcome)
        view = await cart.show_cart(session, buyer=buyer, max_rate_age=age)
        return cart_view(t, view)


async def handle_cart_words(update: Update, context: ShopContext) -> bool:
    """A cart edit in plain words ("make it 3", "убери кружку"): True if the text was one
    and has been answered (done, refused with a reason, or asked about with buttons)."""
    message = update.effective_message
    if message is None or not message.text or context.buyer is None:
        return False
    services = context.services
    try:
        async with transaction(services.sessions) as session:
            outcome = await cart.edit_in_words(
                session,
                buyer=context.buyer,
                text=message.text,
                max_rate_age=services.settings.fx_max_age,
            )
    except ShopError as error:
        await send(update, context, shop_error(context.i18n, error))
        return True
    if outcome is None:
        return False
    await send(update, context, words_outcome(context.i18n, outcome))
    return True
