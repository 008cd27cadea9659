"""This worker's in-memory search index, kept in step with the catalog in the database.

Every catalog change bumps a version row; before a search we read that one number and, if it
moved, fold in only what changed. So an import by one worker (or the CLI) is visible to every
worker on its next search, without a restart.

A whole build is never paid inside a buyer's request while others wait: `warm_up` starts it
when the worker starts, in a thread (the event loop keeps answering other buyers meanwhile), and
after a large catalog change a fresh index is built beside the current one, which keeps serving
until the new one is swapped in. A search during the warm-up waits for it briefly (a
small catalog builds in milliseconds); past that, or while the warm-up has not yet read the
catalog (on SQLite that read waits for the searching transaction), `current` says "not yet"
(None) and the search answers from the database (`stopgap_search`): at 100k products the first
build takes seconds, and nobody waits for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.search.index import SearchIndex
from catalog.version import bumps_committed_here, catalog_version
from db import READ_ONLY
from storefront.documents import load_search_documents
from storefront.index_child import CHILD_ABOVE, build_in_child, child_source

log = logging.getLogger(__name__)

Sessions: TypeAlias = Callable[[], AbstractAsyncContextManager[AsyncSession]]

FIRST_BUILD_WAIT = 0.5
"""Seconds a search waits for a first build under way before answering from the database."""

REBUILD_ABOVE = 2_000
"""Changed products beyond which a fresh build (in the background) beats folding in each one."""

VERSION_FRESH_FOR = 1.0
"""Seconds the version read last stays good when this process changed nothing in the catalog
(a change here is seen at once, by `bumps_committed_here`): one query per second at most,
not one per search; a change another process (the CLI, another worker) made shows within it."""


@dataclass(frozen=True, slots=True)
class IndexState:
    """What /healthz reports: is search ready, over how many products, at which version."""

    ready: bool
    building: bool
    products: int
    version: int | None


class LiveSearchIndex:
    def __init__(self, *, child: str | None = None, child_above: int = CHILD_ABOVE) -> None:
        # The child program that builds a large catalog's index (`python -m <child>`, e.g.
        # `bot.index_child`); None: every build runs in this process.
        self._child = child
        self._child_above = child_above  # active products from which the child builds
        self._index: SearchIndex | None = None
        self._version: int | None = None
        self._lock = asyncio.Lock()
        self._sessions: Sessions | None = None
        self._building: asyncio.Task[None] | None = None
        self._rows_read = asyncio.Event()  # the warm-up has read the catalog (it builds next)
        self._checked_at = float("-inf")  # when the version was last read and matched
        self._bumps_seen = -1  # this process's committed catalog changes as of that read

    def warm_up(self, sessions: Sessions) -> None:
        """Starts the first build in the background; called once when the worker starts."""
        self._sessions = sessions
        if self._index is None and self._building is None:
            self._building = asyncio.create_task(self._build_beside(), name="search-index")

    async def wait_built(self) -> None:
        """Returns once a build in progress is done (benchmarks and tests wait on it)."""
        if self._building is not None:
            await asyncio.gather(self._building, return_exceptions=True)

    async def stop(self) -> None:
        """Cancels a build in progress (the worker is stopping)."""
        if self._building is not None:
            self._building.cancel()
            await asyncio.gather(self._building, return_exceptions=True)
            self._building = None

    @property
    def sessions(self) -> Sessions | None:
        """The worker's sessions, once `warm_up` gave them (a stopgap search reads with them)."""
        return self._sessions

    def state(self) -> IndexState:
        building = self._building is not None and not self._building.done()
        products = 0 if self._index is None else len(self._index)
        return IndexState(self._index is not None, building, products, self._version)

    async def current(self, session: AsyncSession) -> SearchIndex | None:
        """The index at the catalog's current version; None while the first one is still being
        built in the background (ask the database instead of waiting)."""
        if self._index is None and self._building is not None and not self._building.done():
            if not self._rows_read.is_set():
                # The warm-up still has to read the catalog, and on SQLite that read waits for
                # the caller's transaction: waiting here could only deadlock.
                return None
            # It builds in a thread: a small catalog is ready in a moment, a large one is not.
            done, _ = await asyncio.wait({self._building}, timeout=FIRST_BUILD_WAIT)
            if not done:
                return None
        now, bumps = time.monotonic(), bumps_committed_here()
        if (
            self._index is not None
            and bumps == self._bumps_seen
            and now - self._checked_at < VERSION_FRESH_FOR
        ):
            return self._index
        version = await catalog_version(session)
        if self._index is not None and version == self._version:
            self._checked_at, self._bumps_seen = now, bumps
            return self._index
        async with self._lock:  # one refresh at a time; the others wait and reuse it
            if self._index is None or self._version is None or version < self._version:
                # First load without a warm-up (the CLI, tests), a warm-up that failed, or a
                # restored database: start afresh.
                await self._build(session, version)
            elif version != self._version:
                await self._fold_in(session, version)
        assert self._index is not None
        if self._version == version:
            self._checked_at, self._bumps_seen = now, bumps
        return self._index

    async def _build(self, session: AsyncSession, version: int) -> None:
        batch = await load_search_documents(session)
        self._index = await asyncio.to_thread(SearchIndex.build, batch.documents)
        self._version = version

    async def _fold_in(self, session: AsyncSession, version: int) -> None:
        assert self._index is not None and self._version is not None
        batch = await load_search_documents(session, since_version=self._version)
        if len(batch.documents) > REBUILD_ABOVE and self._sessions is not None:
            if self._building is None or self._building.done():
                self._building = asyncio.create_task(self._build_beside(), name="search-index")
            return  # keep serving the current index (and version) until the new one is ready
        for document in batch.documents:
            self._index.upsert(document)
        for product_id in batch.removed:
            self._index.remove(product_id)
        self._version = version

    async def _build_beside(self) -> None:
        """A whole build from a short read of its own, without the lock: a search meanwhile
        holds a transaction (on SQLite the write lock) while it waits for the index, so the
        read must never wait for a search. The session is closed before the build. A large
        catalog is read and built by a child process (`storefront.index_child`)."""
        assert self._sessions is not None
        try:
            async with self._sessions() as session:
                # Seconds of reading at 100k products: never holding SQLite's write lock.
                await session.connection(execution_options={READ_ONLY: True})
                source = None
                if self._child is not None:
                    source = await child_source(session, above=self._child_above)
                if source is None:
                    version = await catalog_version(session)
                    batch = await load_search_documents(session)
            if source is None:
                self._rows_read.set()
                index = await asyncio.to_thread(SearchIndex.build, batch.documents)
                del batch
            else:  # searches meanwhile answer from the database at once: no wait for it
                assert self._child is not None
                built = await build_in_child(source, self._child)
                version, index = built.version, built.index
                log.info("search index of %d products built by a child process in %.1f s "
                         "(its peak memory %.0f MB)", len(index), built.seconds,
                         built.peak_rss_mb)  # fmt: skip
            async with self._lock:
                if self._index is None or self._version is None or version > self._version:
                    self._index, self._version = index, version
        except asyncio.CancelledError:
            raise
        except Exception:  # the next search builds inline instead; never a silent stop
            log.exception("building the search index failed")
