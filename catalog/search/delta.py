"""The small mutable part of the index: documents upserted since the last merge.

It answers the same questions as :class:`~catalog.search.segment.Segment` with plain Python
containers, so an upsert costs microseconds. Documents here always have higher internal ids than
those in the segment, so postings of both simply concatenate. When it grows past a threshold the
index merges it into a new segment.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort

import numpy as np

from catalog.search.typos import deletion_hashes, index_depth, is_typo_word


class DeltaSegment:
    """Append-only postings for recently upserted documents."""

    __slots__ = ("_docs", "_ids", "_infos", "_keys", "_sorted", "_terms")

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._terms: list[str] = []
        self._sorted: list[str] = []
        self._docs: list[array[int]] = []
        self._infos: list[bytearray] = []
        self._keys: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, doc: int, infos: dict[str, int]) -> None:
        """Add one document's terms; ``doc`` must exceed every doc added before."""
        for term, info in infos.items():
            term_id = self._ids.get(term)
            if term_id is None:
                term_id = self._new_term(term)
            self._docs[term_id].append(doc)
            self._infos[term_id].append(info)

    def _new_term(self, term: str) -> int:
        term_id = len(self._terms)
        self._ids[term] = term_id
        self._terms.append(term)
        insort(self._sorted, term)
        self._docs.append(array("I"))
        self._infos.append(bytearray())
        depth = index_depth(term)
        if depth and is_typo_word(term):
            for key in deletion_hashes(term, depth):
                self._keys.setdefault(key, []).append(term_id)
        return term_id

    def term(self, term_id: int) -> str:
        return self._terms[term_id]

    def lookup(self, term: str) -> int:
        return self._ids.get(term, -1)

    def prefix_terms(self, prefix: str, limit: int) -> list[int]:
        lo = bisect_left(self._sorted, prefix)
        found: list[int] = []
        for term in self._sorted[lo:]:
            if not term.startswith(prefix):
                break
            if term != prefix:
                found.append(self._ids[term])
        found.sort(key=lambda t: -len(self._docs[t]))
        return found[:limit]

    def df(self, term_id: int) -> int:
        return len(self._docs[term_id])

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        # Copies: a numpy view would pin the array's buffer and make the next append fail.
        return (
            np.array(self._docs[term_id], dtype=np.uint32),
            np.frombuffer(bytes(self._infos[term_id]), dtype=np.uint8),
        )

    def typo_candidates(self, keys: np.ndarray) -> list[int]:
        found: set[int] = set()
        for key in keys.tolist():
            found.update(self._keys.get(key, ()))
        return sorted(found)

    def export(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Postings as (terms, term ids, docs, infos), each term's docs ascending, for a merge."""
        sizes = [len(d) for d in self._docs]
        term_ids = np.repeat(np.arange(len(self._terms), dtype=np.uint32), sizes)
        docs = np.concatenate(
            [np.array(d, dtype=np.uint32) for d in self._docs] or [np.zeros(0, dtype=np.uint32)]
        )
        infos = np.frombuffer(b"".join(self._infos), dtype=np.uint8)
        return list(self._terms), term_ids, docs.astype(np.uint32), infos
