"""Declarative base, naming convention and a timezone-safe timestamp type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Dialect, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

# Deterministic constraint names, so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Row ids are INTEGER columns (32-bit on PostgreSQL): ids from buttons, links and commands are
# checked against this before they reach a query, or asyncpg refuses them with an error.
MAX_ROW_ID = 2**31 - 1


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: the only clock the database ever sees."""
    return datetime.now(UTC)


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """Rows an UPDATE or DELETE matched. Executing one gives a `CursorResult`, which the
    session's `execute()` signature does not say, so this checks it."""
    assert isinstance(result, CursorResult)
    return result.rowcount


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone and hands back naive datetimes; this type makes both backends agree.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


READ_ONLY = "chatshop_read_only"
"""Execution option of a session that will only read: `await session.connection(
execution_options={READ_ONLY: True})` before its first query. On SQLite it then begins without
taking the write lock (every other transaction takes it at BEGIN: it may write, and a read
transaction cannot safely become a write one); elsewhere it changes nothing."""


def insert_for(session: AsyncSession | Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """`INSERT` in `session`'s database's own dialect, which knows `ON CONFLICT` (SQLite's and
    PostgreSQL's, with the same API: `on_conflict_do_nothing`, `on_conflict_do_update`)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"ON CONFLICT is needed, which {dialect} lacks here")
