"""This worker's in-memory search index, kept in step with the catalog in the database.

Every catalog change bumps a version row; before a search we read that one number and, if it
moved, fold in only what changed. So an import by one worker (or the CLI) is visible to every
worker on its next search, without a restart and without a full rebuild.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.search.index import SearchIndex
from catalog.version import catalog_version
from storefront.documents import load_search_documents


class LiveSearchIndex:
    def __init__(self) -> None:
        self._index: SearchIndex | None = None
        self._version: int | None = None
        self._lock = asyncio.Lock()

    async def current(self, session: AsyncSession) -> SearchIndex:
        version = await catalog_version(session)
        if self._index is not None and version == self._version:
            return self._index
        async with self._lock:  # one refresh at a time; the others wait and reuse it
            if self._index is None or version != self._version:
                await self._refresh(session, version)
        assert self._index is not None
        return self._index

    async def _refresh(self, session: AsyncSession, version: int) -> None:
        if self._index is None or self._version is None or version < self._version:
            # First load, or the counter went backwards (a restored database): start afresh.
            batch = await load_search_documents(session)
            self._index = SearchIndex.build(batch.documents)
        else:
            batch = await load_search_documents(session, since_version=self._version)
            for document in batch.documents:
                self._index.upsert(document)
            for product_id in batch.removed:
                self._index.remove(product_id)
        self._version = version
