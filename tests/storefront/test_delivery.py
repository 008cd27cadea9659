"""Delivery in the cart: each shop's cost and days to the buyer's country, before checkout."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.database import SessionFactory, transaction
from catalog.models import Variant
from money import Money
from orders.customers import Buyer, identify_buyer
from orders.errors import AmbiguousCountry, UnknownCountry
from orders.shipping import Terms, WeightTier, set_zone
from storefront import cart, delivery
from tests.storefront.factories import MAX_AGE, NOW, Catalog, make_buyer, seed_catalog


async def _setup(sessions: SessionFactory) -> tuple[Catalog, Buyer]:
    async with transaction(sessions) as session:
        catalog = await seed_catalog(session)
        # Wear & Co: 5.50 USD to Germany, free from 50.00, 3-5 days. Tea House: nothing yet.
        await set_zone(session, merchant_id=catalog.usd_merchant, countries=["DE"],
                       terms=Terms(550, 5000, 3, 5))  # fmt: skip
        buyer = await make_buyer(session, 1, locale="de", currency="EUR")
        await cart.add_variant(session, buyer=buyer, variant_id=catalog.mug_variant, quantity=1)
    return catalog, replace(buyer, country="DE")  # as guessed from Telegram's "de"


async def test_the_cart_shows_cost_days_and_what_is_missing_for_free_delivery(
    sessions: SessionFactory,
) -> None:
    catalog, buyer = await _setup(sessions)
    async with transaction(sessions) as session:
        view = await cart.show_cart(session, buyer=buyer, max_rate_age=MAX_AGE, now=NOW)
    assert view.delivery is not None
    assert (view.delivery.country, view.delivery.chosen) == ("DE", False)
    wear = view.delivery.of(catalog.usd_merchant)
    assert wear is not None and wear.delivers and wear.days == (3, 5)
    assert wear.cost == Money.of("5.00", "EUR")  # 5.50 USD at 1.10, as checkout converts it
    assert wear.missing_for_free == Money.of("35.45", "EUR")  # 50.00 - 11.00 = 39.00 USD
    assert not view.delivery.blocked

    async with transaction(sessions) as session:
        await cart.add_variant(session, buyer=buyer, variant_id=catalog.shirt_blue_xl, quantity=2)
        await cart.add_variant(session, buyer=buyer, variant_id=catalog.teapot_variant, quantity=1)
        view = await cart.show_cart(session, buyer=buyer, max_rate_age=MAX_AGE, now=NOW)
    assert view.delivery is not None
    wear = view.delivery.of(catalog.usd_merchant)
    assert wear is not None and wear.cost == Money.zero("EUR") and wear.missing_for_free is None
    tea = view.delivery.of(catalog.cny_merchant)
    assert tea is not None and not tea.delivers and not tea.has_rules  # no shipping: cannot sell
    assert view.delivery.blocked


async def test_the_country_is_asked_chosen_typed_and_remembered(sessions: SessionFactory) -> None:
    catalog, buyer = await _setup(sessions)
    async with transaction(sessions) as session:
        unknown = await cart.show_cart(
            session, buyer=replace(buyer, country=None), max_rate_age=MAX_AGE, now=NOW
        )
        assert unknown.delivery is not None and unknown.delivery.country is None
        # Not asked: a text is not taken for a country.
        assert await delivery.answer_country(session, buyer=buyer, text="Austria") is None
        likely = await delivery.ask_country(session, buyer=buyer)
    assert likely == ("DE",)
    with pytest.raises(UnknownCountry):
        async with transaction(sessions) as session:
            await delivery.answer_country(session, buyer=buyer, text="Atlantis")
    with pytest.raises(AmbiguousCountry):
        async with transaction(sessions) as session:
            await delivery.answer_country(session, buyer=buyer, text="Korea")
    async with transaction(sessions) as session:  # the question still waits after a miss
        chosen = await delivery.answer_country(session, buyer=buyer, text="Österreich")
        assert chosen is not None and (chosen.country, chosen.country_chosen) == ("AT", True)
        view = await cart.show_cart(session, buyer=chosen, max_rate_age=MAX_AGE, now=NOW)
    assert view.delivery is not None and view.delivery.country == "AT"
    wear = view.delivery.of(catalog.usd_merchant)
    assert wear is not None and not wear.delivers and wear.has_rules

    # The next update finds the choice, whatever Telegram's language suggests.
    async with transaction(sessions) as session:
        again = await identify_buyer(
            session, telegram_user_id=1, locale="de", currency="EUR", country="DE"
        )
    assert (again.country, again.country_chosen) == ("AT", True)


async def test_a_zone_priced_by_weight_quotes_the_carts_weight_and_names_a_too_heavy_order(
    sessions: SessionFactory,
) -> None:
    catalog, buyer = await _setup(sessions)
    async with transaction(sessions) as session:
        (await session.get_one(Variant, catalog.mug_variant)).grams = 400
        by_weight = Terms(0, weight_tiers=(WeightTier(1000, 330), WeightTier(2000, 660)))
        await set_zone(session, merchant_id=catalog.usd_merchant, countries=["DE"], terms=by_weight)
        view = await cart.show_cart(session, buyer=buyer, max_rate_age=MAX_AGE, now=NOW)
    assert view.delivery is not None
    wear = view.delivery.of(catalog.usd_merchant)
    assert wear is not None and wear.cost == Money.of("3.00", "EUR")  # 400 g: 3.30 USD at 1.10
    async with transaction(sessions) as session:
        await cart.add_variant(session, buyer=buyer, variant_id=catalog.mug_variant, quantity=3)
        view = await cart.show_cart(session, buyer=buyer, max_rate_age=MAX_AGE, now=NOW)
    assert view.delivery is not None
    wear = view.delivery.of(catalog.usd_merchant)
    assert wear is not None and wear.cost == Money.of("6.00", "EUR")  # 1600 g
    async with transaction(sessions) as session:
        await cart.add_variant(session, buyer=buyer, variant_id=catalog.mug_variant, quantity=2)
        view = await cart.show_cart(session, buyer=buyer, max_rate_age=MAX_AGE, now=NOW)
    assert view.delivery is not None and view.delivery.blocked
    wear = view.delivery.of(catalog.usd_merchant)
    assert wear is not None and not wear.delivers and wear.has_rules
    assert (wear.order_grams, wear.max_grams) == (2400, 2000)
