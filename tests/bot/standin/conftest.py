"""Fixtures: a running stand-in with the demo bot, a PTB Bot and a plain httpx client on it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import uvicorn
from pytest_asyncio import is_async_test
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot

from bot.settings import DEMO_TOKEN
from bot.standin import StandIn, User

# One HTTP server per test module (uvicorn takes 0.2 s to stop); each test gets a fresh bot.
shared_loop = pytest.mark.asyncio(loop_scope="module")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Runs this folder's tests on their module's loop, where the shared server lives."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and is_async_test(item):
            item.add_marker(shared_loop, append=False)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server() -> AsyncIterator[StandIn]:
    async with StandIn.start() as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def standin(server: StandIn) -> AsyncIterator[StandIn]:
    """The running stand-in with a fresh demo bot; every bot and fault is gone afterwards."""
    server.add_bot(DEMO_TOKEN)
    yield server
    server.faults.clear()
    for token in list(server.worlds):
        await server.remove_bot(token)


@pytest_asyncio.fixture(loop_scope="module")
async def bot(standin: StandIn) -> AsyncIterator[Bot]:
    """PTB's Bot: its de_json proves every answer parses as the documented type."""
    async with Bot(
        DEMO_TOKEN, base_url=f"{standin.api_url}/bot", base_file_url=f"{standin.api_url}/file/bot"
    ) as ptb_bot:
        yield ptb_bot


@pytest_asyncio.fixture(loop_scope="module")
async def http(standin: StandIn) -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP at `{api_url}/bot{token}/`: the raw JSON as Telegram sends it."""
    async with httpx.AsyncClient(base_url=f"{standin.api_url}/bot{DEMO_TOKEN}/") as client:
        yield client


@pytest_asyncio.fixture(loop_scope="module")
async def ana(standin: StandIn) -> User:
    """A user who has started the bot, so it may write to her."""
    user = standin.user("Ana", language_code="pt-br")
    await user.send("/start")
    return user


@contextlib.asynccontextmanager
async def receiver(
    answer: Callable[[Request], Awaitable[Response]],
) -> AsyncIterator[str]:
    """A loopback HTTP endpoint (a bot's webhook) answering with `answer`; yields its URL."""
    app = Starlette(routes=[Route("/hook", answer, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, port=0, log_level="warning", lifespan="off"))
    # The test process keeps its own signal handlers (pytest's Ctrl-C) while uvicorn serves.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign, assignment]
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        server.should_exit = True
        await task
