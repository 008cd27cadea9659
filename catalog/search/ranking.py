"""Bucket-sort ranking over candidate documents, vectorised with numpy.

Every (unit, document) match is summarised in a 16-bit *quality*: matched, 3 − typos, field
weight, exact (not a prefix), and 15 − title position, most significant first, so the best way a
document matches a unit is simply the maximum. A table widens each quality into spaced bit fields
whose plain sum over the units is the coarse rank key, so the first stages cost one gather and
one add per unit:

1. query words matched, 2. fewer typos, 3. field weight (title > attributes > description),
4. words matched whole rather than as a prefix;

the fine stages are computed only for candidates still in the running:

5. exact title, 6. proximity of the words in the title, 7. in stock, 8. shorter title,
9. index order (older first) so that ties are deterministic.

Candidates are only documents that can reach the required number of matched words: by the
pigeonhole principle they must contain one of the rarest ``present − required + 1`` words, so a
common word ("red") is looked up at the candidates instead of being walked in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Final

import numpy as np

from catalog.search.analysis import ATTRIBUTE, DESCRIPTION, NO_POSITION, SKU, TITLE

_MATCHED: Final = 1 << 15
_SMALL: Final = 4096
_TIE_BITS: Final = 24
_TIE_MAX: Final = (1 << _TIE_BITS) - 1
_COARSE_SHIFT: Final = 41  # above: coarse sum (22 bits); below: fine stages and the tie-break
MAX_UNITS: Final = 16  # the coarse fields have room for sums over this many units


def _quality_table() -> np.ndarray:
    """Info byte → field weight and title position bits of the quality."""
    table = np.zeros(256, dtype=np.uint16)
    for info in range(256):
        fields, position = info & 0x0F, info >> 4
        if fields & (TITLE | SKU):
            weight = 3
        elif fields & ATTRIBUTE:
            weight = 2
        elif fields & DESCRIPTION:
            weight = 1
        else:
            weight = 0
        near = NO_POSITION - min(position, NO_POSITION - 1) if fields & TITLE else 0
        table[info] = (weight << 11) | near
    return table


def _widen_table() -> np.ndarray:
    """Quality → coarse-key contribution: matched, 3 − typos, field weight and exactness in
    fields wide enough that summing MAX_UNITS of them never carries into the next."""
    q = np.arange(1 << 16, dtype=np.int64)
    matched = q >> 15
    wide = (matched << 17) | (((q >> 13) & 3) << 11) | (((q >> 11) & 3) << 5) | ((q >> 10) & 1)
    return wide * matched


QUALITY: Final = _quality_table()
WIDE: Final = _widen_table()


def expansion_bits(typos: int, exact: bool) -> np.uint16:
    """The quality bits an expansion gives all its postings (see the module docstring)."""
    return np.uint16(_MATCHED | ((3 - typos) << 13) | (int(exact) << 10))


def required_matches(units: int) -> int:
    """How many query words a hit must match: all of one or two, about two thirds beyond."""
    return units if units <= 2 else ceil(units * 2 / 3)


@dataclass(slots=True)
class UnitMatches:
    """Postings of every expansion of one unit: (docs ascending, infos, expansion bits).

    Qualities are computed only where needed: a common word is looked up at the candidates
    rather than converted in full."""

    parts: list[tuple[np.ndarray, np.ndarray, np.uint16]]

    @property
    def size(self) -> int:
        return sum(len(docs) for docs, _, _ in self.parts)


class Scratch:
    """Reusable dense per-doc buffers, so a query never allocates arrays the catalogue's size.
    Every user leaves them zeroed again."""

    def __init__(self, capacity: int) -> None:
        self.flags = np.zeros(capacity, dtype=np.bool_)
        self.quality = np.zeros(capacity, dtype=np.uint16)

    def ensure(self, capacity: int) -> None:
        if len(self.flags) < capacity:
            self.flags = np.zeros(capacity, dtype=np.bool_)
            self.quality = np.zeros(capacity, dtype=np.uint16)


def candidates(units: list[UnitMatches], required: int, scratch: Scratch) -> np.ndarray:
    """Docs that could match ``required`` units: the union over the rarest units."""
    present = sorted((u for u in units if u.parts), key=lambda u: u.size)
    if len(present) < required or required <= 0:
        return np.zeros(0, dtype=np.uint32)
    chosen = [docs for u in present[: len(present) - required + 1] for docs, _, _ in u.parts]
    if len(chosen) == 1:
        return chosen[0]
    joined = np.concatenate(chosen)
    if len(joined) <= _SMALL:
        return np.unique(joined)
    flags = scratch.flags
    flags[joined] = True
    found = np.flatnonzero(flags).astype(np.uint32)
    flags[joined] = False
    return found


def quality_at(unit: UnitMatches, cands: np.ndarray, scratch: Scratch) -> np.ndarray:
    """Best quality of ``unit`` for each candidate (0 = not matched).

    Small postings are scattered into a dense buffer and read back; large ones are binary
    searched at the candidates, so the cost follows the smaller side."""
    if len(unit.parts) == 1 and unit.parts[0][0] is cands:
        _, infos, bits = unit.parts[0]
        quality: np.ndarray = QUALITY[infos] | bits
        return quality
    best = np.zeros(len(cands), dtype=np.uint16)
    if not len(cands):
        return best
    dense = scratch.quality
    scattered = []
    for docs, infos, bits in unit.parts:
        if len(docs) > 8 * len(cands):
            at = np.searchsorted(docs, cands)
            at[at >= len(docs)] = 0
            quality = np.where(docs[at] == cands, QUALITY[infos[at]] | bits, 0)
            np.maximum(best, quality.astype(np.uint16), out=best)
        else:
            current = dense[docs]
            np.maximum(current, QUALITY[infos] | bits, out=current)
            dense[docs] = current
            scattered.append(docs)
    if scattered:
        np.maximum(best, dense[cands], out=best)
        for docs in scattered:
            dense[docs] = 0
    return best


@dataclass(frozen=True, slots=True)
class Ranked:
    """Best candidates, best first, with the numbers a Hit reports."""

    docs: np.ndarray
    scores: np.ndarray
    matched: np.ndarray
    typos: np.ndarray


def rank(
    qualities: list[np.ndarray],
    cands: np.ndarray,
    title_units: np.ndarray,
    prior: np.ndarray,
    required: int,
    limit: int,
) -> Ranked:
    """Top ``limit`` candidates matching at least ``required`` units, best first.

    ``title_units`` (per doc) and ``prior`` (per doc: in stock and shortness, already shifted
    into place) are full columns; they are read only for candidates still in the running.
    """
    n = len(qualities)
    coarse = WIDE[qualities[0]]
    for quality in qualities[1:]:
        coarse = coarse + WIDE[quality]
    keep = np.flatnonzero(coarse >= (required << 17))
    if len(keep) > limit:  # only candidates tied with or above the limit-th coarse key go on
        kept = coarse[keep]
        best = kept.max()
        if np.count_nonzero(kept == best) >= limit:
            keep = keep[kept == best]
        else:
            keep = keep[kept >= np.partition(kept, len(keep) - limit)[len(keep) - limit]]
    coarse = coarse[keep]
    docs = cands[keep]
    fine = prior[docs] | (_TIE_MAX - np.minimum(docs, _TIE_MAX).astype(np.int64))
    if n > 1:
        q = np.vstack([quality[keep] for quality in qualities]).astype(np.int16)
        near = q & 0x0F  # 15 - position, 0 when not in a title
        gaps = np.abs(near[:-1] - near[1:] - 1)
        in_title = near > 0
        both = in_title[1:] & in_title[:-1]
        proximity = np.where(both, np.minimum(gaps, 7), 7).sum(axis=0)
        fine |= (127 - proximity.astype(np.int64)) << 33
        all_in_title = in_title.all(axis=0)
    else:
        fine |= np.int64(127) << 33
        all_in_title = (qualities[0][keep] & 0x0F) > 0
    perfect = (n << 17) | (3 * n << 11) | (3 * n << 5) | n  # every unit exact in a title
    exact_title = (coarse == perfect) & all_in_title & (title_units[docs] == n)
    fine |= exact_title.astype(np.int64) << 40
    key = (coarse << _COARSE_SHIFT) | fine
    if len(key) > limit:
        top = np.argpartition(key, len(key) - limit)[len(key) - limit :]
    else:
        top = np.arange(len(key))
    top = top[np.argsort(-key[top], kind="stable")]
    coarse = coarse[top]
    matched = coarse >> 17
    typos = 3 * matched - ((coarse >> 11) & 63)
    score = (key[top] >> _TIE_BITS).astype(np.float64) / float(_best_key(n) >> _TIE_BITS)
    return Ranked(docs=docs[top], scores=np.minimum(score, 1.0), matched=matched, typos=typos)


def _best_key(n: int) -> int:
    perfect = (n << 17) | (3 * n << 11) | (3 * n << 5) | n
    fine = (1 << 40) | (127 << 33) | (1 << 32) | ((255 - min(n, 255)) << _TIE_BITS)
    return (perfect << _COARSE_SHIFT) | fine


def prior_of(in_stock: bool, title_units: int) -> int:
    """Per-document part of the fine key: in stock, then shorter titles first."""
    return (int(in_stock) << 32) | ((255 - min(title_units, 255)) << _TIE_BITS)


def priors_of(in_stock: np.ndarray, title_units: np.ndarray) -> np.ndarray:
    """:func:`prior_of` for whole columns at once."""
    shortness = 255 - np.minimum(title_units.astype(np.int64), 255)
    return (in_stock.astype(np.int64) << 32) | (shortness << _TIE_BITS)
