"""The shop's Refunded button on a second payment it was asked to refund (its own provider
cannot refund through us): staff only, in the shop's chat; a second press changes nothing.

The buyer's message is owed in the transaction that records the refund
(`merchants.second_payments.mark_refunded_by_shop`); the press is answered with a toast in the
presser's language, and the button is taken off the notice.
"""

from __future__ import annotations

import contextlib

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import TelegramError

from bot.context import ShopContext
from bot.database import transaction
from conversation import callbacks
from conversation.views import common
from conversation.views import merchant as views
from conversation.views.payment import second_payment_recorded
from db import utcnow
from handlers.payment_updates import owe_second_payment_news
from handlers.render import send
from merchants import desk
from merchants.second_payments import SecondPaymentNews, mark_refunded_by_shop, order_of_payment
from outbox.telegram import deliver_owed


async def refunded(update: Update, context: ShopContext) -> None:
    query, user, t = update.callback_query, update.effective_user, context.i18n
    assert query is not None and user is not None
    try:
        payment_id = callbacks.decode(query.data).int(0)
    except (callbacks.InvalidCallback, ValueError):
        await send(update, context, common.button_expired(t))
        return
    if query.message is None:
        await send(update, context, common.button_expired(t))
        return
    try:
        async with transaction(context.services.sessions) as session:
            order = await order_of_payment(session, payment_id)
            if order is None:
                raise desk.DeskRefused(desk.Refusal.NOT_FOUND)
            await desk.authorise(
                session, chat_id=query.message.chat.id, user_id=user.id, order_id=order.id
            )
            news = await mark_refunded_by_shop(session, _owe, payment_id=payment_id, now=utcnow())
    except desk.DeskRefused as refusal:
        await query.answer(views.refused(t, refusal.refusal, refusal.status).notice)
        return
    await query.answer(second_payment_recorded(t, changed=news is not None))
    with contextlib.suppress(TelegramError):  # too old to edit, or the button is gone already
        await query.edit_message_reply_markup(None)  # done: nothing left to press
    if news is not None:
        await deliver_owed(context.application)


async def _owe(session: AsyncSession, news: SecondPaymentNews) -> None:
    await owe_second_payment_news(session, news)
