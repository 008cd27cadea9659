"""Reading what staff type when they ship: carrier, whole number, tracking link."""

from __future__ import annotations

import pytest

from orders.errors import MissingTracking
from orders.tracking import parse_tracking, tracking_link

USPS = "https://tools.usps.com/go/TrackConfirmAction?tLabels="
UPS = "https://wwwapps.ups.com/WebTracking/track?track=yes&trackNums="


@pytest.mark.parametrize(
    ("typed", "carrier", "number", "url"),
    [
        # the example: spaces inside the number, carrier from the word
        ("USPS 9400 1118 9922 3197 4284 90", "USPS", "9400111899223197428490",
         USPS + "9400111899223197428490"),
        ("usps 9400-1118-9922-3197-4284-90", "usps", "9400111899223197428490",
         USPS + "9400111899223197428490"),
        # no word: the carrier recognised from the number and its check digit
        ("1Z 5R8 939 03 5756 7127", "UPS", "1Z5R89390357567127", UPS + "1Z5R89390357567127"),
        ("United States Postal Service 9400111899223197428490", "United States Postal Service",
         "9400111899223197428490", USPS + "9400111899223197428490"),
        # a UPU number with letters at both ends, spaced; a carrier the table has no page for
        ("Royal Mail RB 123 456 785 GB", "Royal Mail", "RB123456785GB", None),
        ("Correos: PK1234567890", "Correos", "PK1234567890", None),
    ],
)  # fmt: skip
def test_staff_words_become_carrier_number_and_link(
    typed: str, carrier: str, number: str, url: str | None
) -> None:
    found = parse_tracking(typed)
    assert (found.carrier, found.number, found.url) == (carrier, number, url)


def test_the_word_wins_over_a_pattern_of_another_carrier() -> None:
    found = parse_tracking("FedEx 1Z5R89390357567127")
    assert found.url is not None and "fedex.com" in found.url


@pytest.mark.parametrize(
    "typed", ["", "DHL", "shipped today", "9400111899223197428491", "DHL 12#45", "X " + "1" * 129]
)
def test_what_is_not_a_tracking_answer_is_refused(typed: str) -> None:
    with pytest.raises(MissingTracking):
        parse_tracking(typed)


def test_a_stored_carrier_and_number_give_the_same_link() -> None:
    assert tracking_link("USPS", "9400111899223197428490") == USPS + "9400111899223197428490"
    assert tracking_link("Royal Mail", "RB123456785GB") is None
    assert tracking_link(None, None) is None
