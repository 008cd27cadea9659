"""Quotes: margin on the mid rate, one rounding, endings upwards, stale rates never billed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from money import Money, UnknownCurrency
from money.conversion import (
    ConversionPolicy,
    PriceEnding,
    Quote,
    apply_ending,
    convert,
    quote,
    rounding_quantum,
)
from money.providers import provider_minor_units
from money.rates import RateNotAvailable, RateTable, parse_ecb_xml

RATES = parse_ecb_xml((Path(__file__).parent / "data" / "eurofxref-daily.xml").read_bytes())
FRESH = datetime(2026, 10, 29, 18, 0, tzinfo=UTC)  # the day the fixture's rates came out
MAX_AGE = timedelta(hours=72)
PLAIN = ConversionPolicy()


def test_plain_conversion_at_the_mid_rate() -> None:
    q = quote(Money.of("10.00", "EUR"), "USD", RATES, PLAIN, now=FRESH, max_rate_age=MAX_AGE)
    assert q.converted == Money.of("11.13", "USD")
    assert q.displayed == q.converted == q.charge
    assert q.rate == Decimal("1.113")
    assert q.rate_date == date(2026, 10, 29)
    assert (q.stale, q.approx) == (False, False)
    assert q.expires_at == FRESH + timedelta(minutes=30)


def test_margin_goes_on_top_of_the_mid_rate() -> None:
    policy = ConversionPolicy(margin_percent=Decimal("2.5"))
    q = quote(Money.of("100", "EUR"), "USD", RATES, policy, now=FRESH, max_rate_age=MAX_AGE)
    assert q.converted == Money.of("114.08", "USD")  # 100 × 1.113 × 1.025 = 114.0825
    assert q.effective_rate == Decimal("1.140825")
    assert q.margin_percent == Decimal("2.5")


def test_rounds_to_the_target_currency_precision() -> None:
    to_jpy = quote(Money.of("12.34", "USD"), "JPY", RATES, PLAIN, now=FRESH, max_rate_age=MAX_AGE)
    assert to_jpy.converted.amount == to_jpy.converted.amount.to_integral_value()
    assert to_jpy.converted == Money.of(1950, "JPY")  # 12.34 × 175.92 / 1.113 = 1950.43...


def test_provider_rounding_keeps_the_price_chargeable() -> None:
    rates = parse_ecb_xml(
        b"<gesmes:Envelope xmlns:gesmes='g'><Cube><Cube time='2026-10-29'>"
        b"<Cube currency='KWD' rate='0.3412'/><Cube currency='USD' rate='1.113'/>"
        b"</Cube></Cube></gesmes:Envelope>"
    )
    price = Money.of("19.99", "USD")
    cldr = quote(price, "KWD", rates, PLAIN, now=FRESH, max_rate_age=MAX_AGE)
    stripe = quote(price, "KWD", rates, PLAIN, now=FRESH, max_rate_age=MAX_AGE, provider="stripe")
    assert cldr.converted == Money.of("6.128", "KWD")  # 19.99 × 0.3412 / 1.113 = 6.1280...
    assert stripe.converted == Money.of("6.130", "KWD")
    assert provider_minor_units(stripe.charge, "stripe") == 6130


def test_same_currency_is_an_identity_quote() -> None:
    price = Money.of("9.999", "USD")
    policy = ConversionPolicy(margin_percent=Decimal(3), price_ending="99")
    q = quote(price, "usd", RATES, policy, now=FRESH, max_rate_age=MAX_AGE)
    assert (q.converted, q.displayed, q.charge) == (price, price, price)
    assert (q.rate, q.margin_percent, q.stale) == (Decimal(1), Decimal(0), False)


def test_stale_rates_are_flagged_and_never_billed() -> None:
    price = Money.of("10.00", "EUR")
    published = datetime(2026, 10, 29, 14, 0, tzinfo=UTC)
    just_fresh = quote(price, "USD", RATES, PLAIN, now=published + MAX_AGE, max_rate_age=MAX_AGE)
    assert not just_fresh.stale
    later = published + MAX_AGE + timedelta(seconds=1)
    stale = quote(price, "USD", RATES, PLAIN, now=later, max_rate_age=MAX_AGE)
    assert stale.stale and stale.approx
    assert stale.displayed == Money.of("11.13", "USD")  # still shown, with "≈"
    assert stale.charge == price  # checkout falls back to the merchant's currency


def test_merchant_currency_checkout() -> None:
    policy = ConversionPolicy(charge_currency="merchant")
    q = quote(Money.of("10.00", "EUR"), "USD", RATES, policy, now=FRESH, max_rate_age=MAX_AGE)
    assert q.charge == Money.of("10.00", "EUR")
    assert q.displayed == Money.of("11.13", "USD")


@pytest.mark.parametrize(
    ("amount", "currency", "ending", "expected"),
    [
        ("12.34", "USD", "99", "12.99"),
        ("12.99", "USD", "99", "12.99"),
        ("13.00", "USD", "99", "13.99"),  # up, never down to 12.99: never below cost
        ("0.50", "USD", "99", "0.99"),
        ("12.345", "KWD", "99", "12.990"),
        ("12.995", "KWD", "99", "13.990"),  # past .990 already: up to the next one
        ("1234", "JPY", "99", "1234"),  # no minor units: only made whole
        ("12.01", "USD", "whole", "13.00"),
        ("12.00", "USD", "whole", "12.00"),
        ("0", "USD", "99", "0"),  # free stays free
        ("12.34", "USD", None, "12.34"),
    ],
)
def test_price_endings(
    amount: str, currency: str, ending: PriceEnding | None, expected: str
) -> None:
    money = Money.of(amount, currency)
    result = apply_ending(money, ending, rounding_quantum(currency))
    assert result == Money.of(expected, currency)
    assert str(result.amount) == expected


@given(
    minor=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(["USD", "KWD", "JPY", "EUR", "BHD"]),
    ending=st.sampled_from(["99", "whole"]),
)
def test_endings_never_go_below_cost_nor_a_unit_above(
    minor: int, currency: str, ending: PriceEnding
) -> None:
    money = Money.from_minor(minor, currency)
    quantum = rounding_quantum(currency)
    dressed = apply_ending(money, ending, quantum)
    assert money <= dressed
    assert dressed.amount - money.amount < 1
    dressed.to_minor()
    if minor and ending == "99" and quantum < 1:
        assert dressed.amount % 1 == Decimal("0.99")
    if minor and (ending == "whole" or quantum >= 1):
        assert dressed.amount % 1 == 0


def test_displayed_price_has_the_ending_and_is_charged_as_shown() -> None:
    policy = ConversionPolicy(price_ending="99")
    q = quote(Money.of("10.00", "EUR"), "USD", RATES, policy, now=FRESH, max_rate_age=MAX_AGE)
    assert q.converted == Money.of("11.13", "USD")
    assert q.displayed == Money.of("11.99", "USD")
    assert q.charge == q.displayed


def test_missing_rates_and_unknown_currencies() -> None:
    with pytest.raises(RateNotAvailable):
        quote(Money.of(1, "USD"), "RUB", RATES, PLAIN, now=FRESH, max_rate_age=MAX_AGE)
    with pytest.raises(UnknownCurrency):
        quote(Money.of(1, "USD"), "XXQ", RATES, PLAIN, now=FRESH, max_rate_age=MAX_AGE)
    with pytest.raises(ValueError, match="aware"):
        quote(
            Money.of(1, "USD"), "EUR", RATES, PLAIN, now=datetime(2026, 1, 1), max_rate_age=MAX_AGE
        )


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"margin_percent": 2.5}, TypeError),
        ({"margin_percent": Decimal(-1)}, ValueError),
        ({"margin_percent": Decimal(100)}, ValueError),
        ({"margin_percent": Decimal("NaN")}, ValueError),
        ({"price_ending": "95"}, ValueError),
        ({"charge_currency": "card"}, ValueError),
        ({"quote_ttl": timedelta(0)}, ValueError),
    ],
)
def test_policy_validation(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        ConversionPolicy(**kwargs)


def test_policy_accepts_int_and_str_margins() -> None:
    # Accepted at run time (CLI and database values), although the field is typed Decimal.
    assert ConversionPolicy(margin_percent=2).margin_percent == Decimal(2)  # type: ignore[arg-type]
    assert ConversionPolicy(margin_percent="1.5").margin_percent == Decimal("1.5")  # type: ignore[arg-type]


def test_record_round_trip() -> None:
    policy = ConversionPolicy(margin_percent=Decimal("1.75"), price_ending="99")
    q = quote(Money.of("12.34", "GBP"), "JPY", RATES, policy, now=FRESH, max_rate_age=MAX_AGE)
    record = q.to_record()
    assert all(isinstance(value, str) for value in record.values())
    assert Quote.from_record(record) == q


# --- properties ----------------------------------------------------------------------------

# The ECB's currencies plus some it does not quote but whose digits are tricky for rounding:
# three-decimal (KWD, BHD), Stripe's whole-only special case (UGX), zero-decimal (CLP, VND),
# CLDR-zero but Stripe-two-decimal (ALL).
WIDE = RateTable(
    date=RATES.date,
    rates={
        **RATES.rates,
        "KWD": Decimal("0.3412"),
        "BHD": Decimal("0.4196"),
        "UGX": Decimal("4105.5"),
        "CLP": Decimal("1052.31"),
        "VND": Decimal("29301"),
        "ALL": Decimal("97.15"),
    },
)
CODES = sorted(WIDE.currencies)
MARGINS = st.decimals(min_value=0, max_value=Decimal("99.99"), places=2)
ENDINGS = st.sampled_from([None, "99", "whole"])


@st.composite
def prices(draw: st.DrawFn) -> Money:
    currency = draw(st.sampled_from(CODES))
    return Money.from_minor(draw(st.integers(min_value=0, max_value=10**12)), currency)


@given(
    price=prices(),
    target=st.sampled_from(CODES),
    margin=MARGINS,
    ending=ENDINGS,
    provider=st.sampled_from([None, "stripe"]),
)
def test_one_rounding_neither_loses_nor_invents_a_minor_unit(
    price: Money, target: str, margin: Decimal, ending: PriceEnding | None, provider: str | None
) -> None:
    policy = ConversionPolicy(margin_percent=margin, price_ending=ending)
    q = quote(price, target, WIDE, policy, now=FRESH, max_rate_age=MAX_AGE, provider=provider)
    quantum = rounding_quantum(target, provider)
    if target == price.currency:
        assert q.converted == price
        return
    exact = price.amount * q.rate * (1 + margin / 100)  # Decimal: exact at these sizes
    assert abs(q.converted.amount - exact) <= quantum / 2
    assert q.converted.amount == exact.quantize(quantum, rounding=ROUND_HALF_UP)
    q.converted.to_minor()  # a whole number of the currency's minor units
    if provider:
        provider_minor_units(q.charge, provider)  # and chargeable as it stands
    # The display ending only ever adds, and less than one whole unit.
    assert q.converted.amount <= q.displayed.amount < q.converted.amount + 1
    # What the order keeps reproduces the price exactly.
    kept = Quote.from_record(q.to_record())
    again = convert(kept.source, target, kept.rate, kept.margin_percent, quantum)
    assert again == q.converted


@given(price=prices(), target=st.sampled_from(CODES), margin=MARGINS)
def test_margin_never_lowers_the_price(price: Money, target: str, margin: Decimal) -> None:
    policy = ConversionPolicy(margin_percent=margin)
    with_margin = quote(price, target, WIDE, policy, now=FRESH, max_rate_age=MAX_AGE)
    mid = quote(price, target, WIDE, PLAIN, now=FRESH, max_rate_age=MAX_AGE)
    assert with_margin.converted >= mid.converted
