"""`/setup <shop> <code>` in a group: makes it the merchant's order chat.

The handler has already verified with Telegram (getChatMember) that the sender administers the
chat; this decides whether they may claim *that* shop: one of its staff (moving it to another
group), or whoever gives the shop's one-time claim code (`chatshop merchant add` prints it;
see `merchants.signup`). Without the right code nothing is claimed. The sender joins the staff.
A chat serves one shop only.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from merchants.settings import Shop
from merchants.signup import claim_shop


async def bind_chat(
    session: AsyncSession, *, slug: str, chat_id: int, user_id: int, user_name: str = "",
    code: str | None = None,
) -> Shop | None:  # fmt: skip
    """The shop now notified in `chat_id`, or None when the sender may not bind it there."""
    return await claim_shop(
        session, slug=slug, code=code, chat_id=chat_id, user_id=user_id, user_name=user_name
    )
