"""What merchants type to set shipping (chat words and CLI flags alike), and the CSV."""

from __future__ import annotations

import pytest

from bot.database import SessionFactory, transaction
from catalog.models import Merchant
from merchants.shipping import (
    Problem,
    ShippingFileError,
    ShippingRefused,
    add_zone,
    export_csv,
    import_csv,
    parse_countries,
    parse_removal,
    parse_zone,
    read_csv,
    remove_zone,
    shipping_zones,
)
from orders.shipping import Terms, Tier, WeightTier


@pytest.mark.parametrize(
    "text",
    [
        "DE,FR,AT 4.90 free 60 days 3-5",
        "--to DE,FR,AT --price 4.90 --free-from 60 --days 3-5",
        "de, fr, at 4.90 free from 60 3-5 days",
        "to DE,FR,AT price=4.90 free-from=60 days=3-5",
    ],
)
def test_chat_words_and_cli_flags_say_the_same_zone(text: str) -> None:
    zone = parse_zone(text, currency="EUR")
    assert zone.countries == ("DE", "FR", "AT")
    assert zone.terms == Terms(490, 6000, 3, 5)


def test_rest_of_the_world_tiers_and_the_merchants_decimal_comma() -> None:
    zone = parse_zone("* 14,90 items 3:19,90 6:29,90 days 7-14", currency="EUR", locale="de")
    assert zone.countries == ("*",)
    assert zone.terms == Terms(1490, None, 7, 14, (Tier(3, 1990), Tier(6, 2990)))
    assert parse_zone("JP 1500", currency="JPY").terms.rate_minor == 1500
    assert parse_zone("US 5 days 2", currency="USD").terms.days == (2, 2)


PARCELS = Terms(490, None, 2, 3, weight_tiers=(WeightTier(2000, 490), WeightTier(5000, 990)))


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("DE,AT 2kg:4.90 5kg:9.90 days 2-3", "en"),
        ("DE,AT 5 kg = 9.90 2 kg: 4.90 2-3 days", "en"),
        ("--to DE,AT --weight 2kg=4.90 --weight 5000g=9.90 --days 2-3", "en"),
        ("DE,AT 2kg:4,90 5,0kg:9,90 days 2-3", "de"),
    ],
)
def test_weight_tiers_in_the_chats_words_and_the_clis_flags(text: str, locale: str) -> None:
    zone = parse_zone(text, currency="EUR", locale=locale)
    assert (zone.countries, zone.terms) == (("DE", "AT"), PARCELS)


def test_weights_in_pounds_and_ounces_become_grams() -> None:
    zone = parse_zone("US 1lb:5 8oz:4 1kg:7", currency="USD")
    assert zone.terms.weight_tiers == (  # 8 oz = 226.8 g, 1 lb = 453.6 g, to the nearest gram
        WeightTier(227, 400),
        WeightTier(454, 500),
        WeightTier(1000, 700),
    )
    assert zone.terms.rate_minor == 400  # the lightest parcel's rate, for "from" displays
    with pytest.raises(ShippingRefused):  # 16 oz is 1 lb: the same weight twice
        parse_zone("US 1lb:5 16oz:6", currency="USD")


@pytest.mark.parametrize(
    ("text", "problem", "value"),
    [
        ("4.90", Problem.NO_COUNTRIES, "4.90"),
        ("DE,XX 4.90", Problem.BAD_COUNTRY, "XX"),
        ("DE", Problem.NO_PRICE, "DE"),
        ("DE 4.999", Problem.BAD_PRICE, "4.999"),
        ("DE -4", Problem.BAD_PRICE, "-4"),
        ("DE 4.90 days 5-3", Problem.BAD_DAYS, "5-3"),
        ("DE 4.90 days soon", Problem.BAD_DAYS, "soon"),
        ("DE 4.90 1:2.00", Problem.BAD_TIER, "1:2.00"),
        ("DE 4.90 3:2.00 3:4.00", Problem.BAD_TIER, "DE 4.90 3:2.00 3:4.00"),
        ("DE 4.90 express", Problem.UNKNOWN_WORD, "express"),
        ("DE 4.90 2", Problem.UNKNOWN_WORD, "2"),  # a second amount: days need "days 2"
        ("DE 4.90 free", Problem.UNKNOWN_WORD, "free"),
        ("DE 4.90 2kg:5.90", Problem.MIXED_TIERS, "DE 4.90 2kg:5.90"),
        ("DE 2kg:5.90 items 3:6.90", Problem.MIXED_TIERS, "DE 2kg:5.90 items 3:6.90"),
        ("DE 2kg:5.90 2000g:6.90", Problem.BAD_WEIGHT_TIER, "DE 2kg:5.90 2000g:6.90"),
        ("DE 0kg:5.90", Problem.BAD_WEIGHT_TIER, "0kg:5.90"),
        ("DE 2kg:cheap", Problem.BAD_WEIGHT_TIER, "2kg:cheap"),
    ],
)
def test_bad_input_is_refused_naming_what_was_typed(
    text: str, problem: Problem, value: str
) -> None:
    with pytest.raises(ShippingRefused) as refused:
        parse_zone(text, currency="USD")
    assert (refused.value.problem, refused.value.value) == (problem, value)


def test_removal_names_countries_or_all() -> None:
    assert parse_removal("de,fr") == ("DE", "FR")
    assert parse_removal("ALL") is None
    assert parse_countries("*") == ("*",)
    with pytest.raises(ShippingRefused):
        parse_removal("Germany")


def test_csv_round_trip_and_bad_lines_named() -> None:
    text = (
        "countries,price,free_from,min_days,max_days,item_tiers\n"
        "DE FR AT,4.90,60,3,5,\n"
        "*,14.90,,7,14,3:19.90 6:29.90\n"
    )
    found = read_csv(text, currency="EUR")
    assert [zone.countries for zone in found] == [("DE", "FR", "AT"), ("*",)]
    assert found[1].terms.item_tiers == (Tier(3, 1990), Tier(6, 2990))
    with pytest.raises(ShippingFileError) as bad:
        read_csv(text + "XX,1,,,,\nUS,abc,,,,\nCA,1,,9,2,\n", currency="EUR")
    assert [(line, error.problem) for line, error in bad.value.problems] == [
        (4, Problem.BAD_COUNTRY), (5, Problem.BAD_PRICE), (6, Problem.BAD_DAYS),
    ]  # fmt: skip
    with pytest.raises(ShippingFileError):
        read_csv("handle,title\nmug,Mug\n", currency="EUR")


async def test_a_file_replaces_every_rule_or_changes_nothing(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        shop = Merchant(slug="csv-shop", name="CSV", currency="EUR")
        session.add(shop)
        await session.flush()
        await add_zone(session, merchant_id=shop.id, zone=parse_zone("US 20", currency="EUR"))
        exported = export_csv(await shipping_zones(session, merchant_id=shop.id), currency="EUR")
    assert exported == (
        "countries,price,free_from,min_days,max_days,item_tiers,weight_tiers\nUS,20.00,,,,,\n"
    )
    text = "countries,price,free_from,min_days,max_days,item_tiers\nDE AT,4.90,60,3,5,3:6.90\n"
    with pytest.raises(ShippingFileError):
        async with transaction(sessions) as session:
            await import_csv(session, merchant_id=shop.id, currency="EUR",
                             text=text + "ZZ,1,,,,\n")  # fmt: skip
    async with transaction(sessions) as session:
        zones = await import_csv(session, merchant_id=shop.id, currency="EUR", text=text)
        assert [zone.countries for zone in zones] == [("AT", "DE")]
        again = export_csv(zones, currency="EUR")
    assert again == "countries,price,free_from,min_days,max_days,item_tiers,weight_tiers\n" \
        "AT DE,4.90,60.00,3,5,3:6.90,\n"  # fmt: skip
    async with transaction(sessions) as session:
        assert await remove_zone(session, merchant_id=shop.id, countries=("DE",)) == ("DE",)
        with pytest.raises(ShippingRefused) as refused:
            await remove_zone(session, merchant_id=shop.id, countries=("FR",))
    assert refused.value.problem == Problem.NOT_SET
