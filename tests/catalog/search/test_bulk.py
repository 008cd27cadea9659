"""bulk_postings: a whole catalogue at once gives exactly what analyze gives one by one."""

from __future__ import annotations

from collections import defaultdict

from catalog.search import SearchDocument
from catalog.search.analysis import analyze, token_terms
from catalog.search.bulk import bulk_postings
from catalog.search.text import ascii_index_terms, token_index_terms

DOCS = [
    SearchDocument(1, 1, {"en": "Sony WH-1000XM5 Wireless Headphones black"}, brand="Sony"),
    SearchDocument(2, 1, {"en": "Red red RED mug", "es": "Taza roja"}, options=("Rojo", "XL")),
    SearchDocument(3, 1, {"zh": "红色陶瓷杯子", "ja": "黒いステンレス水筒"}, category="Cups"),
    SearchDocument(4, 2, {"ru": "Кроссовки для бега", "ar": "حذاء الأحمر"}, tags=("run", "")),
    SearchDocument(
        5, 2, {"fr": "Robe rose t-shirt", "en": "Rose dress t-shirt"}, skus=("AB-12/x",)
    ),
    SearchDocument(6, 2, {"en": ""}, descriptions={"en": "A very long description " * 20}),
    SearchDocument(7, 3, {}, brand="No Title", skus=("", "ZZ-9")),
    SearchDocument(8, 3, {"en": "iphone15手机壳 size 42 2xl " + "x" * 60 + " l'eau 2.5"}),
    SearchDocument(9, 3, {"en": "Sony WH-1000XM5 Wireless Headphones black"}, brand="Sony"),
]


def test_bulk_postings_equal_analyze_document_by_document() -> None:
    postings = bulk_postings(DOCS)
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for term_id, row, info in zip(
        postings.term_ids.tolist(), postings.rows.tolist(), postings.infos.tolist(), strict=True
    ):
        assert postings.terms[term_id] not in found[row], "one posting per term and document"
        found[row][postings.terms[term_id]] = info
    for row, doc in enumerate(DOCS):
        expected = analyze(doc)
        assert found[row] == expected.infos, doc
        assert postings.title_units[row] == expected.title_units, doc


def test_bulk_postings_are_sorted_by_term_then_document() -> None:
    postings = bulk_postings(DOCS)
    assert postings.terms == sorted(postings.terms)
    pairs = list(zip(postings.term_ids.tolist(), postings.rows.tolist(), strict=True))
    assert pairs == sorted(pairs)


def test_no_documents() -> None:
    postings = bulk_postings([])
    assert postings.terms == [] and len(postings.rows) == 0 and len(postings.title_units) == 0


def test_ascii_fast_path_matches_the_general_one() -> None:
    for token in ("mug", "wh-1000xm5", "t-shirt", "l'eau", "2.5", "a_b+c&d/e", "x" * 60, "x-" * 30):
        general = token_index_terms(token)
        assert ascii_index_terms(token) == [(t.term, t.offset) for t in general.terms], token
        _terms, span, units = token_terms(token, "en")
        assert (span, units) == (general.span, general.units), token
