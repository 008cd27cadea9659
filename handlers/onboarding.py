"""/newshop in a group (a shop opened in the chat), its payment keys typed in a private chat,
and the shop's link for buyers.

`answer_text` is the hook the group's text handler (`merchant.tracking_answer`) calls first,
returning False when no /newshop question is pending for the sender in that chat;
`answer_key_text` is the private chat's (`text.on_text`), for the keys asked after
`/start keys-<slug>`. A message holding a secret is deleted once it is stored.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import ShopContext
from bot.database import transaction
from catalog.merchants import find_merchant
from conversation.reply import Reply
from conversation.views import onboarding as views
from db import utcnow
from handlers.render import send
from i18n import negotiate_locale, translator
from merchants import onboarding
from merchants.secrets import SecretKeyError
from merchants.signup import ShopNotOpened, Signup
from orders.shipping import has_rules
from storefront.categories import list_categories

_ADMINS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
LINK_PATTERN = r"^/start shop-[a-z0-9][a-z0-9_-]{0,58}$"
KEYS_PATTERN = r"^/start keys-[a-z0-9][a-z0-9_-]{0,58}$"


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", shop_link, filters=private & filters.Regex(LINK_PATTERN)),
        CommandHandler("start", keys_start, filters=private & filters.Regex(KEYS_PATTERN)),
        CommandHandler("newshop", newshop),
    ]


async def newshop(update: Update, context: ShopContext) -> None:
    """/newshop [invite code]: a group admin starts opening a shop here."""
    chat, user, t = update.effective_chat, update.effective_user, context.i18n
    assert chat is not None and user is not None
    if chat.type not in (chat.GROUP, chat.SUPERGROUP):
        await send(update, context, views.not_group(t))
        return
    member = await context.bot.get_chat_member(chat.id, user.id)  # Telegram's word, not ours
    if member.status not in _ADMINS:
        await send(update, context, views.not_admin(t))
        return
    try:
        async with transaction(context.services.sessions) as session:
            step = await onboarding.begin(
                session, policy=Signup(context.services.settings.signup),
                invite=" ".join(context.args or ()) or None, chat_id=chat.id, user_id=user.id,
                now=utcnow(),
            )  # fmt: skip
    except ShopNotOpened as refusal:
        await send(update, context, views.refused(t, refusal.reason))
        return
    await send(update, context, views.ask(t, step))


async def answer_text(update: Update, context: ShopContext) -> bool:
    """The answer to the pending /newshop question, if one is pending (True: answered)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or message is None or not message.text:
        return False
    key = {"chat_id": chat.id, "user_id": user.id}
    try:
        async with transaction(context.services.sessions) as session:
            answered = await onboarding.answer(
                session, policy=Signup(context.services.settings.signup), **key,
                user_name=user.full_name, text=message.text, now=utcnow(),
            )  # fmt: skip
    except ShopNotOpened as refusal:  # the invite was used, or the group took a shop, meanwhile
        async with transaction(context.services.sessions) as session:
            await onboarding.cancel(session, **key)
        await send(update, context, views.refused(context.i18n, refusal.reason))
        return True
    if answered is None:
        return False
    if answered.shop is None or answered.payment is None or answered.zone is None:
        assert answered.step is not None
        await send(update, context, views.ask(
            context.i18n, answered.step, answered.problem, currency=answered.currency,
            refusal=answered.refusal,
        ))  # fmt: skip
        return True
    shop_t = translator(negotiate_locale(answered.shop.language))
    slug, bot = answered.shop.merchant.slug, context.bot.username
    opened = views.opened(
        shop_t, name=answered.shop.merchant.name, link=views.shop_link(bot, slug),
        payment=answered.payment, keys=views.keys_link(bot, slug), zone=answered.zone,
        currency=answered.currency,
    )  # fmt: skip
    await send(update, context, opened)
    return True


async def shop_link(update: Update, context: ShopContext) -> None:
    """`/start shop-<slug>`, from a shop's link: the shop's name and its categories."""
    slug = (context.args or [""])[0].removeprefix("shop-")
    async with transaction(context.services.sessions) as session:
        merchant = await find_merchant(session, slug=slug)
        name = merchant.name if merchant is not None else ""
        categories = await list_categories(session, merchant_id=merchant.id) if merchant else []
        delivers = await has_rules(session, merchant_id=merchant.id) if merchant else False
    if not name:
        await send(update, context, views.no_such_shop(context.i18n))
        return
    await send(update, context, views.shop_welcome(context.i18n, name, categories,
                                                   delivers=delivers))  # fmt: skip


async def keys_start(update: Update, context: ShopContext) -> None:
    """`/start keys-<slug>`: the shop's staff type its payment keys here, one at a time."""
    assert update.effective_user is not None
    slug = (context.args or [""])[0].removeprefix("keys-")
    async with transaction(context.services.sessions) as session:
        asked = await onboarding.begin_keys(
            session, slug=slug, user_id=update.effective_user.id, now=utcnow()
        )
    if asked is None or asked.field is None:
        await send(update, context, views.keys_refused(context.i18n))
        return
    await send(update, context, _ask_key(context, asked))


def _ask_key(context: ShopContext, asked: onboarding.KeyAsked) -> Reply:
    assert asked.field is not None
    path = "stripe" if asked.field.startswith("stripe") else "link"
    url = f"{context.services.settings.web_base_url}/payments/{path}/{asked.slug}"
    return views.ask_key(context.i18n, asked.field, webhook_url=url)


async def answer_key_text(update: Update, context: ShopContext) -> bool:
    """A payment key typed in the private chat, if one was asked (True: taken)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or not message.text:
        return False
    try:
        async with transaction(context.services.sessions) as session:
            asked = await onboarding.answer_key(
                session, user_id=user.id, text=message.text, box=context.services.secrets,
                now=utcnow(),
            )  # fmt: skip
    except SecretKeyError:  # no CHATSHOP_SECRET_KEY: nothing was stored
        await _forget(context, message.chat_id, message.message_id)
        await send(update, context, views.keys_cannot_be_stored(context.i18n))
        return True
    if asked is None:
        return False
    if asked.secret:
        await _forget(context, message.chat_id, message.message_id)
    if asked.refused:
        reply = views.keys_refused(context.i18n)
    elif asked.field is None:
        reply = views.keys_saved(context.i18n)
    else:
        reply = _ask_key(context, asked)
    await send(update, context, reply)
    return True


async def _forget(context: ShopContext, chat_id: int, message_id: int) -> None:
    """Deletes the message that held a secret (best effort: the chat is private anyway)."""
    with contextlib.suppress(TelegramError):
        await context.bot.delete_message(chat_id, message_id)
