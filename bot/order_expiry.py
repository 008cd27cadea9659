"""Unpaid orders expire on time: a PTB job on every worker hands their stock back.

`orders.expiry.expire_unpaid` skips rows another worker has locked, so running the job on
every worker splits the work rather than repeating it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from telegram.ext import Application

from bot.context import ShopContext
from bot.database import SessionFactory, transaction
from db import utcnow
from orders.expiry import BATCH, expire_unpaid

log = logging.getLogger(__name__)
EVERY = dt.timedelta(minutes=1)


async def expire_due_orders(sessions: SessionFactory, *, now: dt.datetime | None = None) -> int:
    """Expires every order due at `now`, a batch per transaction; how many expired."""
    now = now or utcnow()
    total = 0
    while True:
        async with transaction(sessions) as session:
            numbers = await expire_unpaid(session, now=now)
        total += len(numbers)
        if numbers:
            log.info("unpaid orders expired, stock released: %s", ", ".join(numbers))
        if len(numbers) < BATCH:
            return total


async def _job(context: ShopContext) -> None:
    await expire_due_orders(context.services.sessions)


def schedule_expiry(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if application.job_queue is not None:
        application.job_queue.run_repeating(_job, interval=EVERY, first=EVERY, name="expire orders")
