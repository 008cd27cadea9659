"""Fixtures of the money tests: the loopback ECB feed and an HTTP client that only talks to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.money.feed_server import serve


@pytest.fixture(scope="module")
def feed_url() -> Iterator[str]:
    """Base URL of a real HTTP server on 127.0.0.1 serving the routes in `feed_server.ROUTES`."""
    with serve() as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # trust_env=False: no proxy from the environment may come between us and loopback.
    async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
        yield client
