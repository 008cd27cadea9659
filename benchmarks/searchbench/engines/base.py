"""The one interface every engine in the benchmark is driven through.

Adapters are deliberately thin: build from the same documents, answer one query with a ranked
list of product ids. Peers that cannot read a price phrase get the query's words and have their
hits post-filtered by the query's price limit (they fetch ``PRICE_POOL`` candidates first so the
filter has something to choose from); the report says so.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from benchmarks.searchbench.catalog import SearchDocument
from benchmarks.searchbench.queries import BenchQuery

PRICE_POOL = 100
_CJK_CHAR = re.compile(r"([\u3400-\u9fff\uf900-\ufaff])")


def split_cjk(text: str) -> str:
    """Puts spaces around CJK characters so word tokenizers index them as unigrams.

    Word-splitting tokenizers (tantivy's default) would otherwise index a whole Chinese title as
    one token; unigrams are the simplest fair treatment a peer would be given.
    """
    return _CJK_CHAR.sub(r" \1 ", text)


def document_text(doc: SearchDocument) -> str:
    """Everything a single-field peer indexes: every title, the brand, the category."""
    return " ".join([*doc.titles.values(), doc.brand, doc.category])


class Engine(ABC):
    """A search engine under test."""

    name: ClassVar[str]
    description: ClassVar[str]
    #: The index lives on disk: throughput workers and the cold start reopen it there.
    persistent: ClassVar[bool] = False
    #: Post-filters the hits of price queries by the query's limits (see module docstring).
    price_post_filter: ClassVar[bool] = True

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.prices = array("d")  # by product id; NaN where a product has no price

    @abstractmethod
    def build(self, docs: Sequence[SearchDocument]) -> None:
        """Index every document (timed as the build)."""

    @abstractmethod
    def _search(self, query: BenchQuery, limit: int) -> list[int]:
        """Ranked product ids for the query's text (``words_text`` for peers)."""

    def search(self, query: BenchQuery, limit: int = 10) -> list[int]:
        if not self.price_post_filter or (query.min_price is None and query.max_price is None):
            return self._search(query, limit)
        low = float(query.min_price) if query.min_price is not None else float("-inf")
        high = float(query.max_price) if query.max_price is not None else float("inf")
        prices = self.prices
        kept = [
            pid
            for pid in self._search(query, max(limit, PRICE_POOL))
            if pid < len(prices) and low <= prices[pid] <= high
        ]
        return kept[:limit]

    def remember_prices(self, docs: Sequence[SearchDocument]) -> None:
        top = max((d.product_id for d in docs), default=0)
        prices = array("d", [float("nan")]) * (top + 1)
        for doc in docs:
            if doc.price is not None:
                prices[doc.product_id] = float(doc.price)
        self.prices = prices
        if self.persistent:
            with open(self.workdir / "prices.bin", "wb") as handle:
                prices.tofile(handle)

    def reopen(self) -> None:
        """Open fresh handles on the on-disk index (persistent engines, in a new process)."""
        path = self.workdir / "prices.bin"
        prices = array("d")
        with open(path, "rb") as handle:
            prices.frombytes(handle.read())
        self.prices = prices

    def index_bytes(self) -> int | None:
        """The index's own size where the engine can tell (on disk for persistent ones)."""
        if not self.persistent:
            return None
        return sum(p.stat().st_size for p in self.workdir.rglob("*") if p.is_file())

    def notes(self) -> list[str]:
        """Anything the report should say about this run of the engine."""
        return []

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release handles and memory."""
