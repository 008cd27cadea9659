"""The search index: build it from documents, keep it current, ask it questions.

A big immutable :class:`Segment` (numpy) holds what was built or last merged; a small
:class:`DeltaSegment` takes upserts; dead rows are masked in the :class:`DocTable` until the
next merge, which happens when the delta grows past an eighth of the segment. Every public method
is synchronous and leaves the index consistent when it returns, so coroutines on one event loop
may interleave searches and upserts freely.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final, NamedTuple

import numpy as np

from catalog.search.analysis import analyze
from catalog.search.bulk import bulk_postings
from catalog.search.delta import DeltaSegment
from catalog.search.doctable import DocTable
from catalog.search.document import SearchDocument
from catalog.search.matching import (
    MIN_PREFIX,
    Lexicon,
    Unit,
    colour_unit,
    expand,
    loose_expansions,
    size_unit,
    text_units,
    unit_keys,
)
from catalog.search.query import ParsedQuery
from catalog.search.ranking import (
    MAX_UNITS,
    Scratch,
    UnitMatches,
    candidates,
    expansion_bits,
    quality_at,
    rank,
    required_matches,
)
from catalog.search.results import Hit, SearchResult
from catalog.search.segment import Segment
from catalog.search.suggest import did_you_mean
from catalog.search.text import is_cjk

MAX_LIMIT: Final = 1000
MIN_MERGE: Final = 4096


class PriceRange(NamedTuple):
    """Inclusive price limits in one merchant's currency; None means open."""

    min: Decimal | None = None
    max: Decimal | None = None


class SearchIndex:
    """Fuzzy multilingual product search; see the package docstring for the behaviour."""

    def __init__(self) -> None:
        self._docs = DocTable()
        self._segment = Segment.empty()
        self._delta = DeltaSegment()
        self._delta_docs = 0
        self._scratch = Scratch(self._docs.capacity)

    # -- building and updating ---------------------------------------------------------------

    @classmethod
    def build(cls, docs: Iterable[SearchDocument]) -> SearchIndex:
        """Index many documents at once (the fast path: one segment, no per-term objects; see
        :mod:`bulk`).

        If a product id repeats, the last document wins.
        """
        docs = list(docs)
        # Millions of short-lived lists and strings would trigger full collections that walk
        # every document again and again; nothing built here is cyclic.
        collecting = gc.isenabled()
        gc.disable()
        try:
            postings = bulk_postings(docs)
        finally:
            if collecting:
                gc.enable()
        index = cls()
        index._docs = DocTable.bulk(docs, postings.title_units)
        index._segment = Segment.build(
            postings.terms, postings.term_ids, postings.rows, postings.infos
        )
        index._scratch.ensure(index._docs.capacity)
        return index

    def upsert(self, doc: SearchDocument) -> None:
        """Add or replace one product; visible to the next search."""
        analysed = analyze(doc)
        old = self._docs.find(doc.product_id)
        row = self._docs.append(doc, analysed.title_units)
        self._delta.add(row, analysed.infos)
        self._delta_docs += 1
        if old >= 0:
            self._docs.kill(old)
        self._scratch.ensure(self._docs.capacity)
        if self._delta_docs >= max(MIN_MERGE, self._docs.live // 8):
            self.merge()

    def remove(self, product_id: int) -> None:
        """Forget a product (no-op if unknown)."""
        row = self._docs.find(product_id)
        if row >= 0:
            self._docs.kill(row)

    def merge(self) -> None:
        """Fold the delta into a new segment and drop dead rows (runs by itself; public for tests
        and for a quiet moment)."""
        base = self._segment.export()
        delta_terms, delta_ids, delta_docs, delta_infos = self._delta.export()
        terms = base[0]
        mapping = np.empty(len(delta_terms), dtype=np.uint32)
        for i, term in enumerate(delta_terms):
            found = self._segment.lookup(term)
            if found < 0:
                found = len(terms)
                terms.append(term)
            mapping[i] = found
        remap = self._docs.compact()
        docs = remap[np.concatenate([base[2], delta_docs])]
        keep = docs >= 0
        term_ids = np.concatenate([base[1], mapping[delta_ids]])
        infos = np.concatenate([base[3], delta_infos])
        self._segment = Segment.build(
            terms, term_ids[keep], docs[keep].astype(np.uint32), infos[keep]
        )
        self._delta = DeltaSegment()
        self._delta_docs = 0
        self._scratch = Scratch(self._docs.capacity)

    def __len__(self) -> int:
        return self._docs.live

    def nbytes(self) -> int:
        """Approximate memory of the numpy part (segment and columns), for benchmarks."""
        return self._segment.nbytes() + self._docs.nbytes()

    # -- searching ---------------------------------------------------------------------------

    def search(
        self,
        query: str | ParsedQuery,
        *,
        limit: int = 10,
        merchant_id: int | None = None,
        max_price: Decimal | None = None,
        min_price: Decimal | None = None,
        price_limits: Mapping[int, PriceRange] | None = None,
        suggest: bool = True,
        fallbacks: bool = True,
    ) -> SearchResult:
        """Best ``limit`` products for a query.

        A ``str`` is searched as typed (the last word counts as a prefix unless it ends in a
        space). A :class:`ParsedQuery` searches its ``text``; its colours and sizes count as
        query words matched against the canonical colours/sizes of titles and variant options;
        its price limits apply to products priced in its currency (or to all when it named
        none) unless explicit limits are given.

        ``min_price``/``max_price`` compare with each product's own price in its merchant's
        currency. ``price_limits`` maps merchant id → :class:`PriceRange` for catalogues mixing
        currencies (the caller converts the buyer's budget per merchant); merchants missing
        from it are left out. Products without a price never pass a price filter.

        ``fallbacks=False`` leaves out the last resorts (misspellings beyond the typo budget, a
        Chinese or Japanese query read character by character): a caller that can let go of
        something else first (the budget) asks for what the words really say.
        """
        parsed = query if isinstance(query, ParsedQuery) else None
        text = parsed.text if parsed is not None else query
        units = text_units(text) if isinstance(text, str) else []
        if parsed is not None:
            units = (units + _option_units(parsed, units))[:MAX_UNITS]
        limit = max(0, min(limit, MAX_LIMIT))
        if not units or limit == 0:
            return SearchResult([])
        filters = _Filters(merchant_id, min_price, max_price, price_limits, parsed)
        hits = self._search_units(units, limit, filters)
        if not fallbacks:
            return SearchResult(hits)
        if not hits:  # misspellings beyond the typo budget, as a last resort
            hits = self._search_units(units, limit, filters, loose=True)
        if not hits and isinstance(text, str) and is_cjk(text):
            # A wrong or swapped Chinese/Japanese character breaks two pairs: ask for the
            # characters instead, most of which are still right.
            loose = text_units(text, characters=True)
            if parsed is not None:
                loose = (loose + _option_units(parsed, loose))[:MAX_UNITS]
            if loose != units:
                hits = self._search_units(loose, limit, filters)
        suggestion = None
        if not hits and suggest and isinstance(text, str):

            def finds_something(candidate: str) -> bool:
                return bool(self._search_units(text_units(candidate), 1, filters))

            suggestion = did_you_mean(text, self._lexicons(), finds_something)
        return SearchResult(hits, suggestion)

    def _lexicons(self) -> list[Lexicon]:
        return [self._segment, self._delta] if len(self._delta) else [self._segment]

    def _search_units(
        self, units: list[Unit], limit: int, filters: _Filters, *, loose: bool = False
    ) -> list[Hit]:
        lexicons = self._lexicons()
        matches: list[UnitMatches] = []
        for unit in units:
            keys = unit_keys(unit)
            parts = []
            for lexicon in lexicons:
                expansions = expand(lexicon, unit, keys)
                if loose:
                    known = {expansion.term_id for expansion in expansions}
                    expansions += [
                        e for e in loose_expansions(lexicon, unit) if e.term_id not in known
                    ]
                for expansion in expansions:
                    docs, infos = lexicon.postings(expansion.term_id)
                    if len(docs):
                        parts.append(
                            (docs, infos, expansion_bits(expansion.typos, expansion.exact))
                        )
            matches.append(UnitMatches(parts))
        required = required_matches(len(units))
        table = self._docs
        cands = candidates(matches, required, self._scratch)
        if not len(cands):
            return []
        qualities = [quality_at(unit, cands, self._scratch) for unit in matches]
        keep = filters.mask(table, cands)
        if not keep.all():
            cands = cands[keep]
            qualities = [quality[keep] for quality in qualities]
        ranked = rank(qualities, cands, table.title_units, table.prior, required, limit)
        return [
            Hit(
                product_id=int(table.product_id[doc]),
                score=float(score),
                matched_terms=int(matched),
                typos=int(typos),
                merchant_id=int(table.merchant_id[doc]),
                in_stock=bool(table.in_stock[doc]),
            )
            for doc, score, matched, typos in zip(
                ranked.docs.tolist(),
                ranked.scores.tolist(),
                ranked.matched.tolist(),
                ranked.typos.tolist(),
                strict=True,
            )
        ]


def _option_units(parsed: ParsedQuery, text: list[Unit]) -> list[Unit]:
    """Units for the parsed colours and sizes, each once.

    A word the buyer typed matches itself first and its canonical colour/size as a near form
    ("negro" finds "Emulex Negro" above "Emulex Black", and both); a colour or size still in
    the text (a query of only "black") already matches its canonical term, so it is not added
    again: counting it twice would cost exact titles their rank. The word the buyer is still
    typing stays a prefix ("negro" may become "negroni")."""
    covered = {form for unit in text for form in (unit.text, *unit.alternatives, *unit.variants)}
    units = []
    for words, make in ((parsed.colour_words, colour_unit), (parsed.size_words, size_unit)):
        for word, value in words:
            canonical = make(value).text
            if canonical not in covered:
                covered.add(canonical)
                typing = word == parsed.typing_word and len(word) >= MIN_PREFIX
                units.append(Unit(word, prefix=typing and not is_cjk(word), variants=(canonical,)))
    for values, make in ((parsed.colours, colour_unit), (parsed.sizes, size_unit)):
        for value in values:  # a ParsedQuery built by hand may name values without words
            unit = make(value)
            if unit.text not in covered:
                covered.add(unit.text)
                units.append(unit)
    return units


class _Filters:
    """Merchant and price conditions, applied to candidate rows in one vectorised pass."""

    def __init__(
        self,
        merchant_id: int | None,
        min_price: Decimal | None,
        max_price: Decimal | None,
        price_limits: Mapping[int, PriceRange] | None,
        parsed: ParsedQuery | None,
    ) -> None:
        self.merchant_id = merchant_id
        self.price_limits = price_limits
        self.currency: str | None = None
        if min_price is None and max_price is None and price_limits is None and parsed:
            min_price, max_price = parsed.min_price, parsed.max_price
            self.currency = parsed.price_currency
        self.min = -math.inf if min_price is None else float(min_price)
        self.max = math.inf if max_price is None else float(max_price)

    def mask(self, table: DocTable, rows: np.ndarray) -> np.ndarray:
        keep: np.ndarray = table.alive[rows]
        if self.merchant_id is not None:
            keep &= table.merchant_id[rows] == self.merchant_id
        if self.min > -math.inf or self.max < math.inf:
            price = table.price[rows]
            keep &= (price >= self.min) & (price <= self.max)  # NaN (no price) fails both
            if self.currency:  # limits in one currency: only comparable prices pass
                code = table.find_currency(self.currency)
                currency = table.currency[rows]
                keep &= (currency == code) | (currency == 0)
        if self.price_limits is not None:
            price = table.price[rows]
            merchants = table.merchant_id[rows]
            allowed = np.zeros(len(rows), dtype=np.bool_)
            for merchant, limits in self.price_limits.items():
                low = -math.inf if limits.min is None else float(limits.min)
                high = math.inf if limits.max is None else float(limits.max)
                allowed |= (merchants == merchant) & (price >= low) & (price <= high)
            keep &= allowed
        return keep
