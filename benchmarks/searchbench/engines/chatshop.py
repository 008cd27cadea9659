"""Our engine, ``catalog.search``, driven the way the bot drives it.

The buyer's full text goes through ``parse_query`` (price limits, colours, sizes) and the
resulting ``ParsedQuery`` into ``SearchIndex.search``; nothing is post-filtered here, so price
queries measure the engine's own parsing and filtering.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.searchbench.catalog import SearchDocument
from benchmarks.searchbench.engines.base import Engine
from benchmarks.searchbench.queries import BenchQuery


class ChatshopEngine(Engine):
    name = "chatshop"
    description = "catalog.search.SearchIndex; the full text through parse_query (prices parsed)"
    price_post_filter = False

    def build(self, docs: Sequence[SearchDocument]) -> None:
        from catalog.search.index import SearchIndex
        from catalog.search.query import parse_query

        self._parse = parse_query
        self.index = SearchIndex.build(docs)
        self._price_queries = 0
        self._price_parsed = 0

    def _search(self, query: BenchQuery, limit: int) -> list[int]:
        parsed = self._parse(query.text)
        if query.qclass == "price":
            self._price_queries += 1
            self._price_parsed += parsed.min_price is not None or parsed.max_price is not None
        return self.index.search(parsed, limit=limit).product_ids

    def index_bytes(self) -> int | None:
        nbytes = getattr(self.index, "nbytes", None)
        return nbytes() if callable(nbytes) else None

    def notes(self) -> list[str]:
        if not self._price_queries:
            return []
        share = self._price_parsed / self._price_queries
        return [f"parse_query found the price limit in {share:.0%} of price queries"]

    def close(self) -> None:
        self.index = None  # type: ignore[assignment]  # frees the index; the engine is done
