"""Bulk analysis for :meth:`SearchIndex.build`: many documents to one segment's postings, fast.

:func:`analysis.analyze` reads one document at a time (upserts) into a dict of term → info; a
million products that way spend most of a minute in Python. :func:`bulk_postings` gives the same
postings working column by column instead of document by document:

* the folded titles of one language are tokenised as one long text (titles separated by a
  character no token contains): one regular expression call, not millions;
* each distinct token (and brand, category, tag, option value) becomes an *entry* once: its terms
  as ids into one vocabulary, their offsets, its span in positions and its length in query words,
  from the same :func:`analysis.token_terms`/:func:`analysis.attribute_terms` that
  :func:`analysis.analyze` uses; a document records only entry ids;
* numpy expands entries into (term, row, info) postings, finds title positions by cumulative
  sums of spans, and merges repeats of a term in one document as
  :class:`analysis.DocumentTerms` does (fields OR-ed, first position kept).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Final

import numpy as np

from catalog.search.analysis import (
    ATTRIBUTE,
    COLOUR_PREFIX,
    DESCRIPTION,
    MAX_DESCRIPTION_TERMS,
    NO_POSITION,
    SKU,
    TITLE,
    attribute_terms,
    colour_scan,
    sku_term,
    token_terms,
)
from catalog.search.document import SearchDocument
from catalog.search.lexicon import ASCII_COLOUR_AND_SIZE_WORDS
from catalog.search.synonyms import kind_scan
from catalog.search.text import JOINERS, MAX_TERM_CHARS, TOKEN, fold, index_terms, tokens

_END: Final = "\x00"
"""Ends each title in the joined text: a non-word character, so no token contains it."""
_TOKEN_OR_END: Final = re.compile(f"{TOKEN.pattern}|{_END}")
_NO_POSITION_BITS: Final = NO_POSITION << 4
_NOTHING: Final = 0
"""Entry 0 has no terms: empty attributes, and the end of a title."""


@dataclass(frozen=True, slots=True)
class BulkPostings:
    """Postings of many documents, one per (term, row), ordered by term then row; ``terms`` is
    sorted, so term ids follow the order :class:`Segment` keeps them in."""

    terms: list[str]
    term_ids: np.ndarray  # uint32, into ``terms``
    rows: np.ndarray  # uint32, the document's index in the input
    infos: np.ndarray  # uint8, as in analysis
    title_units: np.ndarray  # per row: its shortest title's length in query words


class _Vocabulary(dict[str, int]):
    """Term → id, numbering new terms as they come (``vocabulary[term]`` never fails)."""

    def __missing__(self, term: str) -> int:
        term_id = self[term] = len(self)
        return term_id

    def ids(self, terms: list[str]) -> list[int]:
        """Ids of many terms, new ones numbered in one go."""
        new = [term for term in dict.fromkeys(terms) if term not in self]
        self.update(zip(new, range(len(self), len(self) + len(new)), strict=True))
        return list(map(self.__getitem__, terms))


class _Entries(dict[str, int]):
    """Token (or attribute text) → entry id, creating the entry on first sight."""

    def __init__(
        self,
        table: _EntryTable,
        analyse: Callable[[str], tuple[Sequence[tuple[str, int]], int, int]],
    ) -> None:
        super().__init__()
        self._table = table
        self._analyse = analyse  # text → ((term, offset), ...), span, units

    def __missing__(self, text: str) -> int:
        entry = self[text] = self._table.add(*self._analyse(text))
        return entry


class _EntryTable:
    """Every entry's terms, flattened (``starts[e]:starts[e + 1]``), with span and units."""

    def __init__(self, vocabulary: _Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.starts = array("q", [0, 0])  # entry 0: nothing
        self.terms = array("I")
        self.offsets = array("I")
        self.spans = array("I", [0])
        self.units = array("I", [0])

    def add(self, terms: Sequence[tuple[str, int]], span: int, units: int) -> int:
        vocabulary = self.vocabulary
        for term, offset in terms:
            self.terms.append(vocabulary[term])
            self.offsets.append(offset)
        self.starts.append(len(self.terms))
        self.spans.append(span)
        self.units.append(units)
        return len(self.spans) - 1

    def add_words(self, words: list[str]) -> range:
        """Entries for tokens that are their own only term, all at once."""
        first = len(self.spans)
        count = len(words)
        self.terms.extend(self.vocabulary.ids(words))
        self.offsets.extend(array("I", [0]) * count)
        self.starts.extend(range(self.starts[-1] + 1, self.starts[-1] + count + 1))
        self.spans.extend(array("I", [1]) * count)
        self.units.extend(array("I", [1]) * count)
        return range(first, first + count)

    def add_compounds(self, tokens: list[list[str]]) -> range:
        """Entries for compound tokens given by their parts (none a colour or size, even
        joined), all at once: each part at its own position, the parts joined at the start."""
        first = len(self.spans)
        joined = ["".join(parts) for parts in tokens]
        terms = [
            term for parts, whole in zip(tokens, joined, strict=True) for term in (*parts, whole)
        ]
        self.terms.extend(self.vocabulary.ids(terms))
        self.offsets.extend([i for parts in tokens for i in (*range(len(parts)), 0)])
        counts = np.array([len(parts) + 1 for parts in tokens], dtype=np.int64)
        self.starts.extend((np.cumsum(counts) + self.starts[-1]).tolist())
        self.spans.extend((counts - 1).tolist())
        self.units.extend(array("I", [1]) * len(tokens))
        return range(first, first + len(tokens))

    def expand(self, entries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each term of each entry in ``entries``: the term, its offset, and the index in
        ``entries`` it came from."""
        starts = np.frombuffer(self.starts, dtype=np.int64)
        counts = starts[entries + 1] - starts[entries]
        source = np.repeat(np.arange(len(entries)), counts)
        within = np.arange(len(source)) - (np.cumsum(counts) - counts)[source]
        flat = starts[entries][source] + within
        terms = np.frombuffer(self.terms, dtype=np.uint32)[flat]
        offsets = np.frombuffer(self.offsets, dtype=np.uint32)[flat].astype(np.int64)
        return terms, offsets, source


class _Postings:
    """(term, row, info) triples as they come, repeats and all."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, terms: np.ndarray, rows: np.ndarray, infos: np.ndarray | int) -> None:
        infos = np.broadcast_to(np.asarray(infos, dtype=np.uint8), terms.shape)
        self.parts.append((terms.astype(np.int64), rows.astype(np.int64), infos))

    def merged(self, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One posting per (term, row), sorted, fields OR-ed and the first position kept."""
        parts = self.parts or [
            (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint8))
        ]
        terms, doc_rows, infos = (np.concatenate(column) for column in zip(*parts, strict=True))
        if not len(terms):
            return terms, doc_rows, infos.astype(np.uint8)
        # Sorting (term, row, info) packed in one integer puts repeats side by side.
        key = np.sort(((terms * max(rows, 1) + doc_rows) << 8) | infos)
        pair = key >> 8
        first = np.flatnonzero(np.concatenate([[True], pair[1:] != pair[:-1]]))
        infos = (key & 0xFF).astype(np.uint8)
        fields = np.bitwise_or.reduceat(infos & 0x0F, first)
        position = np.minimum.reduceat(infos & 0xF0, first)
        pair = pair[first]
        return pair // max(rows, 1), pair % max(rows, 1), (fields | position).astype(np.uint8)


def bulk_postings(docs: Sequence[SearchDocument]) -> BulkPostings:
    """The postings :func:`analysis.analyze` would give for each document, all at once."""
    vocabulary = _Vocabulary()
    table = _EntryTable(vocabulary)
    postings = _Postings()
    title_units = _titles(docs, table, postings)
    _attributes(docs, table, postings)
    _skus(docs, vocabulary, postings)
    _descriptions(docs, vocabulary, postings)
    term_ids, rows, infos = postings.merged(len(docs))
    # Number terms in sorted order, the order a segment keeps them in.
    terms = list(vocabulary)
    order = sorted(range(len(terms)), key=terms.__getitem__)
    rank = np.empty(len(terms), dtype=np.int64)
    rank[order] = np.arange(len(terms))
    ranked = rank[term_ids]
    by_term = np.argsort(ranked, kind="stable")  # keeps rows ascending within a term
    return BulkPostings(
        terms=[terms[i] for i in order],
        term_ids=ranked[by_term].astype(np.uint32),
        rows=rows[by_term].astype(np.uint32),
        infos=infos[by_term],
        title_units=title_units,
    )


def _titles(docs: Sequence[SearchDocument], table: _EntryTable, postings: _Postings) -> np.ndarray:
    """Title postings, language by language; returns each row's shortest title in query words."""
    by_language: dict[str, tuple[list[int], list[str]]] = {}
    for row, doc in enumerate(docs):
        for language, title in doc.titles.items():
            rows, titles = by_language.setdefault(language, ([], []))
            rows.append(row)
            titles.append(title)
    shortest = np.full(len(docs), np.iinfo(np.int64).max, dtype=np.int64)
    for language, (rows, titles) in by_language.items():
        folded = _END.join([fold(title) for title in titles]) + _END
        found = _TOKEN_OR_END.findall(folded)
        entries = _token_entries(found, language, table)
        ids = np.fromiter(map(entries.__getitem__, found), dtype=np.int64, count=len(found))
        spans = np.frombuffer(table.spans, dtype=np.uint32).astype(np.int64)  # now complete
        units = np.frombuffer(table.units, dtype=np.uint32).astype(np.int64)
        ends = ids == _NOTHING
        title_of = np.cumsum(ends) - ends  # a title's end counts as its last token
        # Position of a token: the spans before it in its own title.
        token_spans = spans[ids]
        after = np.cumsum(token_spans)
        title_start = np.concatenate([[0], after[ends]])[title_of]
        position = after - token_spans - title_start
        title_rows = np.asarray(rows, dtype=np.int64)
        words = np.bincount(title_of, weights=units[ids], minlength=len(titles))
        np.minimum.at(shortest, title_rows, words.astype(np.int64))
        terms, offsets, source = table.expand(ids)
        at = np.minimum(position[source] + offsets, NO_POSITION)
        postings.add(terms, title_rows[title_of[source]], (TITLE | (at << 4)).astype(np.uint8))
        # Colour and synonym-group words inside unspaced Chinese/Japanese titles.
        colour_terms, colour_rows = [], []
        for row, title in zip(rows, folded.split(_END), strict=False):
            if not title.isascii():
                for colour in colour_scan(title, folded=True):
                    colour_terms.append(table.vocabulary[COLOUR_PREFIX + colour])
                    colour_rows.append(row)
                for kind in kind_scan(title):  # synonym groups (see synonyms)
                    colour_terms.append(table.vocabulary[kind])
                    colour_rows.append(row)
        postings.add(
            np.asarray(colour_terms, np.int64),
            np.asarray(colour_rows, np.int64),
            TITLE | _NO_POSITION_BITS,
        )
    shortest[shortest == np.iinfo(np.int64).max] = 0  # no title at all
    return shortest


def _token_entries(found: list[str], language: str, table: _EntryTable) -> dict[str, int]:
    """Entry id of every distinct token; plain ones (words and model codes) in one go."""
    entries: dict[str, int | None] = dict.fromkeys(found)
    entries.pop(_END, None)
    # The commonest tokens, plain words and codes, are their own only term: checked in C.
    single = [
        token
        for token in entries
        if token.isalnum()
        and token.isascii()
        and len(token) <= MAX_TERM_CHARS
        and token not in ASCII_COLOUR_AND_SIZE_WORDS
    ]
    entries.update(zip(single, table.add_words(single), strict=True))
    # Next, ASCII compounds (xw-4816, t-shirt): parts, then the parts joined. TOKEN glues
    # parts with single joiners, so a split leaves no empty part.
    compound = [
        token
        for token, entry in entries.items()
        if entry is None and token.isascii() and len(token) <= MAX_TERM_CHARS
    ]
    parts = list(map(JOINERS.split, compound))
    plain = [
        ASCII_COLOUR_AND_SIZE_WORDS.isdisjoint(split)
        and "".join(split) not in ASCII_COLOUR_AND_SIZE_WORDS
        for split in parts
    ]
    compound = list(compress(compound, plain))
    entries.update(zip(compound, table.add_compounds(list(compress(parts, plain))), strict=True))
    for token, entry in entries.items():
        if entry is None:
            entries[token] = table.add(*token_terms(token, language))
    entries[_END] = _NOTHING
    return entries  # type: ignore[return-value]  # no None is left: every token got an entry


def _attribute_entries(table: _EntryTable, option: bool) -> _Entries:
    def analyse(text: str) -> tuple[list[tuple[str, int]], int, int]:
        return [(term, 0) for term in attribute_terms(text, option)], 0, 0

    entries = _Entries(table, analyse)
    entries[""] = _NOTHING  # analyze skips empty brands, categories and tags
    return entries


def _attributes(docs: Sequence[SearchDocument], table: _EntryTable, postings: _Postings) -> None:
    """Brand, category, tags and variant options: terms without positions."""
    plain = _attribute_entries(table, option=False)
    options = _attribute_entries(table, option=True)
    ids = [plain[doc.brand] for doc in docs] + [plain[doc.category] for doc in docs]
    rows = list(range(len(docs))) * 2
    for row, doc in enumerate(docs):
        if doc.tags or doc.options:
            for tag in doc.tags:
                ids.append(plain[tag])
                rows.append(row)
            for option in doc.options:
                ids.append(options[option])
                rows.append(row)
    terms, _offsets, source = table.expand(np.asarray(ids, dtype=np.int64))
    postings.add(terms, np.asarray(rows, dtype=np.int64)[source], ATTRIBUTE | _NO_POSITION_BITS)


def _skus(docs: Sequence[SearchDocument], vocabulary: _Vocabulary, postings: _Postings) -> None:
    terms, rows = [], []
    for row, doc in enumerate(docs):
        for sku in doc.skus:
            term = sku_term(sku)
            if term:
                terms.append(vocabulary[term])
                rows.append(row)
    postings.add(np.asarray(terms, np.int64), np.asarray(rows, np.int64), SKU | _NO_POSITION_BITS)


def _descriptions(
    docs: Sequence[SearchDocument], vocabulary: _Vocabulary, postings: _Postings
) -> None:
    terms, rows = [], []
    for row, doc in enumerate(docs):
        for text in doc.descriptions.values():
            words = " ".join(tokens(text)[:MAX_DESCRIPTION_TERMS])
            for term, _position in index_terms(words)[0]:
                terms.append(vocabulary[term])
                rows.append(row)
    postings.add(
        np.asarray(terms, np.int64), np.asarray(rows, np.int64), DESCRIPTION | _NO_POSITION_BITS
    )
