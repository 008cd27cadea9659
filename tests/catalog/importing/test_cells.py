"""Reading one cell: tolerant where the meaning is certain, strict where it is not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.importing.cells import (
    clean_line,
    clean_text,
    escape,
    formula_start,
    looks_like_damaged_number,
    parse_decimal,
    parse_int,
    parse_policy,
    unescape,
)
from catalog.importing.problems import CellError
from catalog.models import InventoryPolicy


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("25", "25"),
        ("64.95", "64.95"),
        ("1,5", "1.5"),
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("$25.00", "25.00"),
        ("25 €", "25"),
        ("2.5E+1", "25"),
        ("-3", "-3"),
    ],
)
def test_prices_in_the_forms_spreadsheets_write(cell: str, expected: str) -> None:
    assert parse_decimal(cell) == Decimal(expected)


@pytest.mark.parametrize("cell", ["abc", "12abc", "1.2.3,4", "--5", "NaN", "Infinity", "1e99999x"])
def test_garbage_is_not_a_price(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_decimal(cell)
    assert caught.value.code == "bad_price"


def test_a_single_comma_before_three_digits_is_ambiguous() -> None:
    with pytest.raises(CellError) as caught:
        parse_decimal("1,500")
    assert caught.value.code == "ambiguous_number"


def test_whole_numbers() -> None:
    assert parse_int("10.0") == 10
    assert parse_int("1 000") == 1000
    with pytest.raises(CellError):
        parse_int("2.5")


@pytest.mark.parametrize(
    ("cell", "policy"),
    [("deny", "deny"), ("continue", "continue"), ("TRUE", "continue"), ("FALSE", "deny")],
)
def test_both_shopify_inventory_policy_forms(cell: str, policy: str) -> None:
    assert parse_policy(cell) is InventoryPolicy(policy)


def test_spreadsheet_damaged_barcodes_are_recognised() -> None:
    assert looks_like_damaged_number("3.65275E+11")
    assert not looks_like_damaged_number("0365275000111")


def test_formula_cells_are_detected_and_escaped_for_spreadsheets() -> None:
    cell = '=HYPERLINK("http://evil.example","click")'
    assert formula_start(cell) == "="
    assert escape(cell) == "'" + cell
    assert formula_start(escape(cell)) is None
    assert unescape(escape(cell)) == cell
    assert escape("plain") == "plain"


@given(st.text())
def test_escape_round_trips_any_text(text: str) -> None:
    assert unescape(escape(text)) == text


@given(st.text())
def test_cleaning_is_idempotent(text: str) -> None:
    assert clean_line(clean_line(text)) == clean_line(text)
    assert clean_text(clean_text(text)) == clean_text(text)


def test_cleaning_folds_odd_spaces_and_drops_invisible_characters() -> None:
    assert clean_line(" Red\u00a0\u00a0mug\u200b\t ") == "Red mug"
    assert clean_text("a\r\n\r\n\r\n\r\nb") == "a\n\nb"
