"""Buyer ↔ shop messages: "Ask the shop" on an order, the question, the staff member's reply.

The buyer's question is the next text they send after pressing the button: `answer_text` is the
hook `handlers.text.on_text` calls first (as it calls the checkout's), returning False when no
question is pending. A staff member answers with a Telegram reply to the question's notice in
the shop's group; any other group text goes on to the Ship dialog (`merchant.tracking_answer`).
Both directions go through the outbox, written in the transaction that takes the message.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import ShopContext, ShopHandler
from bot.database import transaction
from conversation import callbacks
from conversation.views import common
from conversation.views import questions as views
from db import utcnow
from handlers import merchant
from handlers.render import send
from handlers.routing import on
from i18n import negotiate_locale, translator
from merchants import questions
from merchants.questions import OwedMessage, QuestionRefusal, QuestionRefused
from orders.dialog import DialogKey
from outbox import enqueue
from outbox.telegram import deliver_owed

CHANNEL = "telegram"


def handlers() -> list[ShopHandler]:
    replies = (
        filters.ChatType.GROUPS
        & filters.UpdateType.MESSAGE
        & filters.TEXT
        & ~filters.COMMAND
        & filters.REPLY
    )
    return [
        CallbackQueryHandler(ask_pressed, pattern=on("ask", "askm")),
        MessageHandler(replies, staff_reply),
    ]


async def _owe(session: AsyncSession, owed: OwedMessage) -> None:
    await enqueue(
        session, dedupe_key=owed.dedupe_key, chat_id=owed.chat_id, reply=views.render(owed)
    )


async def ask_pressed(update: Update, context: ShopContext) -> None:
    """ "Ask the shop" on one of the buyer's orders, "Ask <shop>" before buying (or Cancel
    under the prompt)."""
    chat, user, t = update.effective_chat, update.effective_user, context.i18n
    assert chat is not None and user is not None and context.buyer is not None
    assert update.callback_query is not None
    try:
        pressed = callbacks.decode(update.callback_query.data)
        order_id = pressed.int(0)
    except callbacks.InvalidCallback:
        await send(update, context, common.button_expired(t))
        return
    key: DialogKey = {"channel": CHANNEL, "chat_id": chat.id, "user_id": user.id}
    target = {"order_id": order_id} if pressed.action == "ask" else {"merchant_id": order_id}
    if target.get("order_id") == views.CANCEL_ORDER:
        async with transaction(context.services.sessions) as session:
            await questions.cancel_question(session, **key)
        await send(update, context, views.question_cancelled(t))
        return
    try:
        async with transaction(context.services.sessions) as session:
            asking = await questions.start_question(
                session, **key, customer_id=context.buyer.customer_id, **target, now=utcnow(),
            )  # fmt: skip
    except QuestionRefused as refused:
        if refused.refusal is QuestionRefusal.NOT_FOUND:
            await send(update, context, common.button_expired(t))
        else:
            await send(update, context, views.refused(t, refused.refusal))
        return
    await send(update, context, views.ask_prompt(t, asking))


async def answer_text(update: Update, context: ShopContext) -> bool:
    """The buyer's text while a question is pending: sent to the shop. False otherwise."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or message is None or context.buyer is None:
        return False
    key: DialogKey = {"channel": CHANNEL, "chat_id": chat.id, "user_id": user.id}
    try:
        async with transaction(context.services.sessions) as session:
            asked = await questions.ask(
                session, **key, customer_id=context.buyer.customer_id,
                message_id=message.message_id, text=message.text or "", now=utcnow(),
            )  # fmt: skip
            if asked is not None:
                await _owe(session, asked.owed)
    except QuestionRefused as refused:
        if refused.refusal is not QuestionRefusal.TOO_LONG:  # nothing left to send it to
            async with transaction(context.services.sessions) as session:
                await questions.cancel_question(session, **key)
        await send(update, context, views.refused(context.i18n, refused.refusal))
        return True
    if asked is None:
        return False
    await send(update, context, views.question_sent(context.i18n, asked.number,
                                                    asked.merchant_name))  # fmt: skip
    await deliver_owed(context.application)
    return True


async def staff_reply(update: Update, context: ShopContext) -> None:
    """A reply in a group: to a question notice, it goes to the buyer; else the Ship dialog."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert chat is not None and user is not None and message is not None
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        await merchant.tracking_answer(update, context)
        return
    try:
        async with transaction(context.services.sessions) as session:
            answered = await questions.answer(
                session, chat_id=chat.id, user_id=user.id, replied_message_id=replied.message_id,
                message_id=message.message_id, text=message.text or "",
            )  # fmt: skip
            if answered is not None:
                await _owe(session, answered.owed)
    except QuestionRefused as refused:
        await send(update, context, views.refused(context.i18n, refused.refusal))
        return
    if answered is None:
        await merchant.tracking_answer(update, context)
        return
    shop_t = translator(negotiate_locale(answered.language))
    await send(update, context, views.answer_sent(shop_t, answered.number))
    await deliver_owed(context.application)
