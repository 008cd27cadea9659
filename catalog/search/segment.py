"""The immutable bulk of the index: a sorted vocabulary and compressed-row postings in numpy.

Layout (a few bytes per posting, no Python object per term, so a million products with millions
of distinct SKUs and model codes stay in memory budget):

* vocabulary: every term UTF-8 encoded, sorted, concatenated into one ``bytes`` blob with an
  offsets array; exact lookup and prefix ranges are binary searches over it (UTF-8 byte order is
  code-point order, so a prefix is a contiguous range);
* postings: ``starts[t]:starts[t+1]`` slices ``docs`` (uint32, ascending) and ``infos`` (uint8,
  see :mod:`analysis`) for term ``t``;
* typo keys: sorted 32-bit hashes of the deletion neighbourhoods of the words (:mod:`typos`),
  with the term each came from.

A segment never changes after :meth:`Segment.build`; updates go to a :class:`DeltaSegment` and
are folded in by building a new segment, so readers never see a half-written structure.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate

import numpy as np

from catalog.search.typos import deletion_hashes, index_depth, is_typo_word

_EMPTY_DOCS = np.zeros(0, dtype=np.uint32)
_EMPTY_INFOS = np.zeros(0, dtype=np.uint8)


class _Vocabulary(Sequence[bytes]):
    """Read-only view of the sorted term blob, indexable for :mod:`bisect`."""

    __slots__ = ("_blob", "_offsets")

    def __init__(self, blob: bytes, offsets: array[int]) -> None:
        self._blob = blob
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> bytes:  # type: ignore[override]  # indexed by bisect only; no slices
        return self._blob[self._offsets[i] : self._offsets[i + 1]]


class Segment:
    """Immutable term dictionary + postings + typo keys; see the module docstring."""

    __slots__ = ("_df", "_starts", "_vocab", "docs", "infos", "key_hashes", "key_terms")

    def __init__(
        self,
        vocab: _Vocabulary,
        starts: np.ndarray,
        docs: np.ndarray,
        infos: np.ndarray,
        key_hashes: np.ndarray,
        key_terms: np.ndarray,
    ) -> None:
        self._vocab = vocab
        self._starts = starts
        self._df = np.diff(starts).astype(np.uint32)
        self.docs = docs
        self.infos = infos
        self.key_hashes = key_hashes
        self.key_terms = key_terms

    @classmethod
    def empty(cls) -> Segment:
        return cls.build([], np.zeros(0, np.uint32), _EMPTY_DOCS, _EMPTY_INFOS)

    @classmethod
    def build(
        cls, terms: list[str], term_ids: np.ndarray, docs: np.ndarray, infos: np.ndarray
    ) -> Segment:
        """Build from postings given as parallel arrays (term id into ``terms``, doc, info).

        Each term's docs must come in ascending order and each (term, doc) pair once: then a
        stable sort by term leaves every postings list sorted by doc without a second key.
        """
        if len(term_ids):
            used = np.bincount(term_ids, minlength=len(terms)) > 0
            if not used.all():  # terms whose every document died: drop them
                new_id = np.cumsum(used) - 1
                terms = [t for t, keep in zip(terms, used.tolist(), strict=True) if keep]
                term_ids = new_id[term_ids]
        else:
            terms = []
        order = sorted(range(len(terms)), key=terms.__getitem__)
        rank = np.empty(len(terms), dtype=np.uint32)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(terms), dtype=np.uint32)
        ranked = rank[term_ids] if len(term_ids) else term_ids.astype(np.uint32)
        by_term = np.argsort(ranked, kind="stable")
        counts = np.bincount(ranked, minlength=len(terms)) if len(terms) else np.zeros(0)
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        sorted_terms = [terms[i] for i in order]
        encoded = [t.encode() for t in sorted_terms]
        offsets = array("q", [0])
        offsets.extend(accumulate(len(e) for e in encoded))
        vocab = _Vocabulary(b"".join(encoded), offsets)
        key_hashes, key_terms = _typo_keys(sorted_terms)
        return cls(
            vocab,
            starts,
            np.ascontiguousarray(docs[by_term], dtype=np.uint32),
            np.ascontiguousarray(infos[by_term], dtype=np.uint8),
            key_hashes,
            key_terms,
        )

    def __len__(self) -> int:
        return len(self._vocab)

    def term(self, term_id: int) -> str:
        return self._vocab[term_id].decode()

    def terms(self) -> list[str]:
        return [self._vocab[i].decode() for i in range(len(self._vocab))]

    def lookup(self, term: str) -> int:
        """Term id, or -1."""
        key = term.encode()
        i = bisect_left(self._vocab, key)
        return i if i < len(self._vocab) and self._vocab[i] == key else -1

    def prefix_terms(self, prefix: str, limit: int) -> list[int]:
        """Ids of terms starting with ``prefix`` (the term itself excluded), at most ``limit``,
        the most frequent first when there are more."""
        key = prefix.encode()
        lo = bisect_left(self._vocab, key)
        hi = bisect_left(self._vocab, key + b"\xff", lo)
        if lo < len(self._vocab) and self._vocab[lo] == key:
            lo += 1
        if hi - lo <= limit:
            return list(range(lo, hi))
        df = self._df[lo:hi]
        best = np.argpartition(-df.astype(np.int64), limit - 1)[:limit]
        return sorted((best + lo).tolist(), key=lambda t: -int(self._df[t]))

    def df(self, term_id: int) -> int:
        return int(self._df[term_id])

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self._starts[term_id], self._starts[term_id + 1]
        return self.docs[lo:hi], self.infos[lo:hi]

    def typo_candidates(self, keys: np.ndarray) -> list[int]:
        """Term ids sharing a deletion hash with the query (unverified)."""
        if not len(self.key_hashes) or not len(keys):
            return []
        lo = np.searchsorted(self.key_hashes, keys, side="left")
        hi = np.searchsorted(self.key_hashes, keys, side="right")
        hit = hi > lo
        if not hit.any():
            return []
        found = [self.key_terms[a:b] for a, b in zip(lo[hit], hi[hit], strict=True)]
        ids: list[int] = np.unique(np.concatenate(found)).tolist()
        return ids

    def export(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Postings as (terms, term ids, docs, infos) for merging into a new segment."""
        term_ids = np.repeat(np.arange(len(self._vocab), dtype=np.uint32), self._df)
        return self.terms(), term_ids, self.docs, self.infos

    def nbytes(self) -> int:
        """Memory held by the arrays (the blob and offsets included)."""
        vocab = len(self._vocab._blob) + self._vocab._offsets.itemsize * len(self._vocab._offsets)
        arrays = (self._starts, self._df, self.docs, self.infos, self.key_hashes, self.key_terms)
        return vocab + sum(a.nbytes for a in arrays)


def _typo_keys(sorted_terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    hashes = array("I")
    owners = array("I")
    for term_id, term in enumerate(sorted_terms):
        depth = index_depth(term)
        if depth and is_typo_word(term):
            keys = deletion_hashes(term, depth)
            hashes.extend(keys)
            owners.extend([term_id] * len(keys))
    key_hashes = np.frombuffer(hashes, dtype=np.uint32)
    key_terms = np.frombuffer(owners, dtype=np.uint32)
    order = np.argsort(key_hashes, kind="stable")
    return key_hashes[order], key_terms[order]
