"""Addresses and phones as each country writes them (Google's address data, phonenumbers)."""

from __future__ import annotations

import pytest

from orders.addresses import Part, address_form, match_area
from orders.delivery import DeliveryDetails, validate_area, validate_phone, validate_postal_code
from orders.errors import InvalidAddressPart, InvalidPhone

# country, a phone as people there write it, its E.164, the parts asked after the street,
# a state as typed and its code, a valid and an invalid postal code
COUNTRIES = [
    (
        "US",
        "(202) 555-0143",
        "+12025550143",
        "city country_area postal_code",
        "california",
        "CA",
        "94043",
        "9404",
    ),
    (
        "BR",
        "(11) 91234-5678",
        "+5511912345678",
        "city country_area postal_code",
        "São Paulo",
        "SP",
        "01310-100",
        "0131-100",
    ),
    (
        "CN",
        "13812345678",
        "+8613812345678",
        "country_area city postal_code",
        "Beijing",
        "北京市",
        "100020",
        "10002",
    ),
    (
        "MX",
        "55 1234 5678",
        "+525512345678",
        "city country_area postal_code",
        "Jalisco",
        "Jal.",
        "44100",
        "4410",
    ),
    ("DE", "0151 23456789", "+4915123456789", "city postal_code", None, None, "10115", "1011"),
    ("FR", "06 12 34 56 78", "+33612345678", "city postal_code", None, None, "75001", "7500"),
    (
        "ES",
        "612 34 56 78",
        "+34612345678",
        "city country_area postal_code",
        "Madrid",
        "M",
        "28039",
        "2803",
    ),
    (
        "RU",
        "8 912 345-67-89",
        "+79123456789",
        "city country_area postal_code",
        "Moskva",
        "Москва",
        "101000",
        "10100",
    ),
    ("EG", "01012345678", "+201012345678", "city postal_code", None, None, "11511", "1151"),
    (
        "KR",
        "01012345678",
        "+821012345678",
        "country_area city postal_code",
        "Seoul",
        "서울특별시",
        "03051",
        "0305",
    ),
]


@pytest.mark.parametrize(
    ("country", "phone", "e164", "parts", "typed_area", "area", "postal", "bad_postal"), COUNTRIES
)
def test_each_country_as_its_people_write_it(
    country: str,
    phone: str,
    e164: str,
    parts: str,
    typed_area: str | None,
    area: str | None,
    postal: str,
    bad_postal: str,
) -> None:
    assert validate_phone(phone, region_hint=country) == e164
    assert validate_phone(phone, region_hint="ZZ", second_hint=country) == e164  # as a hint
    form = address_form(country)
    assert " ".join(part.value for part in form.parts) == parts
    if typed_area is not None:
        assert validate_area(typed_area, country=country) == area
        with pytest.raises(InvalidAddressPart):
            validate_area("Atlantis", country=country)
    assert validate_postal_code(postal, country=country, area=area) == postal
    with pytest.raises(InvalidAddressPart) as refused:
        validate_postal_code(bad_postal, country=country, area=area)
    assert refused.value.params["field"] == form.postal_type
    assert refused.value.params["country"] == country
    details = DeliveryDetails(
        "Ana Li", e164, ("5 Main Street",), "Springfield", postal, country, area=area
    )
    label = details.label()
    assert "Ana Li" in label  # first in the West, last (or nearly) in China and Korea
    assert any(postal in line for line in label)
    if area is not None and country != "ES":  # Spain's label names the province by name
        assert any(area.upper() in line.upper() for line in label)
    assert DeliveryDetails.from_dict(details.to_dict()) == details
    assert Part.POSTAL_CODE in form.required or country == "EG"


def test_a_phone_of_another_country_needs_its_code_or_the_hint() -> None:
    with pytest.raises(InvalidPhone):
        validate_phone("0151 23456789", region_hint="US")
    assert validate_phone("+49 151 23456789", region_hint="US") == "+4915123456789"
    assert validate_phone("٠١٠١٢٣٤٥٦٧٨", region_hint="EG") == "+201012345678"  # Arabic digits


def test_a_non_latin_address_keeps_a_latin_copy_for_the_carrier() -> None:
    details = DeliveryDetails(
        "王伟", "+8613812345678", ("建国路88号",), "北京市", "100020", "CN", area="北京市"
    )
    latin = details.to_dict()["latin"]
    assert all(line.isascii() for line in latin) and "100020" in " ".join(latin)
    latin_text = " ".join(latin)
    assert "Wang" in latin_text or "WANG" in latin_text.upper()
    assert (
        "latin"
        not in DeliveryDetails(
            "Ana", "+12025550143", ("1 Main St",), "Boston", "02108", "US", area="MA"
        ).to_dict()
    )


@pytest.mark.parametrize(
    ("country", "typed", "area"),
    [
        ("CN", "北京", "北京市"),
        ("CN", "广东", "广东省"),
        ("CN", "新疆", "新疆维吾尔自治区"),
        ("CN", "内蒙古", "内蒙古自治区"),
        ("CN", "广西", "广西壮族自治区"),
        ("JP", "東京", "東京都"),
        ("KR", "서울", "서울특별시"),
    ],
)
def test_an_area_is_found_without_the_suffix_people_leave_off(
    country: str, typed: str, area: str
) -> None:
    assert match_area(country, typed) == area
