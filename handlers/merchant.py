"""The merchant's chat: /setup binds a group to a shop, order notice buttons, the Ship dialog,
Cancel and refund (asked, then confirmed with a second button).

Presses are authorised by `merchants.desk` (the chat's shop, the order's shop, the presser on
its staff); what a change owes (the edited notice, the buyer's message) goes through the outbox
in the change's transaction. Toasts answer the presser in their own language; what the bot
posts in the chat is in the shop's language.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import ShopContext, ShopHandler
from bot.database import transaction
from conversation import callbacks
from conversation.views import common
from conversation.views import merchant as views
from db import utcnow
from handlers import onboarding, second_payments
from handlers.render import send
from handlers.routing import on
from i18n import negotiate_locale, translator
from merchants import desk, refunds, tracking_prompts
from merchants.binding import bind_chat
from orders.dialog import DialogKey, clear_dialog, load_dialog, save_dialog
from orders.errors import MissingTracking
from orders.shipping import has_rules
from outbox import enqueue
from outbox.telegram import deliver_owed
from payments import Provider

SHIP_DIALOG_IDLE = timedelta(hours=1)
REFUND_CHANNEL = "telegram:refund"  # its own dialog row: a Ship dialog under way is kept
_ADMINS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


def handlers() -> list[ShopHandler]:
    groups = filters.ChatType.GROUPS
    return [
        CommandHandler("setup", setup),
        CallbackQueryHandler(press, pattern=on("mord")),
        CallbackQueryHandler(second_payments.refunded, pattern=on("m2ref")),
        MessageHandler(groups & filters.TEXT & ~filters.COMMAND, tracking_answer),
    ]


def _actor_name(update: Update) -> str:
    user = update.effective_user
    assert user is not None
    return user.full_name + (f" (@{user.username})" if user.username else "")


async def setup(update: Update, context: ShopContext) -> None:
    """/setup <shop> <code>: a chat administrator makes this group the shop's order chat."""
    chat, user, t = update.effective_chat, update.effective_user, context.i18n
    assert chat is not None and user is not None
    if chat.type not in (chat.GROUP, chat.SUPERGROUP):
        await send(update, context, views.setup_not_group(t))
        return
    if not context.args:
        await send(update, context, views.setup_usage(t))
        return
    member = await context.bot.get_chat_member(chat.id, user.id)  # Telegram's word, not ours
    if member.status not in _ADMINS:
        await send(update, context, views.setup_not_admin(t))
        return
    async with transaction(context.services.sessions) as session:
        shop = await bind_chat(
            session, slug=context.args[0], chat_id=chat.id, user_id=user.id,
            user_name=_actor_name(update), code=" ".join(context.args[1:]) or None,
        )  # fmt: skip
        delivers = shop is not None and await has_rules(session, merchant_id=shop.merchant.id)
    if shop is None:
        await send(update, context, views.setup_refused(t))
        return
    shop_t = translator(negotiate_locale(shop.language))
    await send(update, context, views.setup_done(shop_t, shop.merchant.name, delivers=delivers))


async def press(update: Update, context: ShopContext) -> None:
    """Accept / Ship / Cancel and refund / Delivered on an order notice: only staff, and a
    second press changes nothing."""
    query, user, t = update.callback_query, update.effective_user, context.i18n
    assert query is not None and user is not None
    try:
        pressed = callbacks.decode(query.data)
        action = desk.Action(pressed.str(0))
        order_id = pressed.int(1)
    except (callbacks.InvalidCallback, ValueError):
        await send(update, context, common.button_expired(t))
        return
    message = query.message
    if message is None:
        await send(update, context, common.button_expired(t))
        return
    if action is desk.Action.CONFIRM_REFUND:
        await confirm_refund(update, context, order_id)
        return
    try:
        async with transaction(context.services.sessions) as session:
            result = await desk.act(
                session, chat_id=message.chat.id, user_id=user.id,
                actor_name=_actor_name(update), order_id=pressed.int(1), action=action,
                notice_message_id=message.message_id, now=utcnow(),
            )  # fmt: skip
            await _owe(session, result)
            if result.ask_tracking:
                await save_dialog(
                    session, channel=desk.CHANNEL, chat_id=message.chat.id, user_id=user.id,
                    step=desk.SHIP_STEP,
                    data={"order_id": pressed.int(1), "notice_message_id": message.message_id},
                )  # fmt: skip
    except desk.DeskRefused as refusal:
        await query.answer(views.refused(t, refusal.refusal, refusal.status).notice)
        return
    if result.ask_tracking:
        shop_t = translator(negotiate_locale(result.language))
        asked = views.ask_tracking(shop_t, result.number, user.first_name, user.id,
                                   correcting=action is desk.Action.RETRACK)  # fmt: skip
        prompt = await send(update, context, asked)
        if prompt is not None:  # a reply to it names the order, whoever of the staff sends it
            async with transaction(context.services.sessions) as session:
                await tracking_prompts.remember(
                    session, chat_id=message.chat.id, message_id=prompt.message_id,
                    prompt=tracking_prompts.Prompt(order_id, message.message_id), now=utcnow(),
                )  # fmt: skip
        return
    if result.confirm_refund is not None:
        # The confirmation comes as a new message; remember which notice to edit once it is
        # pressed (the outbox may not have recorded the notice's id yet).
        async with transaction(context.services.sessions) as session:
            await save_dialog(
                session, channel=REFUND_CHANNEL, chat_id=message.chat.id, user_id=user.id,
                step="confirm", data={"order_id": order_id, "notice": message.message_id},
            )  # fmt: skip
        shop_t = translator(negotiate_locale(result.language))
        confirm = views.confirm_refund(shop_t, order_id, result.number, result.confirm_refund)
        await send(update, context, confirm)
        return
    reply = views.done(t, result.status) if result.changed else views.unchanged(t, result.status)
    await query.answer(reply.notice)
    if result.owed:
        await deliver_owed(context.application)


async def confirm_refund(update: Update, context: ShopContext, order_id: int) -> None:
    """The second press of Cancel and refund: the provider refunds, then the order changes."""
    query, user, t = update.callback_query, update.effective_user, context.i18n
    assert query is not None and user is not None and query.message is not None
    directory = context.services.payments
    provider_for = directory.took_payment if directory is not None else _no_provider
    key: DialogKey = {
        "channel": REFUND_CHANNEL,
        "chat_id": query.message.chat.id,
        "user_id": user.id,
    }
    async with transaction(context.services.sessions) as session:
        dialog = await load_dialog(session, **key, max_idle=SHIP_DIALOG_IDLE, now=utcnow())
    asked = dialog.data if dialog is not None else {}
    notice_id = asked.get("notice") if asked.get("order_id") == order_id else None
    try:
        result = await refunds.refund_order(
            context.services.sessions, provider_for, _owe, chat_id=query.message.chat.id,
            user_id=user.id, actor_name=_actor_name(update), order_id=order_id,
            notice_message_id=notice_id if isinstance(notice_id, int) else None, now=utcnow(),
        )  # fmt: skip
    except desk.DeskRefused as refusal:
        await query.answer(views.refused(t, refusal.refusal, refusal.status).notice)
        return
    except refunds.RefundFailed as failed:  # said in the chat: everyone there should know
        shop_t = translator(negotiate_locale(failed.language))
        await send(update, context, views.refund_failed(shop_t, failed.problem, failed.number))
        return
    shop_t = translator(negotiate_locale(result.language))
    await send(update, context, views.refunded(shop_t, result.number, result.changed))
    if result.owed:
        await deliver_owed(context.application)


async def _no_provider(session: AsyncSession, merchant_id: int, name: str) -> Provider | None:
    return None  # this server runs without payments: nothing can be refunded through it


async def tracking_answer(update: Update, context: ShopContext) -> None:
    """The carrier and tracking number a staff member was asked for after pressing Ship (or
    Correct tracking)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or message is None or not message.text:
        return
    if await onboarding.answer_text(update, context):  # an answer to /newshop's question
        return
    key: DialogKey = {"channel": desk.CHANNEL, "chat_id": chat.id, "user_id": user.id}
    prompt = await _prompt_answered(update, context, key)
    if prompt is None:
        return  # ordinary chatter in the shop's group: not for the bot
    try:
        found = desk.parse_tracking(message.text)
        async with transaction(context.services.sessions) as session:
            result = await desk.ship(
                session, chat_id=chat.id, user_id=user.id, actor_name=_actor_name(update),
                order_id=prompt.order_id, carrier=found.carrier, tracking=found.number,
                notice_message_id=prompt.notice_message_id, now=utcnow(),
            )  # fmt: skip
            await _owe(session, result)
            own = await load_dialog(session, **key)
            if own is not None and own.data.get("order_id") == prompt.order_id:
                await clear_dialog(session, **key)
    except MissingTracking:
        asked = await send(update, context, views.bad_tracking(context.i18n, user.first_name,
                                                               user.id))  # fmt: skip
        if asked is not None:  # a reply to the second question names the same order
            async with transaction(context.services.sessions) as session:
                await tracking_prompts.remember(session, chat_id=chat.id,
                                                message_id=asked.message_id, prompt=prompt,
                                                now=utcnow())  # fmt: skip
        return
    except desk.DeskRefused as refusal:
        async with transaction(context.services.sessions) as session:
            await clear_dialog(session, **key)
        await send(update, context, views.refused(context.i18n, refusal.refusal, refusal.status))
        return
    shop_t = translator(negotiate_locale(result.language))
    done = (
        views.done(shop_t, result.status)
        if result.changed
        else views.unchanged(shop_t, result.status)
    )
    await send(update, context, done)
    if result.owed:
        await deliver_owed(context.application)


async def _prompt_answered(
    update: Update, context: ShopContext, key: DialogKey
) -> tracking_prompts.Prompt | None:
    """The order a staff message gives tracking for: the prompt it replies to, else the one
    the sender was last asked (a typed answer, where the bot reads the whole group)."""
    message, now = update.effective_message, utcnow()
    assert message is not None
    replied = message.reply_to_message
    async with transaction(context.services.sessions) as session:
        if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
            prompt = await tracking_prompts.answered(
                session, chat_id=message.chat.id, message_id=replied.message_id, now=now
            )
            if prompt is not None:
                return prompt
        dialog = await load_dialog(session, **key, max_idle=SHIP_DIALOG_IDLE, now=now)
    if dialog is None or dialog.step != desk.SHIP_STEP:
        return None
    notice = dialog.data.get("notice_message_id")
    return tracking_prompts.Prompt(
        int(dialog.data["order_id"]), notice if isinstance(notice, int) else None
    )


async def _owe(session: AsyncSession, result: desk.DeskResult) -> None:
    for owed in result.owed:
        await enqueue(
            session,
            dedupe_key=owed.dedupe_key,
            chat_id=owed.chat_id,
            reply=views.render(owed),
            edit_message_id=owed.edit_message_id,
            # News to the buyer about their order: a refusal is told to the shop.
            order_number=owed.content.number if isinstance(owed.content, desk.BuyerNews) else None,
        )
