"""Short leases on rows that a worker claims (the inbox's updates, the outbox's messages).

A claimed row carries `claim_token`, `state` and `claimed_until`; its worker renews the lease
while it is alive, and a worker that dies simply stops renewing, so another one claims the row
once `claimed_until` has passed.

A worker with a stable name (`CHATSHOP_WORKER_NAME`) writes tokens `<name>:<random>`. Restarted
under that name, it knows its previous process is dead (two live workers never share a name), so
it releases the rows still claimed under the name at once (`release_worker_claims`) instead of
waiting for their leases to run out.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rowcount

CLAIM_TOKEN_LENGTH = 36  # the claim_token columns' width (a uuid4 as text)
# Short enough that `<name>:` leaves at least 15 random characters (90 bits) of the token.
WORKER_NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,20}$"
_WORKER_NAME = re.compile(WORKER_NAME_PATTERN)


def new_claim_token(worker: str | None = None) -> str:
    """A fresh claim token: a uuid4 without a worker name, else `<worker>:` and random text."""
    if worker is None:
        return str(uuid.uuid4())
    if not _WORKER_NAME.match(worker):
        raise ValueError(f"a worker name is 1-20 of A-Z a-z 0-9 _ . -, not {worker!r}")
    room = CLAIM_TOKEN_LENGTH - len(worker) - 1
    return f"{worker}:{secrets.token_urlsafe(CLAIM_TOKEN_LENGTH)[:room]}"


async def release_worker_claims(
    session: AsyncSession,
    model: Any,  # a mapped class with claim_token, state and claimed_until columns
    *,
    busy: str,
    worker: str,
    values: Mapping[str, Any],
) -> int:
    """Gives up the rows still in state `busy` under a token of `worker` (its previous process
    died): they get `values` (their idle state) with no lease and no token; how many.

    The token is cleared, so whatever the dead process began can never be recorded under it.
    Compared by prefix with `substr`, not LIKE: LIKE would read `_` in a name as a wildcard
    and, on SQLite, ignore case."""
    prefix = f"{worker}:"
    result = await session.execute(
        update(model)
        .where(model.state == busy, func.substr(model.claim_token, 1, len(prefix)) == prefix)
        .values(claimed_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


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
