"""/orders: the buyer's orders, one order's details and history, cancelling an unpaid one.

Every button's order id is looked up again among the presser's own orders: another buyer's id
(or a forged one) reads as missing and gets "this button has expired", changing nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import ShopContext, ShopHandler
from bot.database import transaction
from bot.web.receipts import receipt_url
from conversation import callbacks
from conversation.views import common
from conversation.views import orders as views
from db import utcnow
from handlers.render import send
from handlers.routing import on
from orders.errors import InvalidTransition, OrderNotFound
from orders.lifecycle import cancel_own_order
from orders.queries import OrderDetails, get_order_by_id, list_orders
from orders.reorder import refill_cart


def _pressed(update: Update, action: str) -> int | None:
    """The int argument of the pressed button, or None for a malformed payload."""
    assert update.callback_query is not None
    try:
        pressed = callbacks.decode(update.callback_query.data)
    except callbacks.InvalidCallback:
        return None
    return pressed.int(0) if pressed.action == action else None


async def _pressed_order(update: Update, context: ShopContext, action: str) -> OrderDetails | None:
    """The order the pressed button names, if it is the presser's; else None."""
    assert context.buyer is not None
    order_id = _pressed(update, action)
    if order_id is None:
        return None
    async with transaction(context.services.sessions) as session:
        return await get_order_by_id(
            session, customer_id=context.buyer.customer_id, order_id=order_id
        )


async def orders_command(update: Update, context: ShopContext) -> None:
    """/orders: the newest page of the buyer's orders."""
    await _show_page(update, context, 0)


async def orders_page(update: Update, context: ShopContext) -> None:
    """Newer/Older and "My orders" buttons."""
    page = _pressed(update, "orders")
    if page is None:
        await send(update, context, common.button_expired(context.i18n))
        return
    await _show_page(update, context, page)


async def _show_page(update: Update, context: ShopContext, page: int) -> None:
    assert context.buyer is not None
    async with transaction(context.services.sessions) as session:
        result = await list_orders(session, customer_id=context.buyer.customer_id, page=page)
    await send(update, context, views.orders_list(context.i18n, result))


async def order_opened(update: Update, context: ShopContext) -> None:
    """An order's button: its details and history, if it is the presser's."""
    assert context.buyer is not None
    details = await _pressed_order(update, context, "order")
    if details is None:
        await send(update, context, common.button_expired(context.i18n))
        return
    receipt = receipt_url(
        context.services, order_id=details.order_id, customer_id=context.buyer.customer_id
    )
    await send(update, context, views.order_details(context.i18n, details, receipt_url=receipt))


async def order_cancel_asked(update: Update, context: ShopContext) -> None:
    """Cancel pressed: asks to confirm (an order that can't be cancelled is shown as it is)."""
    assert context.buyer is not None
    details = await _pressed_order(update, context, "ocancel")
    if details is None:
        await send(update, context, common.button_expired(context.i18n))
        return
    if not details.buyer_can_cancel:
        await send(update, context, views.order_details(context.i18n, details))
        return
    await send(update, context, views.confirm_cancel(context.i18n, details))


async def order_again(update: Update, context: ShopContext) -> None:
    """Order again: an expired or cancelled order's items go back into the cart."""
    assert context.buyer is not None
    order_id = _pressed(update, "reorder")
    try:
        if order_id is None:
            raise OrderNotFound()
        async with transaction(context.services.sessions) as session:
            result = await refill_cart(
                session,
                customer_id=context.buyer.customer_id,
                order_id=order_id,
                language=context.buyer.locale,
            )
    except OrderNotFound:
        await send(update, context, common.button_expired(context.i18n))
        return
    await send(update, context, views.refilled(context.i18n, result))


async def order_cancel(update: Update, context: ShopContext) -> None:
    """Cancel confirmed: the unpaid order of the presser's is cancelled, its stock back on sale."""
    assert context.buyer is not None
    customer_id = context.buyer.customer_id
    order_id = _pressed(update, "ocancelok")
    if order_id is None:
        await send(update, context, common.button_expired(context.i18n))
        return
    try:
        async with transaction(context.services.sessions) as session:
            change = await cancel_own_order(
                session, customer_id=customer_id, order_id=order_id, now=utcnow()
            )
            details = await get_order_by_id(session, customer_id=customer_id, order_id=order_id)
    except OrderNotFound:
        await send(update, context, common.button_expired(context.i18n))
        return
    except InvalidTransition as error:  # paid (or expired) meanwhile: nothing was changed
        async with transaction(context.services.sessions) as session:
            details = await get_order_by_id(session, customer_id=customer_id, order_id=order_id)
        assert details is not None
        await send(update, context, views.cannot_cancel(context.i18n, details, error))
        return
    assert details is not None
    reply = views.order_cancelled(context.i18n, details, changed=change.changed)
    await send(update, context, reply)


def handlers() -> list[ShopHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("orders", orders_command, filters=private),
        CallbackQueryHandler(orders_page, pattern=on("orders")),
        CallbackQueryHandler(order_opened, pattern=on("order")),
        CallbackQueryHandler(order_cancel_asked, pattern=on("ocancel")),
        CallbackQueryHandler(order_cancel, pattern=on("ocancelok")),
        CallbackQueryHandler(order_again, pattern=on("reorder")),
    ]
