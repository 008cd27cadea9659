"""Telegram's limits for the whole deployment: counters in the database every worker shares.

Each call takes a slot in a fixed window (`acquire`): 30 messages per second for the bot, 20 per
minute per group. A 429 anywhere pauses everyone (`pause` / `paused_until`). Plain SQL with an
atomic upsert, so any number of workers on one PostgreSQL database stay within the limits
together; SQLite is one process and keeps PTB's in-process limiter.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, insert_for

PAUSE_KEY = "pause"  # window 0; count holds the end of the pause in milliseconds since 1970


class RateWindow(Base):
    __tablename__ = "rate_windows"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(BigInteger)


async def acquire(session: AsyncSession, *, key: str, window: int, limit: int) -> bool:
    """Takes one of `limit` slots of `key` in `window`; False when the window is full."""
    statement = (
        insert_for(session, RateWindow)
        .values(key=key, window=window, count=1)
        .on_conflict_do_update(
            index_elements=["key", "window"],
            set_={"count": RateWindow.count + 1},
            where=RateWindow.count < limit,
        )
        .returning(RateWindow.count)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def pause(session: AsyncSession, *, until_ms: int) -> None:
    """Everyone waits until `until_ms` (Telegram's retry_after, seen by one worker)."""
    statement = insert_for(session, RateWindow).values(key=PAUSE_KEY, window=0, count=until_ms)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["key", "window"],
            set_={"count": func.greatest(RateWindow.count, statement.excluded.count)}
            if session.get_bind().dialect.name == "postgresql"
            else {"count": func.max(RateWindow.count, statement.excluded.count)},
        )
    )


async def paused_until(session: AsyncSession) -> int:
    """The end of the current deployment-wide pause in ms (0: none ever)."""
    value = await session.scalar(
        select(RateWindow.count).where(RateWindow.key == PAUSE_KEY, RateWindow.window == 0)
    )
    return int(value or 0)


async def forget_windows(session: AsyncSession, *, key: str, before: int) -> None:
    await session.execute(
        delete(RateWindow).where(RateWindow.key == key, RateWindow.window < before)
    )
