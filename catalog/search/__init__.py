"""Fuzzy multilingual product search, in memory and in pure Python (numpy, rapidfuzz, anyascii).

Typo tolerant (1 typo from 4 letters, 2 from 6; none on numbers, codes and SKUs; beyond that, a
similar word that starts alike as a last resort), word order free, the last word matched as a
prefix while it is being typed, across every translation of a product, Chinese and Japanese by
character n-grams, accents and case folded, non-Latin words also reachable through their
transliteration. Results are ranked in stages (words matched, typos, field, exactness and
proximity, stock) and a hit must match most of the query, so nonsense finds nothing rather than
noise; then a "did you mean" correction is offered.

``parse_query`` takes price limits, colours, sizes and a quantity out of the buyer's text first.
"""

from catalog.search.document import SearchDocument
from catalog.search.index import PriceRange, SearchIndex
from catalog.search.query import ParsedQuery, parse_query
from catalog.search.results import Hit, SearchResult

__all__ = [
    "Hit",
    "ParsedQuery",
    "PriceRange",
    "SearchDocument",
    "SearchIndex",
    "SearchResult",
    "parse_query",
]
