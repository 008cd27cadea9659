"""Short leases on rows that a worker claims (the inbox's updates, the outbox's messages).

A claimed row carries `claim_token`, `state` and `claimed_until`; its worker renews the lease
while it is alive, and a worker that dies simply stops renewing, so another one claims the row
once `claimed_until` has passed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rowcount


async def renew_leases(
    session: AsyncSession,
    model: Any,  # a mapped class with claim_token, state and claimed_until columns
    *,
    busy: str,
    tokens: Collection[str],
    now: datetime,
    lease: timedelta,
) -> int:
    """Extends the leases still held under `tokens` (rows still in state `busy`); how many."""
    if not tokens:
        return 0
    result = await session.execute(
        update(model)
        .where(model.claim_token.in_(list(tokens)), model.state == busy)
        .values(claimed_until=now + lease)
    )
    return rowcount(result)


async def wait_for_wake(wake: asyncio.Event, stop: asyncio.Event, *, seconds: float) -> None:
    """A claiming worker's idle wait: until it is woken, told to stop, or `seconds` pass (then
    it polls the table again, for rows another worker wrote or a dead one left)."""
    waiters = [asyncio.ensure_future(event.wait()) for event in (wake, stop)]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
