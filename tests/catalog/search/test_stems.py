"""Russian declensions: a buyer's "плюшевого мишку" finds a "Плюшевый мишка"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.search import SearchDocument, SearchIndex, parse_query

pytest.importorskip("snowballstemmer")  # a dependency; the lock may lag behind pyproject


def doc(product_id: int, title: str) -> SearchDocument:
    return SearchDocument(
        product_id=product_id,
        titles={"ru": title},
        merchant_id=1,
        price=Decimal("10"),
        currency="RUB",
    )


CATALOG = [
    doc(1, "Плюшевый мишка"),
    doc(2, "Плюшевый заяц"),
    doc(3, "Керамическая кружка"),
    doc(4, "Мишка кружка детская"),
]


@pytest.fixture(scope="module", params=["bulk", "upserts"])
def index(request: pytest.FixtureRequest) -> SearchIndex:
    if request.param == "bulk":
        return SearchIndex.build(CATALOG)
    built = SearchIndex()
    for document in CATALOG:
        built.upsert(document)
    return built


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("плюшевого мишку", 1),
        ("плюшевым мишкой", 1),
        ("керамическую кружку", 3),
        ("керамической кружки", 3),
    ],
)
def test_a_declined_query_finds_its_title(index: SearchIndex, query: str, first: int) -> None:
    assert index.search(parse_query(query, "ru")).product_ids[:1] == [first]


def test_the_form_typed_ranks_above_other_forms(index: SearchIndex) -> None:
    # "кружка" is in both titles as typed; "мишка" only in the fourth: it comes first.
    assert index.search(parse_query("мишка кружка", "ru")).product_ids[:1] == [4]


def test_a_stem_does_not_stand_in_for_another_word(index: SearchIndex) -> None:
    assert index.search(parse_query("плюшевого медведя", "ru")).product_ids == []
