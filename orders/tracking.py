"""What staff type when they ship, read as a carrier, a tracking number and a tracking link.

"USPS 9400 1118 9922 3197 4284 90", "dhl 00340434161094042557", "1Z5R89390357567127" or
"Royal Mail RB 123 456 785 GB": the number is everything from the first group of characters
holding a digit (spaces and dashes dropped), or the longest tail of the words that a carrier's
number pattern recognises; the words before it name the carrier. The carrier is recognised from
those words or, with none, from the number.

Carriers' number patterns, check digits and tracking URLs come from the `tracking-numbers`
package (MIT), generated from the tracking_number_data project; it is imported on first use.
Its release 0.1.8 knows USPS, UPS, FedEx, DHL, Amazon, OnTrac, CDL and the UPU's S10 numbers;
another carrier ("Royal Mail", "Correos") is kept as staff typed it, without a link.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from orders.errors import MissingTracking

CARRIER_MAX: Final = 64  # the order's columns
NUMBER_MAX: Final = 128
_NUMBER = re.compile(r"[A-Za-z0-9]{4,}")
_POSTAL_ENDS = re.compile(r"[A-Z]{2}[A-Z]{2}")
_SEPARATORS = re.compile(r"[\s\-‐‑–—]+")
# Words staff write for the carriers of the data, beside its own codes and names.
_ALIASES: Final = {
    "fed ex": "fedex",
    "fedex express": "fedex",
    "fedex ground": "fedex",
    "us postal service": "usps",
    "u.s. postal service": "usps",
    "postal service": "usps",
    "dhl express": "dhl",
    "amazon logistics": "amazon",
    "amazon shipping": "amazon",
}


@dataclass(frozen=True, slots=True)
class Tracking:
    carrier: str  # as staff named it, else the recognised carrier's name
    number: str  # without spaces and dashes, upper case
    url: str | None  # the carrier's tracking page for this number, when the carrier is known


@dataclass(frozen=True, slots=True)
class _Courier:
    code: str
    name: str
    url: str | None  # the courier's usual tracking URL template (`%s` is the number)


def parse_tracking(text: str) -> Tracking:
    """Staff's answer to "carrier and tracking number?"; `MissingTracking` if it holds no
    number, or no carrier that the words or the number tell."""
    words = text.split()
    first_digit = next((i for i, word in enumerate(words) if any(c.isdigit() for c in word)), None)
    if first_digit is None:
        raise MissingTracking()
    split = _recognised_split(words, first_digit)
    number = _compact("".join(words[split:]))
    named = " ".join(words[:split]).strip(" :,-")
    if not _NUMBER.fullmatch(number) or len(number) > NUMBER_MAX or len(named) > CARRIER_MAX:
        raise MissingTracking()
    if named:  # staff's word wins: a number can fit several carriers' patterns
        courier = _courier_named(named)
        found = _recognise(number, courier.code) if courier is not None else None
    else:
        found = _recognise(number, None)
        if found is None:
            raise MissingTracking()  # a bare number no carrier's pattern knows: ask for both
        courier = _couriers()[found[0]]
    url = found[1] if found is not None else None
    if url is None and courier is not None and courier.url:
        url = courier.url % number
    return Tracking(named or (courier.name if courier else ""), number, url)


def tracking_link(carrier: str | None, number: str | None) -> str | None:
    """The tracking page of a stored (carrier, number), as `parse_tracking` found it."""
    if not carrier or not number:
        return None
    try:
        return parse_tracking(f"{carrier} {number}").url
    except MissingTracking:
        return None


def _compact(number: str) -> str:
    return _SEPARATORS.sub("", number).upper()


def _recognised_split(words: list[str], first_digit: int) -> int:
    """Where the number starts: the earliest word, up to the first one holding a digit, from
    which the rest is a number some carrier's pattern recognises ("RB 123 456 785 GB");
    else that first word with a digit."""
    for start in range(first_digit + 1):
        number = _compact("".join(words[start:]))
        if _NUMBER.fullmatch(number) and _recognise(number, None) is not None:
            return start
    if first_digit and _POSTAL_ENDS.fullmatch(words[first_digit - 1] + words[-1]):
        return first_digit - 1  # "RM 123 456 GB": letters at both ends, as UPU numbers have
    return first_digit


def _recognise(number: str, courier: str | None) -> tuple[str, str | None] | None:
    """(courier code, tracking URL) of the first valid match, among `courier`'s patterns only
    when one is named."""
    for definition in _definitions():
        if courier is not None and definition.courier.code != courier:
            continue
        found = definition.test(number)
        if found is not None and found.valid:
            return found.courier.code, found.tracking_url
    return None


def _courier_named(words: str) -> _Courier | None:
    key = " ".join(words.casefold().split())
    couriers = _couriers()
    code = _ALIASES.get(key, key)
    if code in couriers:
        return couriers[code]
    return next((c for c in couriers.values() if c.name.casefold() == key), None)


@cache
def _definitions() -> list[Any]:
    from tracking_numbers import DEFINITIONS  # type: ignore[import-untyped,unused-ignore]

    return list(DEFINITIONS)


@cache
def _couriers() -> dict[str, _Courier]:
    names: dict[str, str] = {}
    urls: dict[str, Counter[str]] = {}
    for definition in _definitions():
        code = definition.courier.code
        names.setdefault(code, definition.courier.name)
        if definition.tracking_url_template:
            urls.setdefault(code, Counter())[definition.tracking_url_template] += 1
    return {
        code: _Courier(code, name, urls[code].most_common(1)[0][0] if code in urls else None)
        for code, name in names.items()
    }
