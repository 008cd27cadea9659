"""The outbox's dead-letter hook: a refused message to a buyer about an order is told to the
shop, in the shop's language, once per order (`merchants.unreachable_buyers`). Runs in the
transaction that marks the message failed, so the notice is owed exactly when the failure is."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from conversation.views.merchant import buyer_unreachable
from i18n import negotiate_locale, translator
from merchants.unreachable_buyers import shop_to_tell
from outbox import enqueue
from outbox.sender import DeadLetter


async def tell_the_shop(session: AsyncSession, dead: DeadLetter) -> None:
    if dead.order_number is None:
        return
    unreachable = await shop_to_tell(
        session, order_number=dead.order_number, chat_id=dead.chat_id, reason=dead.reason
    )
    if unreachable is None:
        return
    t = translator(negotiate_locale(unreachable.shop.language))
    await enqueue(
        session,
        dedupe_key=unreachable.dedupe_key,
        chat_id=unreachable.chat_id,
        reply=buyer_unreachable(t, unreachable.order_number, unreachable.why),
    )
