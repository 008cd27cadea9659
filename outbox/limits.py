"""Telegram's limits for the whole deployment: counters in the database every worker shares.

Each call takes a slot in a fixed window (`acquire`): 30 messages per second for the bot, 20 per
minute per group. A 429 anywhere pauses everyone (`pause` / `paused_until`). Plain SQL with an
atomic upsert, so any number of workers on one PostgreSQL database stay within the limits
together; SQLite is one process and keeps PTB's in-process limiter.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, String, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from db import Base, insert_for

PAUSE_KEY = "pause"  # window 0; count holds the end of the pause in milliseconds since 1970


class RateWindow(Base):
    __tablename__ = "rate_windows"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True, slots=True)
class Slots:
    taken: int  # all those asked for, or 0 when the window has no room for them
    paused_until_ms: int  # the deployment-wide pause's end, read by the same statement (0: none)


async def acquire(session: AsyncSession, *, key: str, window: int, limit: int) -> bool:
    """Takes one of `limit` slots of `key` in `window`; False when the window is full."""
    return (await take_slots(session, key=key, window=window, limit=limit)).taken > 0


async def take_slots(
    session: AsyncSession, *, key: str, window: int, limit: int, count: int = 1
) -> Slots:
    """Takes `count` of `limit` slots of `key` in `window`, all or none, and reads the pause in
    the same statement (a worker sending many messages takes a few at once: one statement for
    them, not one each)."""
    if not 0 < count <= limit:
        raise ValueError(f"between 1 and {limit} slots at once, not {count}")
    pause_row = aliased(RateWindow)
    paused = (
        select(pause_row.count)
        .where(pause_row.key == PAUSE_KEY, pause_row.window == 0)
        .scalar_subquery()
    )
    statement = (
        insert_for(session, RateWindow)
        .values(key=key, window=window, count=count)
        .on_conflict_do_update(
            index_elements=["key", "window"],
            set_={"count": RateWindow.count + count},
            where=RateWindow.count + count <= limit,
        )
        .returning(RateWindow.count, paused)
    )
    row = (await session.execute(statement)).first()
    if row is None:
        return Slots(0, 0)
    return Slots(count, int(row[1] or 0))


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
