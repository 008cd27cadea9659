"""Database engine, sessions and migrations: SQLite embedded, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.migrations import HEAD_REVISION
from db.base import READ_ONLY
from db.unit import end_parked_before_begin, unit_of_work

if TYPE_CHECKING:
    from alembic.config import Config

SessionFactory = async_sessionmaker[AsyncSession]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, search_path: str | None = None, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`.

    SQLite gets WAL (readers never block the writer), foreign keys, a busy timeout and
    `BEGIN IMMEDIATE`, so a transaction that reads and then writes (a stock reservation) queues
    for the write lock instead of failing with "database is locked" halfway through.
    `search_path` puts a PostgreSQL connection in one schema (the tests use one per run).
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _tune_sqlite(engine)
        return engine
    if search_path:
        kwargs.setdefault("connect_args", {})["server_settings"] = {"search_path": search_path}
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below (pysqlite's own is lazy).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # A long read (the search warm-up): in WAL mode a deferred transaction reads its
            # snapshot without the write lock, so buyers' transactions go on meanwhile.
            connection.exec_driver_sql("BEGIN")
            return
        end_parked_before_begin()  # this update's parked read-only transaction holds the lock
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> SessionFactory:
    # expire_on_commit=False: objects returned by a use case stay readable after its commit,
    # which is when the handler renders them.
    return async_sessionmaker(engine, expire_on_commit=False)


ROLLED_BACK = "chatshop: the transaction was rolled back"


@asynccontextmanager
async def transaction(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits when the block ends, rolls back if it raises.

    An error that rolled it back carries the note `ROLLED_BACK`, so the error handler can tell
    the buyer truthfully that nothing was changed (`rolled_back`). While an update is handled
    (`db.unit.update_scope`), a block that only read leaves its transaction to the update's
    next block instead of ending it: one transaction per update, not one per block.
    """
    async with unit_of_work(sessions, on_error=_note_rolled_back) as session:
        yield session


def _note_rolled_back(error: BaseException) -> None:
    error.add_note(ROLLED_BACK)


def rolled_back(error: BaseException | None) -> bool:
    """True when `error` escaped a `transaction` block, which then changed nothing."""
    return error is not None and ROLLED_BACK in getattr(error, "__notes__", ())


def alembic_config() -> Config:
    from alembic.config import Config  # Alembic loads only when a schema may change

    config = Config()
    config.set_main_option("script_location", "bot:migrations")
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision` with Alembic, over the engine's own connection."""
    from alembic import command

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def schema_revision(engine: AsyncEngine) -> str | None:
    """The revision the database's schema is at; None for a database Alembic never touched."""

    def read(connection: Connection) -> str | None:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def upgrade_if_behind(engine: AsyncEngine) -> None:
    """`upgrade` to head, without loading Alembic and its scripts when the schema is already
    there: that check alone cost the embedded database ~0.4 s of every start."""
    if await schema_revision(engine) != HEAD_REVISION:
        await upgrade(engine)
