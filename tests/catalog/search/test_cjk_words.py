"""Chinese and Japanese as words: segmentation, synonym groups and one wrong character, in the
engine itself (built in bulk and by upserts, which index through different code)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.search import SearchDocument, SearchIndex, parse_query


def doc(product_id: int, title: str, language: str) -> SearchDocument:
    return SearchDocument(
        product_id=product_id,
        titles={language: title},
        merchant_id=1,
        price=Decimal("10"),
        currency="CNY",
    )


CATALOG = [
    doc(1, "红色陶瓷马克杯", "zh"),
    doc(2, "不锈钢保温杯 黑色", "zh"),
    doc(3, "塑料实用的键盘", "zh"),
    doc(4, "蓝色运动鞋", "zh"),
    doc(5, "ワイヤレスヘッドホン 黒", "ja"),
    doc(6, "折りたたみスーツケース", "ja"),
    doc(7, "红色毛巾", "zh"),
]


def bulk() -> SearchIndex:
    return SearchIndex.build(CATALOG)


def upserted() -> SearchIndex:
    index = SearchIndex()
    for document in CATALOG:
        index.upsert(document)
    return index


@pytest.fixture(scope="module", params=[bulk, upserted], ids=["bulk", "upserts"])
def index(request: pytest.FixtureRequest) -> SearchIndex:
    built: SearchIndex = request.param()
    return built


def ids(index: SearchIndex, text: str, language: str = "zh") -> list[int]:
    return index.search(parse_query(text, language)).product_ids


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("红色的杯子", 1),  # 的 joins the words; 杯子 is what a buyer calls a 马克杯
        ("杯子", 1),
        ("实用的塑料键盘", 3),  # words reordered: no pair of characters straddles them
        ("跑鞋", 4),  # synonym of 运动鞋
        ("保混杯", 2),  # one wrong character
        ("键塑料盘", 3),  # characters out of place
        ("ヘッドフォン", 5),  # the other spelling of ヘッドホン
        ("ヘドッホン", 5),  # two kana swapped
        ("スーツケス", 6),  # the long-vowel mark dropped
    ],
)
def test_buyers_chinese_and_japanese_find_the_product(
    index: SearchIndex, query: str, first: int
) -> None:
    assert ids(index, query, "ja" if first in (5, 6) else "zh")[:1] == [first]


def test_the_word_typed_ranks_above_its_synonyms(index: SearchIndex) -> None:
    assert ids(index, "保温杯")[:2] == [2, 1]
    assert ids(index, "马克杯")[:2] == [1, 2]


def test_a_synonym_does_not_stand_in_for_a_missing_word(index: SearchIndex) -> None:
    assert ids(index, "红色耳机") == []  # red, but no headphones in the catalog
