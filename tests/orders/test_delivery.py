"""Delivery details: names, phones, addresses and countries as buyers really type them."""

from __future__ import annotations

import pytest

from orders.countries import country_name, resolve_country
from orders.delivery import (
    DeliveryDetails,
    phone_from_contact,
    validate_address,
    validate_city,
    validate_name,
    validate_phone,
    validate_postal_code,
)
from orders.errors import (
    AmbiguousCountry,
    InvalidAddress,
    InvalidCity,
    InvalidName,
    InvalidPhone,
    InvalidPostalCode,
    NotAQuantity,
    NotText,
    QuantityOutOfRange,
    ShopError,
    TextTooLong,
    UnknownCountry,
)
from orders.inputs import clean_text, parse_quantity


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Anna   Müller ", "Anna Müller"),
        ("王伟", "王伟"),
        ("Иван Петров", "Иван Петров"),
        ("محمد عبد الله", "محمد عبد الله"),
        ("Jean-Luc O'Neil", "Jean-Luc O'Neil"),
        ("José\u0301", "José́"),  # a combining mark is part of a letter
    ],
)
def test_names_in_any_script(typed: str, expected: str) -> None:
    assert validate_name(typed) == expected


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("A", InvalidName),
        ("R2D2", InvalidName),
        ("Anna 😊", InvalidName),
        ("😊😊😊", NotText),
        ("Anna\x00Müller", NotText),
        ("a" * 5000, TextTooLong),
        ("", NotText),
        ("   ", NotText),
    ],
)
def test_bad_names(typed: str, error: type[ShopError]) -> None:
    with pytest.raises(error):
        validate_name(typed)


def test_phones_become_e164() -> None:
    assert validate_phone("+49 30 1234567") == "+49301234567"
    assert validate_phone("030 1234567", region_hint="DE") == "+49301234567"
    assert validate_phone("138 0013 8000", region_hint="CN") == "+8613800138000"
    assert validate_phone("٠٣٠١٢٣٤٥٦٧", region_hint="DE") == "+49301234567"  # Arabic-Indic
    assert phone_from_contact("491701234567") == "+491701234567"


@pytest.mark.parametrize(
    "typed", ["030 1234567", "12", "+1 555", "call me", "📞", "+" + "9" * 40, "1" * 5000]
)
def test_bad_phones(typed: str) -> None:
    with pytest.raises(InvalidPhone):
        validate_phone(typed)  # no region hint: a national number cannot be read


def test_addresses_cities_postal_codes() -> None:
    assert validate_address("Hauptstraße 5\n\n  Hinterhaus, 2. OG ") == (
        "Hauptstraße 5",
        "Hinterhaus, 2. OG",
    )
    assert validate_address("ул. Ленина, д. 5, кв. № 7") == ("ул. Ленина, д. 5, кв. № 7",)
    assert validate_city("São Paulo") == "São Paulo"
    assert validate_postal_code(" sw1a 1aa ") == "SW1A 1AA"
    assert validate_postal_code("-") is None
    assert validate_postal_code("١٢٣٤٥") == "12345"
    with pytest.raises(InvalidAddress):
        validate_address("5")
    with pytest.raises(InvalidAddress):
        validate_address("a1\nb2\nc3\nd4")
    with pytest.raises(NotText):
        validate_address("Main street 5 🏠")
    with pytest.raises(TextTooLong):
        validate_address("x" * 5000)
    with pytest.raises(InvalidCity):
        validate_city("12")
    with pytest.raises(InvalidPostalCode):
        validate_postal_code("12#45")
    with pytest.raises(InvalidPostalCode):
        validate_postal_code("١٢٣٤٥٦٧٨٩٠١٢٣٤٥")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("Germany", "DE"),
        ("germny", "DE"),
        ("Deutschland", "DE"),
        ("Германия", "DE"),
        ("德国", "DE"),
        ("ألمانيا", "DE"),
        ("Alemania", "DE"),
        ("Allemagne", "DE"),
        ("Alemanha", "DE"),
        ("espana", "ES"),
        ("États-Unis", "US"),
        ("USA", "US"),
        ("uk", "GB"),
        ("🇯🇵", "JP"),
        ("Россия", "RU"),
        ("Brasil", "BR"),
    ],
)
def test_countries_from_codes_names_and_typos(typed: str, code: str) -> None:
    assert resolve_country(typed) == code


def test_ambiguous_and_unknown_countries() -> None:
    with pytest.raises(AmbiguousCountry) as raised:
        resolve_country("Korea")
    assert set(raised.value.candidates) == {"KR", "KP"}
    for garbage in ("xx", "Atlantis", "a"):
        with pytest.raises(UnknownCountry):
            resolve_country(garbage)
    with pytest.raises(NotText):
        resolve_country("🙂🙂")
    with pytest.raises(TextTooLong):
        resolve_country("Germany" * 1000)
    assert country_name("DE", "ru") == "Германия"


def test_details_round_trip_and_refuse_tampering() -> None:
    details = DeliveryDetails(
        name="Anna Müller",
        phone="+49301234567",
        address_lines=("Hauptstraße 5",),
        city="Berlin",
        postal_code="10115",
        country="DE",
    )
    assert DeliveryDetails.from_dict(details.to_dict()) == details
    tampered = details.to_dict() | {"phone": "0"}
    with pytest.raises(InvalidPhone):
        DeliveryDetails.from_dict(tampered)
    with pytest.raises(UnknownCountry):
        DeliveryDetails.from_dict(details.to_dict() | {"country": "EU"})


def test_clean_text_and_quantities() -> None:
    assert clean_text("\u200fمرحبا\u200f", maximum=10) == "مرحبا"  # direction marks dropped
    with pytest.raises(NotText):
        clean_text("hi\x1b[31m", maximum=10)
    assert parse_quantity("3", maximum=99) == 3
    assert parse_quantity("٣", maximum=99) == 3
    assert parse_quantity("３ pcs", maximum=99) == 3
    assert parse_quantity("x2", maximum=99) == 2
    for typed in ("-3", "0", "1000000000", "100"):
        with pytest.raises(QuantityOutOfRange):
            parse_quantity(typed, maximum=99)
    for typed in ("three", "🙂", "", "1e3", "9" * 5000):
        with pytest.raises(NotAQuantity):
            parse_quantity(typed, maximum=99)
