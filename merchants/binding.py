"""`/setup <shop>` in a group: makes it the merchant's order chat.

The handler has already verified with Telegram (getChatMember) that the sender administers the
chat; this decides whether they may claim *that* shop. Allowed: one of the shop's staff, or
anyone for a shop that has neither staff nor a chat yet (its first setup, right after
`chatshop merchant add`). The sender joins the staff. A chat serves one shop only.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from merchants.models import MerchantSettings
from merchants.settings import Shop, shop_by_slug
from merchants.staff import add_staff, is_staff, list_staff


async def bind_chat(
    session: AsyncSession, *, slug: str, chat_id: int, user_id: int, user_name: str = ""
) -> Shop | None:
    """The shop now notified in `chat_id`, or None when the sender may not bind it there."""
    shop = await shop_by_slug(session, slug.strip().lower())
    if shop is None:
        return None
    merchant_id = shop.merchant.id
    staff = await list_staff(session, merchant_id=merchant_id)
    first_setup = not staff and shop.settings.notify_chat_id is None
    if not first_setup and not await is_staff(session, merchant_id=merchant_id, user_id=user_id):
        return None
    taken = await session.scalar(
        select(MerchantSettings.merchant_id).where(
            MerchantSettings.notify_chat_id == chat_id,
            MerchantSettings.merchant_id != merchant_id,
        )
    )
    if taken is not None:
        return None
    shop.settings.notify_chat_id = chat_id
    await add_staff(session, merchant_id=merchant_id, user_id=user_id, name=user_name)
    await session.flush()
    return shop
