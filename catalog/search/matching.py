"""From query text to query words ("units") and from each unit to the vocabulary terms it matches.

A unit matches a term exactly, through an alternative form (transliteration, canonical colour or
size), within its typo budget, or — for the last word while the buyer is still typing — as a
prefix. Each such term is an *expansion* carrying its typo count and whether it was exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
from rapidfuzz import fuzz

from catalog.search.analysis import COLOUR_PREFIX, SIZE_PREFIX
from catalog.search.lexicon import colour_of, size_of
from catalog.search.ranking import MAX_UNITS
from catalog.search.stems import stem_term
from catalog.search.synonyms import WORD_PREFIX, cut_chinese, kind_words, kinds_of
from catalog.search.text import (
    JOINERS,
    MAX_TERM_CHARS,
    fold,
    is_cjk,
    query_pieces,
    split_cjk,
    tokens,
    transliterate,
)
from catalog.search.typos import distance, query_keys, typo_budget

MAX_QUERY_CHARS: Final = 256
PREFIX_EXPANSIONS: Final = 32
TYPO_EXPANSIONS: Final = 64
MIN_PREFIX: Final = 2
LOOSE_TYPOS: Final = 3
LOOSE_HEAD: Final = 3
LOOSE_SCAN: Final = 2048
LOOSE_SIMILARITY: Final = 75.0


class Lexicon(Protocol):
    """What expansion needs from a segment (both segment kinds provide it)."""

    def lookup(self, term: str) -> int: ...
    def term(self, term_id: int) -> str: ...
    def df(self, term_id: int) -> int: ...
    def prefix_terms(self, prefix: str, limit: int) -> list[int]: ...
    def typo_candidates(self, keys: np.ndarray) -> list[int]: ...
    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass(frozen=True, slots=True)
class Unit:
    """One query word: its folded text, other exact spellings, whether it is a prefix, and
    near forms (singular/plural) that match like a prefix does: found, but ranked below exact."""

    text: str
    alternatives: tuple[str, ...] = ()
    prefix: bool = False
    variants: tuple[str, ...] = ()

    @property
    def budget(self) -> int:
        return typo_budget(self.text)


@dataclass(frozen=True, slots=True)
class Expansion:
    term_id: int
    typos: int
    exact: bool


def text_units(text: str, *, language: str | None = None, characters: bool = False) -> list[Unit]:
    """Units of a free-text query; the last one is a prefix unless the text ends in a space.

    ``characters`` cuts Chinese and Japanese into single characters instead of pairs (words of
    a synonym group excepted): the last resort for a wrong or swapped character."""
    text = text[:MAX_QUERY_CHARS]
    pieces = [piece for token in tokens(text) for piece in _query_words(token, characters)]
    pieces = pieces[:MAX_UNITS]
    typing = bool(text) and not text[-1].isspace()
    units = []
    for i, (piece, kinds) in enumerate(pieces):
        if kinds:  # a word of a synonym group: matches the group's kind term
            # The word itself ranks first: as its own pair or character, or whole.
            own = piece if len(piece) <= 2 else WORD_PREFIX + piece
            units.append(Unit(own, variants=kinds))
            continue
        alternatives = []
        ascii_form = transliterate(piece)
        if ascii_form:
            alternatives.append(ascii_form)
        # A colour or size synonym ("negro" for a "Black" title) is found but ranks below the
        # word itself, so an exact title still wins over its synonym twin.
        synonyms = []
        colour = colour_of(piece, language)
        if colour is not None:
            synonyms.append(COLOUR_PREFIX + colour)
        size = size_of(piece)
        if size is not None:
            synonyms.append(SIZE_PREFIX + size)
        stem = stem_term(piece)
        if stem:
            synonyms.append(stem)
        prefix = typing and i == len(pieces) - 1 and len(piece) >= MIN_PREFIX and not is_cjk(piece)
        units.append(Unit(piece, tuple(alternatives), prefix, (*_number_forms(piece), *synonyms)))
    return units


def _query_words(token: str, characters: bool) -> list[tuple[str, tuple[str, ...]]]:
    """(piece, kind terms) of one folded query token.

    A Chinese or Japanese run is cut around the synonym-group words it holds, Chinese
    remainders into words by jieba, and each word into character pairs (or characters): pairs
    that straddle two words ("色的" in "红色的杯子") are not asked for."""
    if not is_cjk(token):
        return [(piece, ()) for piece in query_pieces(token)]
    out: list[tuple[str, tuple[str, ...]]] = []
    for part in JOINERS.split(token):
        for piece, cjk in split_cjk(part):
            if not cjk:
                out.append((piece[:MAX_TERM_CHARS], ()))
                continue
            for run, known in kind_words(piece):
                if known:
                    out.append((run, kinds_of(run)))
                    continue
                for word in cut_chinese(run):
                    kinds = kinds_of(word)
                    if kinds:
                        out.append((word, kinds))
                    elif characters or len(word) == 1:
                        out += [(ch, ()) for ch in word]
                    else:
                        out += [(word[i : i + 2], ()) for i in range(len(word) - 1)]
    return out


_PLURAL_FROM: Final = 3


def _number_forms(word: str) -> tuple[str, ...]:
    """Singular/plural twin of a Latin word ("mugs" ↔ "mug"): short words get no typo budget,
    so without this "2 red mugs" would miss a "Red Mug". The English/Romance "-s" only; other
    inflections are left to the typo budget."""
    if len(word) < _PLURAL_FROM or not word.isascii() or not word.isalpha():
        return ()
    if word.endswith("s") and not word.endswith("ss"):
        return (word[:-1],)
    return (word + "s",)


def colour_unit(colour: str) -> Unit:
    return Unit(COLOUR_PREFIX + fold(colour))


def size_unit(size: str) -> Unit:
    return Unit(SIZE_PREFIX + fold(size))


def expand(segment: Lexicon, unit: Unit, keys: np.ndarray | None) -> list[Expansion]:
    """Terms of one segment that ``unit`` matches, best form per term.

    ``keys`` are the unit's typo keys (:func:`unit_keys`), computed once for all segments.
    """
    found: dict[int, Expansion] = {}

    def offer(term_id: int, typos: int, exact: bool) -> None:
        old = found.get(term_id)
        if old is None or (typos, not exact) < (old.typos, not old.exact):
            found[term_id] = Expansion(term_id, typos, exact)

    for form in (unit.text, *unit.alternatives):
        term_id = segment.lookup(form)
        if term_id >= 0:
            offer(term_id, 0, True)
    for form in unit.variants:
        term_id = segment.lookup(form)
        if term_id >= 0:
            offer(term_id, 0, False)
    budget = unit.budget
    if budget and keys is not None:
        checked = 0
        for term_id in segment.typo_candidates(keys):
            if term_id in found:
                continue
            typos = distance(unit.text, segment.term(term_id), budget)
            if typos is not None:
                offer(term_id, typos, True)
            checked += 1
            if checked >= TYPO_EXPANSIONS * 4:
                break
    if unit.prefix:
        for term_id in segment.prefix_terms(unit.text, PREFIX_EXPANSIONS):
            offer(term_id, 0, False)
    return list(found.values())


def unit_keys(unit: Unit) -> np.ndarray | None:
    budget = unit.budget
    return query_keys(unit.text, budget) if budget else None


def loose_expansions(segment: Lexicon, unit: Unit) -> list[Expansion]:
    """The last resort when a query found nothing: terms that start like the word (first three
    letters), are no shorter, and are similar to it by rapidfuzz's ``ratio`` (Indel), counted as
    the most typos a word can have, so real misspellings beyond any edit budget ("dount" →
    "doughnut", three insertions) still match when every other word does."""
    word = unit.text
    if not unit.budget or len(word) <= LOOSE_HEAD:
        return []
    found = []
    for term_id in segment.prefix_terms(word[:LOOSE_HEAD], LOOSE_SCAN):
        term = segment.term(term_id)
        # A shorter term is a different word that the buyer's one merely starts with
        # ("yellowfin" is not "yellow"); misspellings beyond the budget drop letters.
        if len(term) >= len(word) and fuzz.ratio(word, term, score_cutoff=LOOSE_SIMILARITY):
            found.append(Expansion(term_id, LOOSE_TYPOS, True))
    return found
