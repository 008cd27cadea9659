"""Turn a :class:`SearchDocument` into the terms the index stores for it.

Each term carries one info byte: the low four bits say which fields hold it (title, attributes,
SKU, description) and the high four bits its first position in a title (15 = not in a title).
Ranking needs no more than that, which keeps a posting at five bytes.

Building a million documents must take seconds, so the work per distinct token and per distinct
attribute string (brands, categories, tags and options repeat endlessly) is cached.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

from catalog.search.document import SearchDocument
from catalog.search.lexicon import cjk_colours, colour_of, size_of
from catalog.search.synonyms import kind_scan
from catalog.search.text import (
    MAX_TERM_CHARS,
    TOKEN,
    IndexTerm,
    ascii_index_terms,
    fold,
    index_terms,
    is_cjk,
    token_index_terms,
    tokens,
)

TITLE: Final = 1
ATTRIBUTE: Final = 2  # brand, category, tags, variant options
SKU: Final = 4
DESCRIPTION: Final = 8
NO_POSITION: Final = 15
MAX_DESCRIPTION_TERMS: Final = 64
"""Descriptions weigh least; their first words are enough and keep the postings small."""

COLOUR_PREFIX: Final = "~c:"
SIZE_PREFIX: Final = "~s:"
"""Canonical colour/size terms; '~' never survives tokenisation, so they cannot clash with words."""

_SKU_JUNK: Final = re.compile(r"[\W_]+")
_NO_POSITION_BITS: Final = NO_POSITION << 4


def sku_term(sku: str) -> str:
    """SKUs are matched as one folded alphanumeric string: ``ABC-12/x`` → ``abc12x``."""
    return _SKU_JUNK.sub("", fold(sku))[:MAX_TERM_CHARS]


def token_terms(token: str, language: str | None) -> tuple[tuple[tuple[str, int], ...], int, int]:
    """(term, offset) pairs of one folded token with its canonical colour/size terms, its span in
    positions, and how many query words it equals."""
    if token.isascii():  # the common case (words, model codes): no CJK, nothing to transliterate
        terms: Sequence[tuple[str, int] | IndexTerm] = ascii_index_terms(token)
        span = units = 1
        if len(terms) > 1:
            span = len(terms) - 1
    else:
        terms, span, units = token_index_terms(token)
    out = []
    for term, offset, *_ in terms:
        out.append((term, offset))
        if is_cjk(term):
            continue  # CJK colours are found by scanning the run (see colour_scan)
        colour = colour_of(term, language)
        if colour is not None:
            out.append((COLOUR_PREFIX + colour, offset))
        size = size_of(term)
        if size is not None:
            out.append((SIZE_PREFIX + size, offset))
    return tuple(out), span, units


_cached_token_terms = lru_cache(maxsize=1 << 16)(token_terms)
"""For one document at a time (upserts); a bulk build keeps its own table of distinct tokens."""


@lru_cache(maxsize=1 << 16)
def attribute_terms(text: str, option: bool) -> tuple[str, ...]:
    """Terms of a brand, category, tag or option value (positions do not matter there)."""
    terms, _ = index_terms(text)
    out = dict.fromkeys(term for term, _ in terms)
    for term in list(out):
        if is_cjk(term):
            continue
        colour = colour_of(term, None)
        if colour is not None:
            out[COLOUR_PREFIX + colour] = None
        size = size_of(term) if option else None
        if size is not None:
            out[SIZE_PREFIX + size] = None
    for colour in colour_scan(text):
        out[COLOUR_PREFIX + colour] = None
    if option:  # a bare "42" or "M" as a variant option value is a size
        size = size_of(fold(text).strip(), after_size_word=True)
        if size is not None:
            out[SIZE_PREFIX + size] = None
    return tuple(out)


def colour_scan(text: str, *, folded: bool = False) -> list[str]:
    """Canonical colours named inside unspaced Chinese/Japanese text."""
    if text.isascii():
        return []
    return [colour_of(m.group()) or "" for m in cjk_colours(text if folded else fold(text))]


class DocumentTerms:
    """Term → info for one document; repeats merge (fields OR-ed, first position kept)."""

    __slots__ = ("infos", "title_units")

    def __init__(self) -> None:
        self.infos: dict[str, int] = {}
        self.title_units = 0

    def add(self, term: str, info: int) -> None:
        infos = self.infos
        old = infos.get(term)
        if old is None:
            infos[term] = info
        else:
            infos[term] = ((old | info) & 0x0F) | (min(old & 0xF0, info & 0xF0))

    def add_title(self, title: str, language: str) -> int:
        """Index one translation of the title; returns its length in query words."""
        infos = self.infos
        get = infos.get
        position = 0
        units = 0
        for token in TOKEN.findall(fold(title)):
            terms, span, token_units = _cached_token_terms(token, language)
            for term, offset in terms:
                info = TITLE | (min(position + offset, NO_POSITION) << 4)
                old = get(term)
                if old is None:
                    infos[term] = info
                elif old & 0xF0 > info & 0xF0 or not old & TITLE:
                    infos[term] = ((old | info) & 0x0F) | (min(old & 0xF0, info & 0xF0))
            position += span
            units += token_units
        for colour in colour_scan(title):
            self.add(COLOUR_PREFIX + colour, TITLE | _NO_POSITION_BITS)
        for kind in kind_scan(fold(title)):
            self.add(kind, TITLE | _NO_POSITION_BITS)
        return units


def analyze(doc: SearchDocument) -> DocumentTerms:
    """All terms of a document with their field/position info."""
    out = DocumentTerms()
    titles = [out.add_title(title, language) for language, title in doc.titles.items()]
    out.title_units = min(titles, default=0)
    add = out.add
    attribute = ATTRIBUTE | _NO_POSITION_BITS
    for text in (doc.brand, doc.category, *doc.tags):
        if text:
            for term in attribute_terms(text, False):
                add(term, attribute)
    for option in doc.options:
        for term in attribute_terms(option, True):
            add(term, attribute)
    for sku in doc.skus:
        term = sku_term(sku)
        if term:
            add(term, SKU | _NO_POSITION_BITS)
    description = DESCRIPTION | _NO_POSITION_BITS
    for text in doc.descriptions.values():
        words = " ".join(tokens(text)[:MAX_DESCRIPTION_TERMS])
        terms, _ = index_terms(words)
        for term, _position in terms:
            add(term, description)
    return out
