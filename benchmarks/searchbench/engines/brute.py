"""Brute force: score every product with rapidfuzz, the baseline any index must beat.

``token_set_ratio`` ignores word order and extra title words, which suits short queries against
long titles (``WRatio``/``partial_ratio`` rank those badly). Text is pre-processed once with
``utils.default_process`` (rapidfuzz ≥ 3 applies no processor by default). Hits below
``SCORE_CUTOFF`` are dropped, which is what keeps negatives from returning everything.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from benchmarks.searchbench.catalog import SearchDocument
from benchmarks.searchbench.engines.base import Engine, document_text
from benchmarks.searchbench.queries import BenchQuery

SCORE_CUTOFF = 60


class BruteForceEngine(Engine):
    name = "rapidfuzz"
    description = (
        f"rapidfuzz.process.extract, token_set_ratio, score_cutoff={SCORE_CUTOFF}, "
        "every product scored per query"
    )

    def build(self, docs: Sequence[SearchDocument]) -> None:
        self.choices = [utils.default_process(document_text(d)) for d in docs]
        self.ids = [d.product_id for d in docs]
        self.remember_prices(docs)

    def _search(self, query: BenchQuery, limit: int) -> list[int]:
        found = process.extract(
            utils.default_process(query.words_text),
            self.choices,
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=limit,
            score_cutoff=SCORE_CUTOFF,
        )
        return [self.ids[index] for _, _, index in found]

    def close(self) -> None:
        self.choices = []
        self.ids = []
