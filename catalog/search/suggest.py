""" "Did you mean": when nothing matched, replace unknown words by their nearest catalogue words.

Only words the catalogue does not know are replaced (a known word in a combination that matches
nothing stays), with up to two typos — more than a search allows, since the buyer will confirm —
preferring the closer and then the more common word. The correction is offered only if it finds
something.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from catalog.search.matching import MAX_QUERY_CHARS, Lexicon
from catalog.search.ranking import MAX_UNITS
from catalog.search.text import tokens
from catalog.search.typos import SUGGESTION_TYPOS, distance, is_typo_word, query_keys

MIN_WORD = 3


def closest_word(word: str, lexicons: Sequence[Lexicon]) -> str | None:
    """Nearest known word within the suggestion budget (1 typo under 5 letters, else 2)."""
    budget = 1 if len(word) < 5 else SUGGESTION_TYPOS
    keys = query_keys(word, SUGGESTION_TYPOS)
    best: tuple[int, int, str] | None = None
    for lexicon in lexicons:
        for term_id in lexicon.typo_candidates(keys):
            term = lexicon.term(term_id)
            typos = distance(word, term, budget)
            if typos is None or typos == 0:
                continue
            rank = (typos, -lexicon.df(term_id), term)
            if best is None or rank < best:
                best = rank
    return best[2] if best else None


def did_you_mean(
    text: str, lexicons: Sequence[Lexicon], finds_something: Callable[[str], bool]
) -> str | None:
    """A corrected query that finds something, or None."""
    words = tokens(text[:MAX_QUERY_CHARS])[:MAX_UNITS]
    changed = False
    corrected = []
    for word in words:
        known = any(lexicon.lookup(word) >= 0 for lexicon in lexicons)
        if not known and len(word) >= MIN_WORD and word.isalpha() and is_typo_word(word):
            replacement = closest_word(word, lexicons)
            if replacement is not None:
                corrected.append(replacement)
                changed = True
                continue
        corrected.append(word)
    if not changed:
        return None
    suggestion = " ".join(corrected)
    return suggestion if finds_something(suggestion + " ") else None
