"""Shop commands in the merchant's group: /orders, /order, /stock, /price, /sales.

Group chats only. Every command and button is checked again on the server by
`merchants.commands.staff_shop`: the chat must be a shop's order chat and the sender on its
staff; anyone else gets a short refusal in their own language. What the shop reads is in the
shop's language, amounts in its currency.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import ShopContext, ShopHandler
from bot.database import transaction
from conversation import callbacks
from conversation.views import common
from conversation.views import merchant as desk_views
from conversation.views import merchant_commands as views
from db import utcnow
from handlers.render import send
from handlers.routing import on
from i18n import Translator, negotiate_locale, translator
from merchants import commands
from merchants.desk import DeskRefused, OrderNotice
from merchants.sales import SalesReport, sales_chart_png, sales_report
from merchants.settings import Shop

T = TypeVar("T")
log = logging.getLogger(__name__)


def handlers() -> list[ShopHandler]:
    groups = filters.ChatType.GROUPS
    return [
        CommandHandler("orders", orders_command, filters=groups),
        CommandHandler("order", order_command, filters=groups),
        CommandHandler("stock", stock_command, filters=groups),
        CommandHandler("price", price_command, filters=groups),
        CommandHandler("sales", sales_command, filters=groups),
        CallbackQueryHandler(orders_page, pattern=on("mlist")),
    ]


def _shop_t(shop: Shop) -> Translator:
    return translator(negotiate_locale(shop.language))


async def _as_staff(
    update: Update, context: ShopContext, use: Callable[[AsyncSession, Shop], Awaitable[T]]
) -> tuple[Shop, T] | None:
    """Runs `use` for the chat's shop if the sender is its staff, in one transaction.

    Refusals and bad input are answered here (None returned): refusals in the sender's
    language, bad input in the shop's.
    """
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    shop_t, currency = context.i18n, ""
    try:
        async with transaction(context.services.sessions) as session:
            shop = await commands.staff_shop(session, chat_id=chat.id, user_id=user.id)
            # Read now: a refusal below rolls back, and a rolled-back shop cannot be read.
            shop_t, currency = _shop_t(shop), shop.merchant.currency
            result = await use(session, shop)
    except DeskRefused as refusal:
        reply = desk_views.refused(context.i18n, refusal.refusal, None)
        if update.callback_query is not None:
            await update.callback_query.answer(reply.notice)
        else:
            await send(update, context, reply)
        return None
    except commands.CommandRefused as refused:
        await send(update, context, views.problem(shop_t, refused, currency=currency))
        return None
    return shop, result


async def orders_command(update: Update, context: ShopContext) -> None:
    """/orders [status]: the shop's orders, newest first, ten a page."""
    token = " ".join(context.args or [])

    async def use(session: AsyncSession, shop: Shop) -> commands.MerchantOrderPage:
        status = commands.parse_status(token)
        return await commands.orders_page(session, shop=shop, status=status, page=0)

    done = await _as_staff(update, context, use)
    if done is not None:
        await send(update, context, views.orders_page(_shop_t(done[0]), done[1]))


async def orders_page(update: Update, context: ShopContext) -> None:
    """Previous / Next under an /orders page."""
    try:
        pressed = callbacks.decode(update.callback_query.data if update.callback_query else None)
        status = commands.parse_status(pressed.str(0))
    except (callbacks.InvalidCallback, commands.CommandRefused):
        await send(update, context, common.button_expired(context.i18n))
        return

    async def use(session: AsyncSession, shop: Shop) -> commands.MerchantOrderPage:
        return await commands.orders_page(session, shop=shop, status=status, page=pressed.int(1))

    done = await _as_staff(update, context, use)
    if done is not None:
        await send(update, context, views.orders_page(_shop_t(done[0]), done[1]))


async def order_command(update: Update, context: ShopContext) -> None:
    """/order N: one of the shop's orders, as its notice shows it."""
    number = " ".join(context.args or [])

    async def use(session: AsyncSession, shop: Shop) -> OrderNotice | None:
        if not number:
            return None
        return await commands.order_notice(session, shop=shop, number=number)

    done = await _as_staff(update, context, use)
    if done is not None:
        shop_t, notice = _shop_t(done[0]), done[1]
        await send(update, context, views.order(shop_t, notice) if notice else
                   views.order_usage(shop_t))  # fmt: skip


async def stock_command(update: Update, context: ShopContext) -> None:
    """/stock: levels, lowest first; /stock SKU 12: set one."""
    args = context.args or []

    async def use(session: AsyncSession, shop: Shop) -> object:
        if not args:
            return await commands.stock_overview(session, shop=shop)
        if len(args) < 2:
            return None
        return await commands.set_stock(
            session, shop=shop, sku=args[0], level=" ".join(args[1:]), now=utcnow()
        )

    done = await _as_staff(update, context, use)
    if done is None:
        return
    shop_t, result = _shop_t(done[0]), done[1]
    if isinstance(result, commands.StockOverview):
        await send(update, context, views.stock_overview(shop_t, result))
    elif isinstance(result, commands.StockChange):
        await send(update, context, views.stock_set(shop_t, result))
    else:
        await send(update, context, views.stock_usage(shop_t))


async def price_command(update: Update, context: ShopContext) -> None:
    """/price SKU 19.90: a new price in the shop's currency."""
    args = context.args or []

    async def use(session: AsyncSession, shop: Shop) -> commands.PriceChange | None:
        if len(args) < 2:
            return None
        return await commands.set_price(
            session, shop=shop, sku=args[0], price=" ".join(args[1:]), now=utcnow()
        )

    done = await _as_staff(update, context, use)
    if done is not None:
        shop, change = done
        reply = (
            views.price_set(_shop_t(shop), change)
            if change
            else views.price_usage(_shop_t(shop), shop.merchant.currency)
        )
        await send(update, context, reply)


async def sales_command(update: Update, context: ShopContext) -> None:
    """/sales: paid totals today / 7 / 30 days and a chart of the 30 days."""

    async def use(session: AsyncSession, shop: Shop) -> SalesReport:
        return await sales_report(
            session, merchant_id=shop.merchant.id, currency=shop.merchant.currency, now=utcnow()
        )

    done = await _as_staff(update, context, use)
    if done is None:
        return
    shop_t, report = _shop_t(done[0]), done[1]
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    # Drawing takes a moment of CPU: off the event loop, so other chats are served meanwhile.
    try:
        chart = await asyncio.to_thread(sales_chart_png, report, locale=shop_t.code)
    except Exception:  # the totals are the answer; a chart that failed must not take them away
        log.exception("drawing the sales chart failed")
        chart = None
    await send(update, context, views.sales(shop_t, report, chart))
