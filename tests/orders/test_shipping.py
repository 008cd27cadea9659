"""Shipping rules: which rule applies, tiers, free delivery, days; zones stored and grouped."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.database import SessionFactory, transaction
from catalog.models import Merchant, Variant
from conversation.views.checkout import error_text
from i18n import translator
from money import Money
from orders.cart import add_to_cart
from orders.errors import NoShipping, ShopNotOpen, TooHeavy
from orders.placement import summarise
from orders.shipping import (
    Rule,
    Terms,
    Tier,
    WeightTier,
    delivery_dates,
    has_rules,
    merchant_rules,
    quote_delivery,
    remove_rules,
    set_rule,
    set_zone,
    shipping_cost,
    zones,
)
from tests.orders.factories import make_customer, quoter, ready_draft, seed_shop

EU = Rule("DE", 490, free_above_minor=6000, min_days=3, max_days=5)
WORLD = Rule("*", 1490, min_days=7, max_days=14, item_tiers=(Tier(3, 1990), Tier(6, 2990)))
# "up to 2 kg 4.90, up to 5 kg 9.90", given out of order; free from 60.00
PARCELS = Rule("DE", 490, 6000, weight_tiers=(WeightTier(5000, 990), WeightTier(2000, 490)))


def test_the_countrys_own_rule_wins_over_the_rest_of_the_world() -> None:
    quote = quote_delivery([WORLD, EU], country="de", subtotal_minor=1000)
    assert (quote.country, quote.cost_minor, quote.days) == ("DE", 490, (3, 5))
    assert quote.missing_for_free_minor == 5000  # 60.00 - 10.00
    other = quote_delivery([WORLD, EU], country="JP", subtotal_minor=1000)
    assert (other.cost_minor, other.days, other.missing_for_free_minor) == (1490, (7, 14), None)


def test_no_rule_means_no_delivery_there() -> None:
    with pytest.raises(NoShipping) as raised:
        quote_delivery([EU], country="US", subtotal_minor=1000, merchant_name="Shop")
    assert raised.value.params == {"merchant": "Shop", "country": "US"}
    with pytest.raises(ShopNotOpen):  # no rule anywhere: the shop cannot sell yet
        shipping_cost([], country="DE", subtotal_minor=1000)


def test_free_from_the_threshold_itself() -> None:
    assert shipping_cost([EU], country="DE", subtotal_minor=5999) == 490
    assert shipping_cost([EU], country="DE", subtotal_minor=6000) == 0
    free = quote_delivery([EU], country="DE", subtotal_minor=6000)
    assert free.missing_for_free_minor is None and free.days == (3, 5)


def test_item_tiers_step_the_rate_by_the_number_of_items() -> None:
    costs = [shipping_cost([WORLD], country="FR", subtotal_minor=100, items=n) for n in range(1, 8)]
    assert costs == [1490, 1490, 1990, 1990, 1990, 2990, 2990]


def test_weight_tiers_include_their_limit_and_refuse_an_order_heavier_than_the_last() -> None:
    def cost(grams: int) -> int:
        return shipping_cost([PARCELS], country="DE", subtotal_minor=1000, grams=grams)

    assert [cost(g) for g in (0, 1999, 2000, 2001, 5000)] == [490, 490, 490, 990, 990]
    with pytest.raises(TooHeavy) as raised:
        quote_delivery([PARCELS], country="de", subtotal_minor=1000, grams=5001,
                       merchant_name="Shop")  # fmt: skip
    assert isinstance(raised.value, NoShipping)  # the cart and checkout treat it as such
    assert raised.value.params == {"merchant": "Shop", "country": "DE", "grams": 5001,
                                   "limit": 5000}  # fmt: skip
    text = error_text(translator("en"), raised.value)
    assert text == "Shop delivers parcels up to 5 kg to Germany; this order weighs 5.001 kg."


def test_free_delivery_from_the_order_value_wins_over_weight_tiers_and_their_limit() -> None:
    for grams in (100, 4000, 50_000):
        free = quote_delivery([PARCELS], country="DE", subtotal_minor=6000, grams=grams)
        assert (free.cost_minor, free.missing_for_free_minor) == (0, None)
    short = quote_delivery([PARCELS], country="DE", subtotal_minor=5000, grams=4000)
    assert (short.cost_minor, short.missing_for_free_minor) == (990, 1000)


def test_item_counts_do_not_move_a_weight_priced_zone() -> None:
    assert shipping_cost([PARCELS], country="DE", subtotal_minor=100, items=9, grams=10) == 490


@given(
    limits=st.lists(st.integers(1, 10**6), min_size=1, max_size=10, unique=True),
    light=st.integers(0, 10**6),
    extra=st.integers(0, 10**6),
)
def test_a_heavier_order_never_lands_in_a_lighter_tier(
    limits: list[int], light: int, extra: int
) -> None:
    terms = Terms(0, weight_tiers=tuple(WeightTier(limit, limit) for limit in limits))
    lighter, heavier = terms.rate_for(1, light), terms.rate_for(1, light + extra)
    if heavier is not None:  # the rate is the tier's limit here: the tier chosen
        assert lighter is not None and light <= lighter <= heavier and light + extra <= heavier
    if lighter is None:
        assert light > max(limits) and heavier is None


@given(
    rate=st.integers(0, 10**6),
    free=st.none() | st.integers(0, 10**6),
    subtotal=st.integers(0, 10**7),
    items=st.integers(1, 99),
)
def test_cost_is_zero_or_the_rate_and_missing_closes_the_gap(
    rate: int, free: int | None, subtotal: int, items: int
) -> None:
    quote = quote_delivery([Rule("*", rate, free)], country="BR", subtotal_minor=subtotal,
                           items=items)  # fmt: skip
    assert quote.cost_minor in (0, rate)
    if quote.missing_for_free_minor is not None:
        assert free is not None and subtotal + quote.missing_for_free_minor == free
        assert shipping_cost([Rule("*", rate, free)], country="BR", subtotal_minor=free) == 0


@pytest.mark.parametrize(
    "terms",
    [
        {"rate_minor": -1},
        {"rate_minor": 1, "free_above_minor": -5},
        {"rate_minor": 1, "min_days": 3},
        {"rate_minor": 1, "min_days": 5, "max_days": 3},
        {"rate_minor": 1, "min_days": 0, "max_days": 400},
        {"rate_minor": 1, "item_tiers": (Tier(1, 100),)},
        {"rate_minor": 1, "item_tiers": (Tier(3, 100), Tier(3, 200))},
        {"rate_minor": 1, "weight_tiers": (WeightTier(0, 100),)},
        {"rate_minor": 1, "weight_tiers": (WeightTier(500, 100), WeightTier(500, 200))},
        {"rate_minor": 1, "weight_tiers": (WeightTier(500, -1),)},
        {"rate_minor": 1, "item_tiers": (Tier(3, 1),), "weight_tiers": (WeightTier(5, 1),)},
    ],
)
def test_impossible_terms_are_refused(terms: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Terms(**terms)  # type: ignore[arg-type]


def test_zones_group_countries_with_the_same_terms_rest_of_world_last() -> None:
    rules = [WORLD, EU, Rule("AT", 490, 6000, 3, 5), Rule("CH", 990, None, 4, 6)]
    found = zones(rules)
    assert [zone.countries for zone in found] == [("AT", "DE"), ("CH",), ("*",)]
    assert found[0].terms == EU.terms


def test_delivery_dates_count_calendar_days() -> None:
    assert delivery_dates((3, 5), today=date(2026, 12, 30)) == (date(2027, 1, 2), date(2027, 1, 4))


async def test_zones_are_stored_replaced_and_removed(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        shop = Merchant(slug="zoned", name="Zoned", currency="EUR")
        session.add(shop)
        await session.flush()
        assert not await has_rules(session, merchant_id=shop.id)
        terms = Terms(490, 6000, 3, 5, (Tier(3, 690),))
        await set_zone(session, merchant_id=shop.id, countries=["de", "FR", "AT", "DE"],
                       terms=terms)  # fmt: skip
        await set_rule(session, merchant_id=shop.id, country="*", rate_minor=1490)
    async with transaction(sessions) as session:
        rules = await merchant_rules(session, merchant_id=shop.id)
        assert sorted(rule.country for rule in rules) == ["*", "AT", "DE", "FR"]
        assert zones(rules)[0].terms == terms
        # A country moved to another zone keeps one rule, with the new terms.
        await set_zone(session, merchant_id=shop.id, countries=["FR"], terms=Terms(990))
        assert shipping_cost(await merchant_rules(session, merchant_id=shop.id), country="FR",
                             subtotal_minor=10_000) == 990  # fmt: skip
        assert await remove_rules(session, merchant_id=shop.id, countries=["at", "JP"]) == ("AT",)
        assert await remove_rules(session, merchant_id=shop.id, countries=None) == ("*", "DE", "FR")
        assert not await has_rules(session, merchant_id=shop.id)
    with pytest.raises(ValueError):
        async with transaction(sessions) as session:
            await set_rule(session, merchant_id=shop.id, country="Germany", rate_minor=1)


async def test_the_summary_gives_delivery_days_and_refuses_a_shop_without_shipping(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        alice = await make_customer(session, 1001)
        await set_zone(session, merchant_id=shop.usd_merchant, countries=["DE"],
                       terms=Terms(550, 5000, 2, 4, (Tier(3, 990),)))  # fmt: skip
        await add_to_cart(session, customer_id=alice, variant_id=shop.mug_red, quantity=3)
        summary = await summarise(session, customer_id=alice, delivery=ready_draft().delivery,
                                  buyer_currency="EUR", quoter=quoter())  # fmt: skip
        [mugs] = summary.merchants
        assert mugs.delivery_days == (2, 4)
        assert mugs.shipping == Money.of("9.90", "USD")  # 3 items: the tier's rate
        await add_to_cart(session, customer_id=alice, variant_id=shop.teapot)
        await remove_rules(session, merchant_id=shop.cny_merchant, countries=None)
    with pytest.raises(ShopNotOpen) as refused:
        async with transaction(sessions) as session:
            await summarise(session, customer_id=alice, delivery=ready_draft().delivery,
                            buyer_currency="EUR", quoter=quoter())  # fmt: skip
    text = error_text(translator("en"), refused.value)
    assert text == "Tea House is not taking orders yet: it has not set up delivery."


async def test_the_summary_prices_delivery_by_the_catalogs_weights(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        alice = await make_customer(session, 1001)
        (await session.get_one(Variant, shop.mug_red)).grams = 450
        (await session.get_one(Variant, shop.mug_blue)).grams = None  # weight not given: 0
        await set_zone(session, merchant_id=shop.usd_merchant, countries=["DE"],
                       terms=PARCELS.terms)  # fmt: skip
        await add_to_cart(session, customer_id=alice, variant_id=shop.mug_red, quantity=4)
        await add_to_cart(session, customer_id=alice, variant_id=shop.mug_blue, quantity=5)
    async with transaction(sessions) as session:
        assert (await merchant_rules(session, merchant_id=shop.usd_merchant))[0].terms == (
            PARCELS.terms
        )
        summary = await summarise(session, customer_id=alice, delivery=ready_draft().delivery,
                                  buyer_currency="EUR", quoter=quoter())  # fmt: skip
        assert summary.merchants[0].shipping == Money.of("0", "USD")  # 99.00: free from 60.00
        no_free = Terms(0, weight_tiers=(WeightTier(1000, 300), WeightTier(2000, 700)))
        await set_zone(session, merchant_id=shop.usd_merchant, countries=["DE"], terms=no_free)
        summary = await summarise(session, customer_id=alice, delivery=ready_draft().delivery,
                                  buyer_currency="EUR", quoter=quoter())  # fmt: skip
        assert summary.merchants[0].shipping == Money.of("7.00", "USD")  # 1800 g: up to 2 kg
        await set_zone(session, merchant_id=shop.usd_merchant, countries=["DE"],
                       terms=Terms(0, weight_tiers=(WeightTier(1500, 490),)))  # fmt: skip
    with pytest.raises(TooHeavy) as refused:
        async with transaction(sessions) as session:
            await summarise(session, customer_id=alice, delivery=ready_draft().delivery,
                            buyer_currency="EUR", quoter=quoter())  # fmt: skip
    assert refused.value.params["grams"] == 1800
