"""Parsing the ECB's XML strictly, cross rates through EUR, and the bundled snapshot."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from money.rates import (
    CROSS_RATE_DIGITS,
    EmptyRatesFeed,
    MalformedRatesFeed,
    RateNotAvailable,
    RatesError,
    RateTable,
    bundled_rates,
    parse_ecb_xml,
    published_at,
)

DAILY = (Path(__file__).parent / "data" / "eurofxref-daily.xml").read_bytes()
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<gesmes:Envelope'
    b' xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"'
    b' xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
    b"<gesmes:subject>Reference rates</gesmes:subject><Cube>"
)
TAIL = b"</Cube></gesmes:Envelope>"


def feed(*days: bytes) -> bytes:
    return HEAD + b"".join(days) + TAIL


def day(stamp: str, **rates: str) -> bytes:
    cubes = "".join(f"<Cube currency='{code}' rate='{rate}'/>" for code, rate in rates.items())
    return f"<Cube time='{stamp}'>{cubes}</Cube>".encode()


def test_parses_the_real_daily_feed() -> None:
    table = parse_ecb_xml(DAILY)
    assert table.date == date(2026, 10, 29)
    assert table.source == "ecb"
    assert len(table.rates) == 29
    assert table.rates["USD"] == Decimal("1.113")
    assert table.rates["JPY"] == Decimal("175.92")
    assert table.rates["IDR"] == Decimal("20193.16")
    assert "EUR" in table.currencies and "EUR" not in table.rates
    assert set(table.dates.values()) == {date(2026, 10, 29)}


def test_cross_rates_go_through_eur() -> None:
    table = parse_ecb_xml(DAILY)
    assert table.rate("EUR", "USD") == Decimal("1.113")
    # 1 / 1.113 = 0.8984725965858041...: rounded half-even to CROSS_RATE_DIGITS digits.
    assert table.rate("usd", "eur") == Decimal("0.898472596586")
    usd_jpy = table.rate("USD", "JPY")
    assert abs(usd_jpy - Decimal("175.92") / Decimal("1.113")) < Decimal("1e-9")
    assert len(usd_jpy.as_tuple().digits) <= CROSS_RATE_DIGITS
    assert table.rate("JPY", "JPY") == 1
    assert table.rate("EUR", "EUR") == 1
    with pytest.raises(RateNotAvailable) as missing:
        table.rate("USD", "RUB")
    assert missing.value.currency == "RUB"


def test_older_days_fill_only_missing_currencies_within_the_gap() -> None:
    table = parse_ecb_xml(
        feed(
            day("2026-10-29", USD="1.113", JPY="175.92"),
            day("2026-10-28", USD="1.2", GBP="0.83"),
            day("2026-08-01", CHF="0.95"),  # more than MAX_GAP older: dropped
        )
    )
    assert table.date == date(2026, 10, 29)
    assert table.rates == {
        "USD": Decimal("1.113"),
        "JPY": Decimal("175.92"),
        "GBP": Decimal("0.83"),
    }
    assert table.dates["GBP"] == date(2026, 10, 28)
    assert table.rate_date("USD", "GBP") == date(2026, 10, 28)
    assert table.rate_date("EUR", "JPY") == date(2026, 10, 29)


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", EmptyRatesFeed, "empty"),
        (b"   \n", EmptyRatesFeed, "empty"),
        (feed(), EmptyRatesFeed, "no dated"),
        (feed(b"<Cube time='2026-10-29'></Cube>"), EmptyRatesFeed, "holds no rates"),
        (b"<html><body>Service unavailable</body></html>", MalformedRatesFeed, "<html>"),
        (b"not xml at all <<<", MalformedRatesFeed, "well-formed"),
        (DAILY[: len(DAILY) // 2], MalformedRatesFeed, "well-formed"),
        (feed(day("2026-10-29", USD="abc")), MalformedRatesFeed, "not a number"),
        (feed(day("2026-10-29", USD="-1.1")), MalformedRatesFeed, "not positive"),
        (feed(day("2026-10-29", USD="0")), MalformedRatesFeed, "not positive"),
        (feed(day("2026-10-29", USD="NaN")), MalformedRatesFeed, "not positive"),
        (feed(day("yesterday", USD="1.1")), MalformedRatesFeed, "not a date"),
        (feed(b"<Cube time='2026-10-29'><Cube rate='1.1'/></Cube>"), MalformedRatesFeed, "lacks"),
        (
            feed(
                b"<Cube time='2026-10-29'><Cube currency='USD' rate='1'/>"
                b"<Cube currency='USD' rate='2'/></Cube>"
            ),
            MalformedRatesFeed,
            "twice",
        ),
        (feed(day("2026-10-29", USD="1"), day("2026-10-29", USD="1")), MalformedRatesFeed, "twice"),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><gesmes:Envelope/>',
            MalformedRatesFeed,
            "DOCTYPE",
        ),
    ],
)
def test_bad_feeds_raise_typed_errors(data: bytes, error: type[RatesError], words: str) -> None:
    with pytest.raises(error, match=words) as raised:
        parse_ecb_xml(data)
    assert raised.value.reason


def test_a_currency_babel_does_not_know_is_skipped_not_fatal() -> None:
    table = parse_ecb_xml(feed(day("2026-10-29", USD="1.1", XYZ="3")))
    assert set(table.rates) == {"USD"}


def test_rate_table_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        RateTable(date=date(2026, 1, 1), rates={"USD": 1.1})  # type: ignore[dict-item]  # the float it refuses
    with pytest.raises(ValueError):
        RateTable(date=date(2026, 1, 1), rates={"USD": Decimal(0)})
    with pytest.raises(ValueError):
        RateTable(date=date(2026, 1, 1), rates={"USD": Decimal(1)}, dates={"USD": date(2026, 1, 2)})


def test_published_at_and_age() -> None:
    table = parse_ecb_xml(DAILY)
    assert published_at(date(2026, 10, 29)) == datetime(2026, 10, 29, 14, 0, tzinfo=UTC)
    assert table.age(datetime(2026, 10, 30, 14, 0, tzinfo=UTC)) == timedelta(days=1)


def test_bundled_snapshot_loads_offline_with_its_date() -> None:
    table = bundled_rates()
    assert table.source == "bundled"
    assert table.date == date(2026, 10, 30)
    assert {"USD", "JPY", "GBP", "CNY", "BRL", "KRW", "ISK"} <= set(table.rates)
    assert "RUB" not in table.rates  # last quoted in 2022: beyond MAX_GAP, left out
    assert table.rates["USD"] == Decimal("1.1172")


def test_pegged_currencies_follow_their_anchor() -> None:
    table = RateTable(date(2026, 3, 2), {"USD": Decimal("1.08"), "JPY": Decimal("160")})
    assert table.rate("USD", "SAR") == Decimal("3.75")
    assert table.rate("USD", "AED") == Decimal("3.6725")
    assert table.rate_date("EUR", "SAR") == date(2026, 3, 2)
    assert {"SAR", "AED", "QAR", "OMR", "BHD", "JOD"} <= table.currencies


def test_a_quoted_rate_wins_over_a_peg_and_no_anchor_means_no_peg() -> None:
    quoted = RateTable(date(2026, 3, 2), {"USD": Decimal("1.08"), "SAR": Decimal("4.1")})
    assert quoted.per_base("SAR") == Decimal("4.1")
    assert "SAR" not in RateTable(date(2026, 3, 2), {"JPY": Decimal("160")}).currencies
