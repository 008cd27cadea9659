"""Typo budgets and the deletion keys that find typo candidates without scanning the vocabulary.

Budget: one typo from 4 letters, two from 6 (Meilisearch's defaults, 5 and 9, missed "mtal" for
"metal" and "traifc" for "traffic"; ranking puts fewer typos first, so the wider net costs exact
matches nothing); numbers, codes and CJK n-grams get none. Distance is optimal string
alignment, so a swap of neighbours ("haedphones") is one typo, the commonest slip on a phone
keyboard.

Candidates come from the symmetric-delete idea (SymSpell): two words within distance k share a
string obtained by deleting at most k characters from each. The index stores a 32-bit hash of
every such deletion of its words, sorted; a query word hashes its own deletions and one
``searchsorted`` yields the candidate terms, which are then verified with the exact distance.
Cost depends on the word's length, not on the vocabulary size.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from rapidfuzz.distance import OSA

from catalog.search.text import has_digit, is_cjk

ONE_TYPO_FROM: Final = 4
TWO_TYPOS_FROM: Final = 6
SUGGESTION_TYPOS: Final = 2
_HASH_MASK: Final = 0xFFFFFFFF


def typo_budget(word: str) -> int:
    """How many typos a query word may carry and still match."""
    if not is_typo_word(word):
        return 0
    if len(word) >= TWO_TYPOS_FROM:
        return 2
    return 1 if len(word) >= ONE_TYPO_FROM else 0


def is_typo_word(term: str) -> bool:
    """Letters-only words written with spaces; codes, numbers, CJK and special terms are exact."""
    return not (term.startswith("~") or has_digit(term) or is_cjk(term))


def index_depth(term: str) -> int:
    """Deletions stored per vocabulary word: enough for the query budgets above (a 5-letter
    word only meets a 6-letter query with two typos by an insertion and one more edit, so one
    deletion suffices there), and for "did you mean" on short words ("mgu" → "mug")."""
    if len(term) >= TWO_TYPOS_FROM:
        return 2
    return 1 if len(term) >= 3 else 0


def deletions(word: str, depth: int) -> set[str]:
    """The word and every string made by deleting up to ``depth`` of its characters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def deletion_hashes(word: str, depth: int) -> list[int]:
    """32-bit hashes of :func:`deletions`; collisions only add candidates that checking drops."""
    return [hash(w) & _HASH_MASK for w in deletions(word, depth)]


def query_keys(word: str, depth: int) -> np.ndarray:
    """Sorted unique hashes for a query word, ready for ``searchsorted``."""
    return np.unique(np.array(deletion_hashes(word, depth), dtype=np.uint32))


def distance(a: str, b: str, budget: int) -> int | None:
    """Typos between two words, or None when over budget."""
    d = OSA.distance(a, b, score_cutoff=budget)
    return d if d <= budget else None
