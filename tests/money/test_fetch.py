"""Fetching the ECB feed over real HTTP from a loopback server: every failure is typed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest

from money.rates import (
    EmptyRatesFeed,
    MalformedRatesFeed,
    RatesError,
    RatesUnreachable,
    fetch_ecb,
)
from tests.money.feed_server import closed_port_url


async def test_fetches_and_parses_the_feed(feed_url: str, client: httpx.AsyncClient) -> None:
    table = await fetch_ecb(client, f"{feed_url}/eurofxref-daily.xml")
    assert table.date == date(2026, 10, 29)
    assert table.rates["USD"] == Decimal("1.113")
    assert len(table.rates) == 29


async def test_follows_a_redirect(feed_url: str, client: httpx.AsyncClient) -> None:
    table = await fetch_ecb(client, f"{feed_url}/moved")
    assert table.rates["JPY"] == Decimal("175.92")


@pytest.mark.parametrize(
    ("path", "error", "words"),
    [
        ("/empty", EmptyRatesFeed, "empty"),
        ("/html", MalformedRatesFeed, "<html>"),
        ("/truncated", MalformedRatesFeed, "well-formed"),
        ("/bad-rate", MalformedRatesFeed, "not a number"),
        ("/error", RatesUnreachable, "HTTP 503"),
        ("/missing", RatesUnreachable, "HTTP 404"),
        ("/huge", MalformedRatesFeed, "larger than"),
    ],
)
async def test_bad_answers(
    feed_url: str, client: httpx.AsyncClient, path: str, error: type[RatesError], words: str
) -> None:
    with pytest.raises(error, match=words):
        await fetch_ecb(client, f"{feed_url}{path}")


async def test_unreachable_feed(client: httpx.AsyncClient) -> None:
    with pytest.raises(RatesUnreachable, match="unreachable") as raised:
        await fetch_ecb(client, closed_port_url())
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


async def test_timeout_is_unreachable(feed_url: str) -> None:
    async with httpx.AsyncClient(trust_env=False, timeout=0.2) as impatient:
        with pytest.raises(RatesUnreachable) as raised:
            await fetch_ecb(impatient, f"{feed_url}/slow")
    assert isinstance(raised.value.__cause__, httpx.TimeoutException)
