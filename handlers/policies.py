"""`/policy` for a shop's staff in its group: the returns, shipping and payment texts the
assistant answers buyers' questions with (`merchants.policies`).

`/policy` lists them; `/policy returns <text>` sets one (the rest of the message, its lines
kept); `/policy returns clear` removes it. Staff are checked on the server
(`merchants.commands.staff_shop`); the replies are in the shop's language.
"""

from __future__ import annotations

import re
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import ShopContext
from bot.database import transaction
from conversation.reply import Reply
from conversation.views import merchant as desk_views
from conversation.views import policies as views
from handlers.render import send
from i18n import Translator, negotiate_locale, translator
from merchants import commands
from merchants.desk import DeskRefused
from merchants.policies import PolicyKind, PolicyTooLong, policies_of, set_policy

# "/policy[@bot] returns <text>": the kind, then everything after it, newlines included.
_COMMAND: Final = re.compile(r"^/policy(?:@\w+)?\s+(\w+)\s*(.*)$", re.DOTALL | re.IGNORECASE)
CLEAR_WORDS: Final = frozenset({"clear", "-", "none"})


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CommandHandler("policy", policy_command, filters=filters.ChatType.GROUPS)]


async def policy_command(update: Update, context: ShopContext) -> None:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert chat is not None and user is not None and message is not None
    found = _COMMAND.match(message.text or "")
    kind_word, text = (found.group(1).lower(), found.group(2).strip()) if found else ("", "")
    shop_t: Translator = context.i18n
    try:
        async with transaction(context.services.sessions) as session:
            shop = await commands.staff_shop(session, chat_id=chat.id, user_id=user.id)
            shop_t = translator(negotiate_locale(shop.language))
            reply: Reply
            if kind_word and kind_word not in {k.value for k in PolicyKind}:
                reply = Reply(views.usage(shop_t))
            else:
                saved = bool(kind_word and text)
                if saved:
                    kind = PolicyKind(kind_word)
                    words = "" if text.lower() in CLEAR_WORDS else text
                    await set_policy(session, merchant_id=shop.merchant.id, kind=kind, text=words)
                own = await policies_of(session, merchant_id=shop.merchant.id)
                reply = views.policies(shop_t, shop.merchant.name, own, saved=saved)
    except DeskRefused as refusal:
        reply = desk_views.refused(context.i18n, refusal.refusal, None)
    except PolicyTooLong:
        reply = views.too_long(shop_t, len(text))
    await send(update, context, reply)
