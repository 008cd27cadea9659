"""Exchange rates: the European Central Bank's daily reference rates, as exact decimals.

The ECB publishes, on working days around 16:00 CET, how much of ~30 currencies one euro buys.
A `RateTable` holds one such day (and, for a currency missing that day, its last earlier quote
with its own date); any cross rate goes through EUR. The parser is strict: a feed that is empty,
malformed or implausible raises a typed error instead of producing a half-filled table, so the
caller keeps its last good rates (see `money.rate_store`).

The bundled snapshot (`money/data/ecb_snapshot.xml`, same format as the ECB's feeds) makes the
bot work offline from its first start; `money/make_snapshot.py` regenerates it.
"""

from __future__ import annotations

import datetime as dt
import logging
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Context, Decimal, InvalidOperation
from functools import cache
from importlib import resources
from types import MappingProxyType

import httpx

from money.currency import UnknownCurrency, normalise_code

log = logging.getLogger(__name__)

BASE = "EUR"
ECB_DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
SNAPSHOT_RESOURCE = "data/ecb_snapshot.xml"

# A currency's older quote is kept beside the newest day's only if it is at most this much
# older: it covers a currency skipped on one day, not one the ECB stopped quoting years ago.
MAX_GAP = timedelta(days=30)
# Cross rates keep this many significant digits: far beyond the ECB's 5-6, and the rate a quote
# stores is exactly the one it multiplied by, so the stored quote reproduces its price.
CROSS_RATE_DIGITS = 12
# The feed is ~2 KB (the 90-day history ~100 KB); anything much larger is not what we asked for.
MAX_FEED_BYTES = 2 * 1024 * 1024
# The ECB publishes "around 16:00 CET": 14:00 UTC in summer. Ages are counted from the earliest
# of those, so a rate is never taken for fresher than it is.
PUBLICATION_TIME_UTC = time(14, 0, tzinfo=UTC)

# Currencies the ECB does not quote but whose central banks hold a fixed peg to one it does:
# currency -> (anchor, units of the currency per anchor unit). A rate derived from a peg is as
# good as the anchor's own, so Gulf and Jordanian buyers see prices in their own money.
PEGS: Mapping[str, tuple[str, Decimal]] = MappingProxyType(
    {
        "SAR": ("USD", Decimal("3.75")),
        "AED": ("USD", Decimal("3.6725")),
        "QAR": ("USD", Decimal("3.64")),
        "OMR": ("USD", Decimal("0.3845")),
        "BHD": ("USD", Decimal("0.376")),
        "JOD": ("USD", Decimal("0.709")),
    }
)


class RatesError(Exception):
    """Base of every failure to obtain exchange rates; `reason` is one plain sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmptyRatesFeed(RatesError):
    """The feed answered with nothing, or with a document that holds no rates."""


class MalformedRatesFeed(RatesError):
    """The feed is not the ECB's XML, or a rate in it is not a positive number."""


class RatesUnreachable(RatesError):
    """The feed could not be fetched: network error, timeout or an HTTP error status."""


class RateNotAvailable(LookupError):
    """The table has no rate for this currency (the ECB quotes ~30 of them)."""

    def __init__(self, currency: str) -> None:
        super().__init__(f"no exchange rate for {currency}")
        self.currency = currency


def published_at(rate_date: date) -> datetime:
    """When the ECB's rates for `rate_date` became known (conservatively: 14:00 UTC)."""
    return datetime.combine(rate_date, PUBLICATION_TIME_UTC)


@dataclass(frozen=True, slots=True)
class RateTable:
    """One day of reference rates: how many units of each currency one EUR buys.

    (Annotated with `dt.date`: the field named `date` would shadow the type in the class body.)

    `date` is the newest day in the table; `dates` gives the day of each currency's rate, which
    is `date` for all but a currency missing that day. `source` says where it came from ("ecb",
    "bundled", "database") for logs and for telling the buyer why a price is approximate.
    """

    date: dt.date
    rates: Mapping[str, Decimal]
    source: str = "ecb"
    dates: Mapping[str, dt.date] = field(default_factory=dict)
    base: str = BASE

    def __post_init__(self) -> None:
        rates: dict[str, Decimal] = {}
        for code, rate in self.rates.items():
            if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
                raise ValueError(f"rate for {code} must be a positive finite Decimal: {rate!r}")
            rates[normalise_code(code)] = rate
        rates.pop(self.base, None)
        dates = {code: self.dates.get(code, self.date) for code in rates}

        if any(day > self.date for day in dates.values()):
            raise ValueError("a currency's rate date is newer than the table's date")
        object.__setattr__(self, "rates", MappingProxyType(rates))
        object.__setattr__(self, "dates", MappingProxyType(dates))

    @property
    def currencies(self) -> frozenset[str]:
        """Every currency this table converts, EUR and pegged currencies included."""
        pegged = (code for code, (anchor, _) in PEGS.items() if anchor in self.rates)
        return frozenset({self.base, *self.rates, *pegged})

    def per_base(self, currency: str) -> Decimal:
        """Units of `currency` one EUR buys (1 for EUR itself)."""
        code = normalise_code(currency)
        if code == self.base:
            return Decimal(1)
        if code in self.rates:
            return self.rates[code]
        anchor, units = PEGS.get(code, (None, Decimal(0)))
        if anchor is not None and anchor in self.rates:
            return self.rates[anchor] * units
        raise RateNotAvailable(code)

    def rate(self, from_currency: str, to_currency: str) -> Decimal:
        """Units of `to_currency` one unit of `from_currency` buys, crossed through EUR.

        Exact where the quotient is (EUR → any, any → itself), otherwise rounded half-even to
        `CROSS_RATE_DIGITS` significant digits.
        """
        source, target = self.per_base(from_currency), self.per_base(to_currency)
        if normalise_code(from_currency) == normalise_code(to_currency):
            return Decimal(1)
        return Context(prec=CROSS_RATE_DIGITS).divide(target, source)

    def rate_date(self, from_currency: str, to_currency: str) -> dt.date:
        """The day of the older of the two rates a cross rate uses."""
        return min(self._day(from_currency), self._day(to_currency))

    def _day(self, currency: str) -> dt.date:
        code = normalise_code(currency)
        if code == self.base:
            return self.date
        if code in self.dates:
            return self.dates[code]
        anchor, _ = PEGS.get(code, (None, None))
        if anchor is not None and anchor in self.dates:
            return self.dates[anchor]
        raise RateNotAvailable(code)

    def age(self, now: datetime) -> timedelta:
        """How long ago this table's newest rates were published."""
        return now - published_at(self.date)


# --- the ECB's XML ----------------------------------------------------------------------------


def _local(tag: str) -> str:
    """`{namespace}Cube` → `Cube`: the ECB has changed namespaces before; the shape is the API."""
    return tag.rsplit("}", 1)[-1]


def _parse_day(cube: ET.Element) -> tuple[date, dict[str, Decimal]]:
    stamp = cube.get("time", "")
    try:
        day = date.fromisoformat(stamp)
    except ValueError:
        raise MalformedRatesFeed(f"rates dated {stamp!r}, which is not a date") from None
    rates: dict[str, Decimal] = {}
    for child in cube:
        if _local(child.tag) != "Cube":
            continue
        code, text = child.get("currency"), child.get("rate")
        if not code or text is None:
            raise MalformedRatesFeed(f"a rate on {day} lacks its currency or its value")
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise MalformedRatesFeed(
                f"the {code} rate on {day} is {text!r}, not a number"
            ) from None
        if not value.is_finite() or value <= 0:
            raise MalformedRatesFeed(f"the {code} rate on {day} is {text!r}, not positive")
        try:
            code = normalise_code(code)
        except UnknownCurrency:
            log.warning("ECB feed quotes %r, a currency babel does not know; skipped", code)
            continue
        if code in rates:
            raise MalformedRatesFeed(f"{code} is quoted twice on {day}")
        rates[code] = value
    return day, rates


def parse_ecb_xml(data: bytes, *, source: str = "ecb") -> RateTable:
    """A `RateTable` from the ECB's daily XML (or its 90-day and historical files).

    The newest day gives the table; an older day only fills in a currency the newer days lack,
    within `MAX_GAP`. Raises `EmptyRatesFeed` for nothing to read and `MalformedRatesFeed` for
    anything that is not the ECB's shape: no table is better than a wrong one.
    """
    if not data or not data.strip():
        raise EmptyRatesFeed("the rates feed is empty")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise MalformedRatesFeed("the rates feed declares a DOCTYPE; the ECB's never does")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise MalformedRatesFeed(f"the rates feed is not well-formed XML: {error}") from None
    if _local(root.tag) != "Envelope":
        raise MalformedRatesFeed(f"the rates feed's root is <{_local(root.tag)}>, not <Envelope>")
    days: dict[date, dict[str, Decimal]] = {}
    for cube in root.iter():
        if _local(cube.tag) == "Cube" and "time" in cube.attrib:
            day, day_rates = _parse_day(cube)
            if day in days:
                raise MalformedRatesFeed(f"the rates feed has {day} twice")
            days[day] = day_rates
    if not days:
        raise EmptyRatesFeed("the rates feed holds no dated <Cube time=...>")
    newest = max(days)
    if not days[newest]:
        raise EmptyRatesFeed(f"the rates feed's newest day, {newest}, holds no rates")
    rates: dict[str, Decimal] = {}
    dates: dict[str, date] = {}
    for day in sorted(days, reverse=True):
        if newest - day > MAX_GAP:
            break
        for code, value in days[day].items():
            if code not in rates:
                rates[code], dates[code] = value, day
    return RateTable(date=newest, rates=rates, source=source, dates=dates)


async def fetch_ecb(client: httpx.AsyncClient, url: str = ECB_DAILY_URL) -> RateTable:
    """Fetches and parses the ECB feed; every failure is a `RatesError` saying which.

    Timeouts and proxies are the client's (the composition root builds it). The body is read in
    chunks and refused past `MAX_FEED_BYTES`, so a wrong URL cannot fill the memory.
    """
    body = bytearray()
    try:
        async with client.stream("GET", url, follow_redirects=True) as response:
            if response.status_code != httpx.codes.OK:
                raise RatesUnreachable(
                    f"the rates feed at {url} answered HTTP {response.status_code}"
                )
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_FEED_BYTES:
                    raise MalformedRatesFeed(
                        f"the rates feed at {url} is larger than {MAX_FEED_BYTES} bytes"
                    )
    except httpx.HTTPError as error:
        raise RatesUnreachable(f"the rates feed at {url} is unreachable: {error!r}") from error
    return parse_ecb_xml(bytes(body))


@cache
def bundled_rates() -> RateTable:
    """The snapshot shipped with the code: rates from the first start, even offline."""
    data = resources.files("money").joinpath(SNAPSHOT_RESOURCE).read_bytes()
    return parse_ecb_xml(data, source="bundled")
