"""Keeping exchange rates fresh: a PTB job on a schedule and `chatshop rates refresh` on demand.

Every worker runs the job; the refresh is an idempotent upsert of one day's rates, so several
workers refreshing at once only repeat each other. A failed fetch keeps the last good rates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from typing import Any

import httpx
from telegram.ext import Application

from bot.context import ShopContext
from bot.database import SessionFactory
from bot.settings import Settings
from money.rate_store import RatesUnavailable, latest_rates, refresh_rates
from money.rates import RateTable

log = logging.getLogger(__name__)
FIRST_REFRESH_AFTER = dt.timedelta(seconds=30)  # let the bot answer its first updates first


async def refresh(settings: Settings, sessions: SessionFactory) -> RateTable:
    """Fetches and stores today's rates; raises `RatesUnavailable` (nothing changed) on failure."""
    async with httpx.AsyncClient(timeout=20, follow_redirects=True) as client:
        return await refresh_rates(sessions, client, settings.fx_rates_url)


async def _refresh_job(context: ShopContext) -> None:
    services = context.services
    # refresh_rates logged why it failed; quotes go on from the last good rates.
    with contextlib.suppress(RatesUnavailable):
        await refresh(services.settings, services.sessions)


def schedule_refresh(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> None:
    if not settings.fx_refresh_hours or application.job_queue is None:
        return
    application.job_queue.run_repeating(
        _refresh_job,
        interval=dt.timedelta(hours=settings.fx_refresh_hours),
        first=FIRST_REFRESH_AFTER,
        name="refresh exchange rates",
    )


async def refresh_command(settings: Settings, sessions: SessionFactory) -> int:
    """`chatshop rates refresh`: one line saying what happened; exit status 1 on failure."""
    try:
        table = await refresh(settings, sessions)
    except RatesUnavailable as error:
        async with sessions() as session:
            kept = await latest_rates(session)
        since = f" of {kept.date.isoformat()}" if kept else ""
        print(
            f"Exchange rates not refreshed ({error.reason}); "
            f"the last good rates{since} stay in use."
        )
        return 1
    print(f"Exchange rates of {table.date.isoformat()} stored: {len(table.rates)} currencies.")
    return 0
