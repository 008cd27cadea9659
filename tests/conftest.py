"""Shared fixtures: every database test runs on SQLite and, where reachable, on PostgreSQL.

PostgreSQL is used when `CHATSHOP_TEST_POSTGRES_URL` is set (CI sets it to the local server).
Each test run migrates one private schema (so parallel runs on one server never meet), and each
test starts from empty tables.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import SessionFactory, create_engine, session_factory, upgrade
from bot.models import metadata

POSTGRES_ENV = "CHATSHOP_TEST_POSTGRES_URL"


async def _migrate(url: str, search_path: str | None = None) -> None:
    engine = create_engine(url, search_path=search_path)
    try:
        if search_path:
            async with engine.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA "{search_path}"'))
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, migrated once and copied for each test."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[tuple[str, str]]:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV} to run this test on it")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_migrate(url, schema))
    except OSError as error:
        pytest.skip(f"PostgreSQL at {POSTGRES_ENV} is not reachable: {error}")
    yield url, schema

    async def drop() -> None:
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await engine.dispose()

    asyncio.run(drop())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, str | None]]:
    """(url, search_path) of an empty, migrated database for this test."""
    if request.param == "sqlite":
        path = tmp_path / "chatshop.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}", None
    else:
        yield request.getfixturevalue("postgres_schema")


@pytest.fixture
async def engine(database_url: tuple[str, str | None]) -> AsyncIterator[AsyncEngine]:
    url, schema = database_url
    engine = create_engine(url, search_path=schema)
    yield engine
    if schema:  # empty the tables for the next test; the schema itself lives for the run
        tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        if tables:
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    """The session factory the application would use, on this test's database."""
    return session_factory(engine)
