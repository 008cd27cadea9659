"""A buyer the bot can no longer reach: which shop must hear of it, and why, in plain words.

When Telegram refuses a message to a buyer for good (they blocked the bot, their account is
gone), the outbox dead-letters it. If the message was about an order (paid, shipped, refunded),
that order's shop is told once, so staff can reach the buyer another way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from merchants.settings import Shop, shop_of
from orders.customers import Customer
from orders.models import Order


class Why(StrEnum):
    BLOCKED = "blocked"  # the buyer blocked the bot
    GONE = "gone"  # the account was deleted, or the chat no longer exists
    REFUSED = "refused"  # another permanent refusal


@dataclass(frozen=True, slots=True)
class Unreachable:
    shop: Shop
    chat_id: int  # the shop's chat
    order_number: str
    why: Why

    @property
    def dedupe_key(self) -> str:
        """Once per order, however many of its messages are refused."""
        return f"order:{self.order_number}:buyer-unreachable"


def why(reason: str) -> Why:
    """The channel's refusal (the transport's words, Telegram's description) as a reason."""
    text = reason.lower()
    if "blocked" in text:
        return Why.BLOCKED
    if "deactivated" in text or "chat not found" in text or "user not found" in text:
        return Why.GONE
    return Why.REFUSED


async def shop_to_tell(
    session: AsyncSession, *, order_number: str, chat_id: int, reason: str
) -> Unreachable | None:
    """The shop of `order_number` when `chat_id` is that order's buyer and the shop has a chat
    (not the refused one); None otherwise: nobody else is told."""
    row = (
        await session.execute(
            select(Order.merchant_id, Customer.telegram_user_id)
            .join(Customer, Customer.id == Order.customer_id)
            .where(Order.number == order_number)
        )
    ).first()
    if row is None or row.telegram_user_id != chat_id:
        return None
    shop = await shop_of(session, row.merchant_id)
    if shop is None or shop.settings.notify_chat_id in (None, chat_id):
        return None
    assert shop.settings.notify_chat_id is not None
    return Unreachable(shop, shop.settings.notify_chat_id, order_number, why(reason))
