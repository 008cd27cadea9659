"""The catalog version counter: every catalog change bumps it, every search index watches it."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from catalog.models import CatalogVersion
from db import insert_for

_BUMPED = "catalog_version_bumped"
_committed_here = 0


def bumps_committed_here() -> int:
    """How many catalog changes this process has committed: the cheap signal a search index
    watches, so that it reads the version row only when this moved (or now and then, for
    changes another process made)."""
    return _committed_here


def _after_commit(session: Session) -> None:
    global _committed_here
    if session.info.pop(_BUMPED, False):
        _committed_here += 1


def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_BUMPED, None)


@functools.cache
def _install() -> None:
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_rollback)


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
    _install()
    session.sync_session.info[_BUMPED] = True
    statement = (
        insert_for(session, CatalogVersion)
        .values(id=1, version=1)
        .on_conflict_do_update(
            index_elements=[CatalogVersion.id], set_={"version": CatalogVersion.version + 1}
        )
        .returning(CatalogVersion.version)
    )
    return (await session.execute(statement)).scalar_one()
