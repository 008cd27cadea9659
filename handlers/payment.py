"""The buyer's Pay button: hands the order off to the payment provider's checkout page."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import ShopContext, ShopHandler
from conversation import callbacks
from conversation.views import common, payment
from db import utcnow
from handlers.render import send
from handlers.routing import on
from payments import ProviderUnavailable
from payments.pay_button import NotPayable, PaymentsNotSetUp, payment_link


async def pay(update: Update, context: ShopContext) -> None:
    assert update.callback_query is not None and context.buyer is not None
    t, services = context.i18n, context.services
    try:
        order_id = callbacks.decode(update.callback_query.data).int(0)
    except callbacks.InvalidCallback:
        await send(update, context, common.button_expired(t))
        return
    directory = services.payments
    if directory is None:
        await send(update, context, payment.payments_not_set_up(t))
        return
    try:
        link = await payment_link(
            services.sessions,
            directory,
            customer_id=context.buyer.customer_id,
            order_id=order_id,
            locale=context.buyer.locale,
            public_url=services.settings.web_base_url,
            now=utcnow(),
        )
    except NotPayable as refused:
        reply = (
            common.button_expired(t)
            if refused.order is None
            else payment.not_payable(t, refused.order)
        )
        await send(update, context, reply)
        return
    except PaymentsNotSetUp:
        await send(update, context, payment.payments_not_set_up(t))
        return
    except ProviderUnavailable:
        await send(update, context, payment.provider_unavailable(t))
        return
    # The currency the order's prices were shown in, not today's preference.
    await send(update, context, payment.payment_link(t, link.order.buyer_total.currency, link))


def handlers() -> list[ShopHandler]:
    return [CallbackQueryHandler(pay, pattern=on("pay"))]
