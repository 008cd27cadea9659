"""Shipping in words: the cart's delivery lines, the country question, /shipping, dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from conversation import callbacks
from conversation.views import shipping as views
from conversation.views.cart import cart_view
from conversation.views.weight import weight_text
from i18n import SHIPPED_LOCALES, translator
from merchants.shipping import Problem, ShippingRefused
from money import Money
from money.formatting import format_money
from orders.shipping import CartDelivery, ShopDelivery, Terms, Tier, WeightTier, Zone
from tests.conversation.test_views_cart import pressed, view

EUR = Money.of("5.00", "EUR")


def delivered(country: str = "DE", **tea: object) -> CartDelivery:
    mugs = ShopDelivery(1, True, True, cost=EUR, days=(3, 5),
                        missing_for_free=Money.of("12.00", "EUR"))  # fmt: skip
    tea_shop = ShopDelivery(2, True, True, cost=Money.zero("EUR"), days=(10, 20))
    return CartDelivery(country, False, (mugs, replace(tea_shop, **tea)))  # type: ignore[arg-type]


def test_the_cart_shows_cost_days_the_gap_to_free_and_the_total_with_delivery() -> None:
    t = translator("en")
    reply = cart_view(t, replace(view(), delivery=delivered()))
    text = reply.text
    assert "🚚 Delivery to Germany: €5.00 · 3–5 days" in text
    assert "Add €12.00 more for free delivery." in text
    assert "🚚 Delivery to Germany: free · 10–20 days" in text
    total = view().buyer_total + EUR
    assert f"With delivery: {format_money(total, 'en')}" in text
    assert "delivery is added at checkout" not in text
    assert ("ctry",) in pressed(reply)


def test_the_cart_says_plainly_which_shop_does_not_deliver_there() -> None:
    t = translator("en")
    text = cart_view(t, replace(view(), delivery=delivered("JP", delivers=False, cost=None))).text
    assert "⚠️ Tea House does not deliver to Japan." in text
    assert "Before checkout, remove what cannot be delivered" in text
    assert "With delivery" not in text
    assert ("co",) in pressed(cart_view(t, replace(view(), delivery=delivered("JP",
                                        delivers=False, cost=None))))  # fmt: skip
    closed = delivered(delivers=False, has_rules=False, cost=None)
    reply = cart_view(t, replace(view(), delivery=closed))
    assert "Tea House is not taking orders yet" in reply.text
    assert ("co",) not in pressed(reply)  # no Checkout while a shop in it cannot sell at all


def test_without_a_country_the_cart_asks_for_it() -> None:
    reply = cart_view(translator("en"), replace(view(), delivery=CartDelivery(None, False)))
    assert "Choose your country to see the delivery cost and time." in reply.text
    assert any(b.text == "📍 Choose your country" for row in reply.buttons for b in row)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_the_country_question_offers_buttons_that_decode(locale: str) -> None:
    reply = views.ask_country(translator(locale), ("DE", "AT"), unknown="Atlantis")
    assert "Atlantis" in reply.text
    assert pressed(reply) == [("ctryset", "DE"), ("ctryset", "AT"), ("cart",)]
    for row in reply.buttons:
        for button in row:
            assert button.action is not None
            callbacks.decode(button.action)


def test_zones_for_staff_in_the_shops_language() -> None:
    zone = Zone(("AT", "DE"), Terms(490, 6000, 3, 5, (Tier(3, 690),)))
    text = views.zones_view(translator("de"), "Mein Laden", "EUR", [zone]).text
    assert "Österreich, Deutschland" in text and "3–5 Tage" in text
    assert format_money(Money.of("4.90", "EUR"), "de") in text
    empty = views.zones_view(translator("en"), "Shop", "EUR", []).text
    assert "No delivery is set up, so buyers cannot order from this shop yet." in empty
    assert "/shipping add DE,FR,AT 4.90 free 60 days 3-5" in empty


def test_refusals_name_the_input() -> None:
    text = views.refused(translator("en"), ShippingRefused(Problem.BAD_COUNTRY, "XY"), "EUR").text
    assert "“XY” is not a country code" in text


def test_delivery_dates_in_the_buyers_language() -> None:
    today = date(2026, 12, 7)
    assert views.delivery_dates_line(translator("en"), (3, 5), today=today) == (
        "Arrives: Dec 10 – Dec 12"
    )
    assert views.delivery_dates_line(translator("en"), (2, 2), today=today) == "Arrives: Dec 9"


def test_an_order_too_heavy_for_the_shops_weight_tiers_is_named_with_both_weights() -> None:
    heavy = delivered(delivers=False, cost=None, days=None, order_grams=7250, max_grams=5000)
    text = cart_view(translator("en"), replace(view(), delivery=heavy)).text
    assert "⚠️ Tea House delivers parcels up to 5 kg to Germany; this order weighs 7.25 kg." in text
    assert "Before checkout, remove what cannot be delivered" in text
    german = cart_view(translator("de"), replace(view(), delivery=heavy)).text
    assert "5 kg" in german and "7,25 kg" in german and "Deutschland" in german


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_weight_tiers_are_listed_for_staff_in_the_shops_language(locale: str) -> None:
    t = translator(locale)
    zone = Zone(("DE",), Terms(490, weight_tiers=(WeightTier(500, 250), WeightTier(2000, 490))))
    text = views.zone_text(t, zone, "EUR")
    assert weight_text(500, t.code) in text and weight_text(2000, t.code) in text
    assert format_money(Money.of("2.50", "EUR"), t.code) in text
    if locale != "en":
        assert "up to" not in text  # translated
    refused = views.refused(t, ShippingRefused(Problem.MIXED_TIERS, "DE 4.90 2kg:5"), "EUR").text
    assert "2kg:4.90 5kg:9.90" in refused


def test_weights_read_in_grams_below_a_kilogram_and_in_kilograms_from_there() -> None:
    assert [weight_text(g, "en") for g in (0, 999, 1000, 1500, 2001)] == [
        "0 g", "999 g", "1 kg", "1.5 kg", "2.001 kg",
    ]  # fmt: skip
    assert weight_text(1500, "de") == "1,5 kg"
