"""Exchange rates in the database: saved when fetched, read by every worker, never lost.

The database is the one place workers agree on rates: whichever worker refreshed them, all
quote from the same table. A failed refresh changes nothing, so the last good rates stay in use
(and are flagged stale by their date once they are old, see `money.conversion`). Before the
first successful fetch the bundled snapshot stands in.
"""

from __future__ import annotations

import logging
import time
import weakref
from datetime import date
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import insert_for, utcnow
from money.models import FxRate
from money.rates import (
    ECB_DAILY_URL,
    MAX_GAP,
    RatesError,
    RateTable,
    bundled_rates,
    fetch_ecb,
)

log = logging.getLogger(__name__)

RATES_FRESH_FOR = 60.0
"""Seconds a worker quotes from the stored rates it last read before reading them again: rates
change once a day, and reading them for every update was two queries per update. A refresh by
this worker is seen at once (`save_rates` forgets them); one by another worker within this."""

# Per database (engine), so two databases in one process never share rates.
_remembered: weakref.WeakKeyDictionary[Any, tuple[float, RateTable | None]] = (
    weakref.WeakKeyDictionary()
)


def _forget_remembered(session: AsyncSession) -> None:
    _remembered.pop(session.get_bind(), None)


class RatesUnavailable(RatesError):
    """A refresh failed; the rates already stored are untouched. `reason` says why, in one line.

    The specific `RatesError` (`EmptyRatesFeed`, `MalformedRatesFeed`, `RatesUnreachable`) is
    the `__cause__`. A database failure while saving is not this: it propagates as itself.
    """


async def save_rates(session: AsyncSession, table: RateTable) -> None:
    """Stores `table`'s rates under their own dates; saving the same day again overwrites it.

    An upsert rather than select-then-insert, so two workers refreshing at once both succeed.
    """
    if not table.rates:
        return
    _forget_remembered(session)
    now = utcnow()
    rows = [
        {
            "rate_date": table.dates[code],
            "currency": code,
            "per_eur": rate,
            "source": table.source,
            "fetched_at": now,
        }
        for code, rate in table.rates.items()
    ]
    statement = insert_for(session, FxRate).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[FxRate.rate_date, FxRate.currency],
        set_={
            "per_eur": statement.excluded.per_eur,
            "source": statement.excluded.source,
            "fetched_at": statement.excluded.fetched_at,
        },
    )
    await session.execute(statement)


async def stored_rates(session: AsyncSession) -> RateTable | None:
    """The newest rates in the database, or None if none were ever saved.

    The newest day's rates, plus each currency missing that day at its own latest date within
    `MAX_GAP` (the same rule the feed parser applies).
    """
    newest: date | None = await session.scalar(select(func.max(FxRate.rate_date)))
    if newest is None:
        return None
    latest_per_currency = (
        select(FxRate.currency, func.max(FxRate.rate_date).label("rate_date"))
        .where(FxRate.rate_date >= newest - MAX_GAP)
        .group_by(FxRate.currency)
        .subquery()
    )
    rows = (
        await session.scalars(
            select(FxRate).join(
                latest_per_currency,
                (FxRate.currency == latest_per_currency.c.currency)
                & (FxRate.rate_date == latest_per_currency.c.rate_date),
            )
        )
    ).all()
    return RateTable(
        date=newest,
        rates={row.currency: row.per_eur for row in rows},
        dates={row.currency: row.rate_date for row in rows},
        source="database",
    )


async def latest_rates(session: AsyncSession, *, fallback: bool = True) -> RateTable | None:
    """The rates to quote with: the newer of the stored ones and the bundled snapshot.

    With `fallback=False`, only what the database holds (None when empty). The snapshot also wins
    over older stored rates, e.g. after an upgrade shipped a newer snapshot while the feed was
    unreachable.
    """
    engine = session.get_bind()
    remembered = _remembered.get(engine)
    if remembered is not None and time.monotonic() - remembered[0] < RATES_FRESH_FOR:
        stored = remembered[1]
    else:
        stored = await stored_rates(session)
        _remembered[engine] = (time.monotonic(), stored)
    if not fallback:
        return stored
    bundled = bundled_rates()
    if stored is None or bundled.date > stored.date:
        return bundled
    return stored


async def refresh_rates(
    sessions: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    url: str = ECB_DAILY_URL,
) -> RateTable:
    """Fetches the ECB feed and stores it, in its own transaction; the table it stored.

    On any failure nothing is written, the failure is logged, and `RatesUnavailable` is raised
    with the reason: callers (the scheduled job, `chatshop rates refresh`) report it and go on
    quoting from `latest_rates`.
    """
    try:
        table = await fetch_ecb(client, url)
    except RatesError as error:
        log.warning("exchange rates not refreshed, keeping the last good ones: %s", error.reason)
        raise RatesUnavailable(error.reason) from error
    async with sessions() as session, session.begin():
        await save_rates(session, table)
    _remembered.clear()  # a search between the save and its commit may have read the old ones
    log.info("exchange rates of %s stored (%d currencies)", table.date, len(table.rates))
    return table
