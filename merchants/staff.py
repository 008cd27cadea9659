"""Who may act on a merchant's orders: Telegram user ids, checked on every press."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import insert_for, rowcount
from merchants.models import StaffMember


async def is_staff(session: AsyncSession, *, merchant_id: int, user_id: int) -> bool:
    found = await session.scalar(
        select(StaffMember.telegram_user_id).where(
            StaffMember.merchant_id == merchant_id, StaffMember.telegram_user_id == user_id
        )
    )
    return found is not None


async def add_staff(
    session: AsyncSession, *, merchant_id: int, user_id: int, name: str = ""
) -> bool:
    """Adds one (True), or finds them already there (False)."""
    statement = (
        insert_for(session, StaffMember)
        .values(merchant_id=merchant_id, telegram_user_id=user_id, name=name[:200])
        .on_conflict_do_nothing(index_elements=["merchant_id", "telegram_user_id"])
        .returning(StaffMember.telegram_user_id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def remove_staff(session: AsyncSession, *, merchant_id: int, user_id: int) -> bool:
    result = await session.execute(
        delete(StaffMember).where(
            StaffMember.merchant_id == merchant_id, StaffMember.telegram_user_id == user_id
        )
    )
    return bool(rowcount(result))


async def list_staff(session: AsyncSession, *, merchant_id: int) -> list[int]:
    rows = await session.scalars(
        select(StaffMember.telegram_user_id)
        .where(StaffMember.merchant_id == merchant_id)
        .order_by(StaffMember.telegram_user_id)
    )
    return list(rows)
