"""Whether the bot still owes work, read from its database: updates stored but not processed,
messages owed but never tried.

The demo and the end-to-end tests wait on it (`StandIn.watch_bot`) before reading the next
line: from the wire alone, a bot that spends longer on one update than the stand-in's quiet
time (a loaded machine, a slow query) looks done, and its answer would come after the next line.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import exists, or_, select

from bot.database import SessionFactory
from bot.standin.server import StandIn
from db.base import utcnow
from inbox.models import InboxState, InboxUpdate
from outbox.models import OutboxMessage, OutboxState


async def bot_owes_work(sessions: SessionFactory) -> bool:
    unprocessed = exists().where(InboxUpdate.state != InboxState.DONE.value)
    untried = exists().where(
        or_(
            OutboxMessage.state == OutboxState.SENDING.value,
            (OutboxMessage.state == OutboxState.PENDING.value)
            & (OutboxMessage.attempts == 0)
            & (OutboxMessage.available_at <= utcnow()),
        )
    )
    async with sessions() as session:
        return bool(await session.scalar(select(unprocessed | untried)))


def watch_bot(standin: StandIn, sessions: SessionFactory) -> Callable[[], None]:
    """Until the returned function is called, `standin.settle()` also waits while the bot on
    `sessions` owes work."""

    async def busy() -> bool:
        return await bot_owes_work(sessions)

    return standin.watch_bot(busy)
