"""Delivery details: who receives the parcel, how to reach them, and where it goes.

Each validator takes what the buyer typed and returns the clean value or raises a typed error
(`orders.errors`), so the checkout can answer every step in the buyer's language. Details a
buyer chose to remember are stored on their `Customer` and validated again when read back:
stored JSON is input too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from orders.addresses import (
    AddressProblem,
    Part,
    address_form,
    check_postal_code,
    is_latin,
    label_lines,
    match_area,
)
from orders.countries import country_codes, resolve_country
from orders.customers import Customer
from orders.errors import (
    InvalidAddress,
    InvalidAddressPart,
    InvalidCity,
    InvalidName,
    InvalidPhone,
    InvalidPostalCode,
    NotText,
    ShopError,
    UnknownCountry,
)
from orders.inputs import clean_text, is_symbol

NAME_LENGTH = (2, 100)
ADDRESS_LENGTH = (5, 200)
ADDRESS_MAX_LINES = 3
CITY_LENGTH = (2, 100)
_NAME_PUNCTUATION = frozenset(" '’‘-.,")
_PHONE_CHARS = re.compile(r"^[+\d\s().\-/]{3,32}$")
_POSTAL_CODE = re.compile(r"^[A-Z0-9](?:[A-Z0-9 -]{0,10}[A-Z0-9])?$")
# What a buyer sends for "no postal code here" (Hong Kong, the Emirates, many islands).
NO_POSTAL_CODE = frozenset(
    {"-", "—", "–", "0", "none", "no", "нет", "无", "没有", "ninguno", "keine", "aucun", "nenhum"}
)
_ALLOWED_SYMBOLS = frozenset("№°")


@dataclass(frozen=True, slots=True)
class DeliveryDetails:
    """Where an order goes; `phone` is E.164 and `country` ISO 3166-1 alpha-2."""

    name: str
    phone: str
    address_lines: tuple[str, ...]
    city: str
    postal_code: str | None
    country: str
    area: str | None = None  # state, province, oblast: the code Google's data uses ("CA", "SP")
    city_area: str | None = None  # district or neighbourhood, where the country's post needs it

    def to_dict(self) -> dict[str, Any]:
        """JSON for an order or the customer; `latin` is the carrier's copy of a non-Latin label."""
        data = asdict(self)
        data["address_lines"] = list(self.address_lines)
        latin = self.label(latin=True)
        if latin != self.label():
            data["latin"] = latin
        return data

    @property
    def complete(self) -> bool:
        """Every part the country's post requires is there (details saved before states and
        provinces were asked lack them, and are not offered again)."""
        required = address_form(self.country).required
        parts = {Part.CITY: self.city, Part.AREA: self.area, Part.CITY_AREA: self.city_area}
        return all(value for part, value in parts.items() if part in required)

    def label(self, *, latin: bool = False) -> list[str]:
        """Name and address as the destination's post prints them (no phone, no country)."""
        lines = label_lines(
            self.country,
            name=self.name,
            street=self.address_lines,
            city=self.city,
            city_area=self.city_area,
            area=self.area,
            postal_code=self.postal_code,
            latin=latin,
        )
        if latin and is_latin(self.label()):
            return self.label()
        return lines

    @classmethod
    def from_dict(cls, data: object) -> DeliveryDetails:
        """Details read back from JSON, every field validated again; `ShopError` if unusable."""
        if not isinstance(data, dict):
            raise NotText()
        lines = data.get("address_lines")
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            raise InvalidAddress(minimum=ADDRESS_LENGTH[0], maximum=ADDRESS_LENGTH[1])
        country = data.get("country")
        if not isinstance(country, str) or country not in country_codes():
            raise UnknownCountry()
        postal_code = data.get("postal_code")
        area, city_area, city = data.get("area"), data.get("city_area"), data.get("city")
        return cls(
            name=validate_name(_text(data.get("name"))),
            phone=validate_phone(_text(data.get("phone")), region_hint=country),
            address_lines=validate_address("\n".join(lines)),
            city="" if city == "" else validate_city(_text(city)),
            postal_code=None if postal_code is None else validate_postal_code(_text(postal_code)),
            country=country,
            area=None if area is None else validate_area(_text(area), country=country),
            city_area=None if city_area is None else validate_city(_text(city_area)),
        )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise NotText()
    return value


def validate_name(text: str) -> str:
    """A person's name in any script: letters, combining marks, spaces, apostrophes, hyphens."""
    name = clean_text(text, maximum=NAME_LENGTH[1])
    letters = 0
    for char in name:
        category = unicodedata.category(char)
        if category[0] == "L":
            letters += 1
        elif category[0] != "M" and char not in _NAME_PUNCTUATION:
            raise InvalidName(minimum=NAME_LENGTH[0], maximum=NAME_LENGTH[1])
    if letters < NAME_LENGTH[0]:
        raise InvalidName(minimum=NAME_LENGTH[0], maximum=NAME_LENGTH[1])
    return name


def validate_phone(
    text: str, *, region_hint: str | None = None, second_hint: str | None = None
) -> str:
    """The number in E.164 (`+493012345678`).

    `region_hint` (the delivery country) lets a buyer type the national form, "030 1234567",
    as their country writes it; `second_hint` (the buyer's language's country) is tried when the
    number is not one of the first's: a buyer abroad giving their number at home. Without
    either the number needs its country code.
    """
    if not isinstance(text, str) or len(text) > 64:
        raise InvalidPhone()
    raw = _ascii_digits(unicodedata.normalize("NFKC", text)).strip()
    if not _PHONE_CHARS.match(raw):
        raise InvalidPhone()
    regions: list[str | None] = [
        hint for hint in (region_hint, second_hint) if hint in country_codes()
    ]
    for region in regions or [None]:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidPhone()


def phone_from_contact(phone_number: str) -> str:
    """A number shared with Telegram's contact button: international, but often without "+"."""
    raw = phone_number.strip() if isinstance(phone_number, str) else ""
    return validate_phone(raw if raw.startswith("+") else f"+{raw}")


def validate_address(text: str) -> tuple[str, ...]:
    """Street, house number and any extra lines (apartment, building): up to three lines."""
    minimum, maximum = ADDRESS_LENGTH
    address = clean_text(text, maximum=maximum, multiline=True)
    if any(is_symbol(char) and char not in _ALLOWED_SYMBOLS for char in address):
        raise NotText()
    lines = tuple(address.split("\n"))
    if len(address) < minimum or len(lines) > ADDRESS_MAX_LINES:
        raise InvalidAddress(minimum=minimum, maximum=maximum)
    return lines


def validate_city(text: str) -> str:
    minimum, maximum = CITY_LENGTH
    city = clean_text(text, maximum=maximum)
    if any(is_symbol(char) for char in city):
        raise NotText()
    if sum(unicodedata.category(char)[0] == "L" for char in city) < minimum:
        raise InvalidCity(minimum=minimum, maximum=maximum)
    return city


def validate_postal_code(
    text: str, *, country: str | None = None, area: str | None = None
) -> str | None:
    """Upper-cased letters, digits, spaces and dashes; `None` when the buyer says there is none.

    With `country`, the code must have that country's format (and fit `area` where codes
    depend on the state): `InvalidAddressPart` names the field and shows an example.
    """
    if not isinstance(text, str) or len(text) > 40:
        raise InvalidPostalCode()
    raw = _ascii_digits(unicodedata.normalize("NFKC", text)).strip()
    if raw.casefold() in NO_POSTAL_CODE:
        if country is not None and Part.POSTAL_CODE in address_form(country).required:
            raise _part_error(country, Part.POSTAL_CODE)
        return None
    code = " ".join(raw.upper().split())
    if not code.isascii() or not _POSTAL_CODE.match(code):
        if country is not None:
            raise _part_error(country, Part.POSTAL_CODE)
        raise InvalidPostalCode()
    if country is not None:
        try:
            check_postal_code(country, code, area=area)
        except AddressProblem as problem:
            raise _part_error(country, Part.POSTAL_CODE) from problem
    return code


def validate_area(text: str, *, country: str) -> str:
    """A state, province or region of `country`, as the code its post uses ("Calif." → "CA")."""
    area = clean_text(text, maximum=CITY_LENGTH[1])
    try:
        return match_area(country, area)
    except AddressProblem as problem:
        raise _part_error(country, Part.AREA) from problem


def _part_error(country: str, part: Part) -> InvalidAddressPart:
    form = address_form(country)
    field = {Part.POSTAL_CODE: form.postal_type, Part.AREA: form.area_type}.get(part, part.value)
    return InvalidAddressPart(field=field, country=country, example=form.example(part) or "—")


def _ascii_digits(text: str) -> str:
    """ "١٢٣٤٥" → "12345": postal codes are written in any script's digits, stored in ASCII."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def validate_country(text: str) -> str:
    """An ISO alpha-2 code from a code, a flag or a name in any shipped language."""
    return resolve_country(text)


# --- remembering them on the customer -------------------------------------------------------
async def save_delivery_details(
    session: AsyncSession, *, customer_id: int, details: DeliveryDetails
) -> None:
    """Remembers `details` for the buyer's next checkout (the buyer said yes to that)."""
    customer = await session.get(Customer, customer_id)
    if customer is not None:
        customer.delivery_details = details.to_dict()


async def saved_delivery_details(
    session: AsyncSession, *, customer_id: int
) -> DeliveryDetails | None:
    """The buyer's remembered details, or None (also when what is stored no longer validates)."""
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.delivery_details is None:
        return None
    try:
        details = DeliveryDetails.from_dict(customer.delivery_details)
    except ShopError:
        return None
    return details if details.complete else None
