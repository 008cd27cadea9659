"""Rates in the database, on SQLite and PostgreSQL: exact round trip, newest wins, failures keep
the last good rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from bot.database import SessionFactory, transaction
from money.models import FxRate
from money.rate_store import (
    RatesUnavailable,
    latest_rates,
    refresh_rates,
    save_rates,
    stored_rates,
)
from money.rates import (
    EmptyRatesFeed,
    MalformedRatesFeed,
    RatesUnreachable,
    RateTable,
    bundled_rates,
)
from tests.money.feed_server import closed_port_url

FUTURE = date(2099, 1, 2)  # newer than the bundled snapshot, so the database's rates win


def table(day: date, **rates: str) -> RateTable:
    return RateTable(date=day, rates={code: Decimal(v) for code, v in rates.items()})


async def count_rows(sessions: SessionFactory) -> int:
    async with transaction(sessions) as session:
        return await session.scalar(select(func.count()).select_from(FxRate)) or 0


async def test_round_trip_is_exact(sessions: SessionFactory) -> None:
    original = table(
        FUTURE, USD="1.0861", IDR="20193.16", JPY="175.920", XAF="0.000123456789012345678901"
    )
    async with transaction(sessions) as session:
        await save_rates(session, original)
    async with transaction(sessions) as session:
        loaded = await stored_rates(session)
    assert loaded is not None
    assert loaded.date == FUTURE
    assert loaded.source == "database"
    assert dict(loaded.rates) == dict(original.rates)
    # Not just equal: the very digits, so a recomputed quote matches the one shown.
    assert str(loaded.rates["JPY"]) == "175.920"
    assert str(loaded.rates["XAF"]) == "0.000123456789012345678901"


async def test_saving_a_day_again_overwrites_it(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await save_rates(session, table(FUTURE, USD="1.1", GBP="0.8"))
    async with transaction(sessions) as session:
        await save_rates(session, table(FUTURE, USD="1.2", GBP="0.8"))
    assert await count_rows(sessions) == 2
    async with transaction(sessions) as session:
        loaded = await stored_rates(session)
    assert loaded is not None and loaded.rates["USD"] == Decimal("1.2")


async def test_newest_day_wins_and_gaps_are_filled_within_limits(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await save_rates(session, table(date(2098, 10, 1), USD="0.9", CHF="0.95"))
        await save_rates(session, table(date(2098, 12, 30), USD="1.0", GBP="0.81"))
        await save_rates(session, table(FUTURE, USD="1.1", JPY="170"))
    async with transaction(sessions) as session:
        loaded = await stored_rates(session)
    assert loaded is not None
    assert loaded.date == FUTURE
    assert dict(loaded.rates) == {
        "USD": Decimal("1.1"),
        "JPY": Decimal(170),
        "GBP": Decimal("0.81"),
    }
    assert loaded.dates["GBP"] == date(2098, 12, 30)  # CHF: 93 days older, left out


async def test_empty_database_falls_back_to_the_bundled_snapshot(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        assert await latest_rates(session, fallback=False) is None
        rates = await latest_rates(session)
    assert rates is bundled_rates()
    assert rates is not None and rates.source == "bundled"


async def test_snapshot_wins_over_older_stored_rates(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await save_rates(session, table(date(2020, 1, 2), USD="1.1"))
    async with transaction(sessions) as session:
        rates = await latest_rates(session)
    assert rates is not None and rates.source == "bundled"
    async with transaction(sessions) as session:
        await save_rates(session, table(FUTURE, USD="1.3"))
    async with transaction(sessions) as session:
        rates = await latest_rates(session)
    assert rates is not None and rates.source == "database" and rates.date == FUTURE


async def test_floats_never_reach_the_column(sessions: SessionFactory) -> None:
    with pytest.raises(StatementError, match="float"):
        async with transaction(sessions) as session:
            session.add(FxRate(rate_date=FUTURE, currency="USD", per_eur=1.1))
            await session.flush()


async def test_refresh_stores_what_the_feed_says(
    sessions: SessionFactory, client: httpx.AsyncClient, feed_url: str
) -> None:
    fetched = await refresh_rates(sessions, client, f"{feed_url}/eurofxref-daily.xml")
    assert fetched.date == date(2026, 10, 29)
    async with transaction(sessions) as session:
        stored = await latest_rates(session, fallback=False)
    assert stored is not None
    assert stored.date == date(2026, 10, 29)
    assert dict(stored.rates) == dict(fetched.rates)


@pytest.mark.parametrize(
    ("path", "cause"),
    [
        ("/empty", EmptyRatesFeed),
        ("/html", MalformedRatesFeed),
        ("/bad-rate", MalformedRatesFeed),
        ("/error", RatesUnreachable),
        (None, RatesUnreachable),  # nothing listening
    ],
)
async def test_failed_refresh_keeps_the_last_good_rates(
    sessions: SessionFactory,
    client: httpx.AsyncClient,
    feed_url: str,
    path: str | None,
    cause: type[Exception],
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = table(FUTURE, USD="1.1", JPY="170")
    async with transaction(sessions) as session:
        await save_rates(session, good)
    url = f"{feed_url}{path}" if path else closed_port_url()
    with pytest.raises(RatesUnavailable) as raised:
        await refresh_rates(sessions, client, url)
    assert isinstance(raised.value.__cause__, cause)
    assert raised.value.reason
    assert "keeping the last good ones" in caplog.text
    async with transaction(sessions) as session:
        kept = await latest_rates(session)
    assert kept is not None and kept.date == FUTURE and dict(kept.rates) == dict(good.rates)
    assert await count_rows(sessions) == 2
