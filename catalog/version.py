"""The catalog version counter: every catalog change bumps it, every search index watches it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import CatalogVersion


async def catalog_version(session: AsyncSession) -> int:
    """The current version; 0 before the first change (the row is created on demand)."""
    version = await session.scalar(select(CatalogVersion.version).where(CatalogVersion.id == 1))
    return version or 0


async def bump_catalog_version(session: AsyncSession) -> int:
    """Adds one to the version inside the caller's transaction and returns the new number.

    One atomic upsert, so two first-ever bumps cannot both try to create the row. On PostgreSQL
    the row stays locked until the caller commits, so versions are handed out in commit order and
    a worker that has seen version N has seen every change numbered N or below. Because that lock
    is global, call this last in a transaction, after its other writes: taken early, it would be
    held while waiting for row locks and could join a deadlock.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(CatalogVersion)
        .values(id=1, version=1)
        .on_conflict_do_update(
            index_elements=[CatalogVersion.id], set_={"version": CatalogVersion.version + 1}
        )
        .returning(CatalogVersion.version)
    )
    return (await session.execute(statement)).scalar_one()
