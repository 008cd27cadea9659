"""Russian word stems, so a declined word finds its title: "плюшевого мишку" → "Плюшевый мишка".

Russian changes a word's ending with its case, number and gender (мишка, мишку, мишке, мишкой),
often by two or three letters, beyond what the typo budget forgives without letting other words
in. Both sides add the Snowball stem of every Cyrillic word as a term of its own (``~r:`` +
stem, a namespace no typed word can reach): the index beside the word, the query as a near
form, so a buyer's exact word still ranks above another form of it.

Only Russian: the other shipped languages write in Latin script, where the query does not say
which language it is in (a Spanish stemmer would cut English words), and their plurals are
already met by the singular/plural twin of the matcher. The stemmer (`snowballstemmer`, pure
Python) is loaded on the first Cyrillic word; without it installed, words are matched as before.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Final, Protocol

STEM_PREFIX: Final = "~r:"
MIN_STEMMED: Final = 3
"""Shorter words ("в", "на", "с") are not inflected nouns or adjectives worth a term."""

_CYRILLIC_WORD: Final = re.compile(r"[а-яёй]+")


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # snowballstemmer's own name


@cache
def _russian() -> _Stemmer | None:
    try:
        import snowballstemmer
    except ImportError:  # an older install without the dependency: no stems, as before
        return None
    stemmer: _Stemmer = snowballstemmer.stemmer("russian")
    return stemmer


@lru_cache(maxsize=1 << 16)
def stem_term(word: str) -> str:
    """``~r:`` + the stem of a folded Russian word; "" for anything else."""
    if len(word) < MIN_STEMMED or not _CYRILLIC_WORD.fullmatch(word):
        return ""
    stemmer = _russian()
    if stemmer is None:
        return ""
    stem = stemmer.stemWord(word)
    return STEM_PREFIX + stem if stem else ""
