"""Property tests over generated catalogues: exact titles win, case/accents/order do not matter."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.search import SearchDocument, SearchIndex

WORD = st.text(alphabet="abcdefghijklmnoprstuvz", min_size=3, max_size=10)
TITLE = st.lists(WORD, min_size=1, max_size=4, unique=True)
CATALOG = st.lists(TITLE, min_size=1, max_size=25, unique_by=frozenset)
ACCENTED = str.maketrans("aeiou", "áèîöú")


def build(titles: list[list[str]]) -> SearchIndex:
    return SearchIndex.build(
        SearchDocument(product_id=i, merchant_id=1, titles={"en": " ".join(words).title()})
        for i, words in enumerate(titles)
    )


@settings(max_examples=30, deadline=None)
@given(CATALOG, st.data())
def test_exact_title_is_found_first(titles: list[list[str]], data: st.DataObject) -> None:
    index = build(titles)
    chosen = data.draw(st.integers(0, len(titles) - 1))
    result = index.search(" ".join(titles[chosen]) + " ")
    assert result.product_ids[0] == chosen


@settings(max_examples=30, deadline=None)
@given(CATALOG, st.data())
def test_results_stable_under_case_accents_and_word_order(
    titles: list[list[str]], data: st.DataObject
) -> None:
    index = build(titles)
    words = data.draw(st.lists(st.sampled_from(sorted({w for t in titles for w in t})), max_size=4))
    query = " ".join(words) + " "
    plain = index.search(query, limit=1000, suggest=False).product_ids
    assert index.search(query.upper(), limit=1000, suggest=False).product_ids == plain
    accented = query.translate(ACCENTED)
    assert index.search(accented, limit=1000, suggest=False).product_ids == plain
    shuffled = " ".join(data.draw(st.permutations(words))) + " "
    assert set(index.search(shuffled, limit=1000, suggest=False).product_ids) == set(plain)
