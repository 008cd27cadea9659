"""What a search lets go of, in which order, when nothing matches exactly what was asked."""

from __future__ import annotations

from decimal import Decimal

from catalog.search import SearchDocument, parse_query
from catalog.search.index import PriceRange, SearchIndex
from storefront.search import _candidates

WIRELESS, WIRED = 1, 2


def _product(product_id: int, zh: str, en: str, price: str) -> SearchDocument:
    return SearchDocument(product_id, 1, {"zh": zh, "en": en}, price=Decimal(price), currency="CNY")


def _index() -> SearchIndex:
    return SearchIndex.build(
        [
            _product(WIRELESS, "无线蓝牙头戴式耳机", "Wireless headphones", "159.00"),
            _product(WIRED, "有线入耳式耳机（带麦）", "Wired earphones", "39.00"),
        ]
    )


def test_over_the_budget_comes_before_a_loose_reading_of_the_words() -> None:
    """ "无线耳机 50以下": no wireless headphones under ¥50. Read character by character, the
    wired earphones (有线, one character away) would fit the budget: the wrong product."""
    parsed = parse_query("无线耳机 50以下", "zh")
    hits, _used, _suggestion, relaxed = _candidates(
        _index(), parsed, {1: PriceRange(None, Decimal("50"))}
    )
    assert relaxed == "budget"
    assert [hit.product_id for hit in hits] == [WIRELESS]


def test_a_wrong_character_is_still_forgiven_when_nothing_else_fits() -> None:
    parsed = parse_query("无线耳鸡", "zh")  # 鸡 for 机
    hits, _used, _suggestion, relaxed = _candidates(_index(), parsed, None)
    assert relaxed is None
    assert hits and hits[0].product_id == WIRELESS
