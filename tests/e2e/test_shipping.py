"""Shipping end to end through the real bot and the Bot API stand-in: staff set delivery zones
with /shipping in the shop's group; a German buyer sees delivery cost and days in the cart
before checkout, changes country by typing it, and is told plainly where the shop does not go.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.database import transaction
from catalog.models import Merchant, Variant
from i18n import translator
from orders.cart import add_to_cart
from orders.customers import Customer
from tests.e2e.test_merchant import TIMEOUT, MerchantWorld, set_up

pytestmark = pytest.mark.slow

DE = translator("de").gettext


def has(text: str):
    return lambda m: text in (m.text or "")


async def _cart_with_a_cheap_product(world: MerchantWorld) -> None:
    """Ana's cart holds one product of Northwind Goods under $30 (added as the cart does)."""
    async with transaction(world.sessions) as session:
        customer = await session.scalar(
            select(Customer.id).where(Customer.telegram_user_id == world.ana.id)
        )
        variant = await session.scalar(
            select(Variant.id)
            .join(Merchant, Merchant.id == Variant.merchant_id)
            .where(Merchant.slug == "demo-us", Variant.price_minor < 3000, Variant.stock > 0)
            .order_by(Variant.id)
            .limit(1)
        )
        assert customer is not None and variant is not None
        await add_to_cart(session, customer_id=customer, variant_id=variant, quantity=1)


async def test_staff_set_shipping_in_the_chat_and_a_buyer_abroad_sees_it_in_the_cart(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    group, ana = world.group, world.ana

    await world.mia.send("/shipping remove all", group)
    emptied = await group.wait_for(has("Removed delivery to"), timeout=TIMEOUT)
    assert "No delivery is set up, so buyers cannot order from this shop yet." in (
        emptied.text or ""
    )

    # A shop without shipping cannot sell: the buyer's cart says so before checkout.
    await _cart_with_a_cheap_product(world)
    await ana.send("/cart")
    closed = await ana.chat.wait_for(has("🛒"), timeout=TIMEOUT)
    assert DE("{shop} is not taking orders yet: it has not set up delivery.").format(
        shop="Northwind Goods"
    ) in (closed.text or "")

    await world.bob.send("/shipping add DE 0", group)
    refused = await group.wait_for(has("staff"), timeout=TIMEOUT)
    assert refused is not None
    await world.mia.send("/shipping add DE,XY 4.90", group)
    bad = await group.wait_for(has("“XY” is not a country code"), timeout=TIMEOUT)
    assert "/shipping add DE,FR,AT 4.90 free 60 days 3-5" in (bad.text or "")
    await world.mia.send("/shipping add DE,AT 4.90 free 60 days 3-5", group)
    saved = await group.wait_for(has("Saved."), timeout=TIMEOUT)
    assert "Austria, Germany" in (saved.text or "") and "3–5 days" in (saved.text or "")
    assert "$4.90" in (saved.text or "") and "free from $60.00" in (saved.text or "")

    # Ana's Telegram speaks German: Germany is guessed, prices in euros, days and the gap to
    # free delivery shown before checkout.
    await ana.send("/cart")
    cart = await ana.chat.wait_for(has("🚚"), timeout=TIMEOUT)
    text = cart.text or ""
    delivery = DE("Delivery to {country}: {amount}").format(country="Deutschland", amount="")
    assert re.search(re.escape(delivery) + r"(≈\s)?[0-9]+,[0-9]{2}\s€ · 3–5 Tage", text), text
    assert DE("Add {amount} more for free delivery.").split("{amount}")[0] in text
    assert DE("With delivery: {amount}").split("{amount}")[0] in text

    # Another country, typed: Japan is not served, and the cart says so plainly.
    change = "📍 " + DE("Not in {country}?").format(country="Deutschland")
    await ana.press(cart, change, timeout=TIMEOUT)
    question = await ana.chat.wait_for(
        has(DE("Which country should your order go to? Choose it or type its name.")),
        timeout=TIMEOUT,
    )
    assert any("Deutschland" in label for row in question.buttons for label, _ in row)
    await ana.send("Japan")
    japan = await ana.chat.wait_for(has("⚠️"), timeout=TIMEOUT)
    assert DE("{shop} does not deliver to {country}.").format(
        shop="Northwind Goods", country="Japan"
    ) in (japan.text or "")
    assert DE("Before checkout, remove what cannot be delivered, or choose another country.") in (
        japan.text or ""
    )

    # Austria, by button this time: the zone's terms.
    await ana.press(japan, "📍 " + DE("Not in {country}?").format(country="Japan"), timeout=TIMEOUT)
    question = await ana.chat.wait_for(
        has(DE("Which country should your order go to? Choose it or type its name.")),
        timeout=TIMEOUT,
    )
    await ana.press(question, "Österreich", timeout=TIMEOUT)
    austria = await ana.chat.wait_for(has("Österreich:"), timeout=TIMEOUT)
    assert "3–5 Tage" in (austria.text or "")


async def test_staff_price_delivery_by_weight_and_a_too_heavy_cart_is_named_before_checkout(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    group, ana = world.group, world.ana
    await world.mia.send("/shipping remove all", group)
    await group.wait_for(has("Removed delivery to"), timeout=TIMEOUT)
    await world.mia.send("/shipping add DE 4.90 2kg:5.90", group)
    mixed = await group.wait_for(has("whole price list"), timeout=TIMEOUT)
    assert "DE,FR 2kg:4.90 5kg:9.90" in (mixed.text or "")
    await world.mia.send("/shipping add DE 1kg:4.90 500g:2.50 days 2-3", group)
    saved = await group.wait_for(has("Saved."), timeout=TIMEOUT)
    assert "up to 500 g: $2.50, up to 1 kg: $4.90" in (saved.text or "")

    await _cart_with_a_cheap_product(world)
    async with transaction(world.sessions) as session:  # every product weighs 600 g
        for variant in await session.scalars(select(Variant)):
            variant.grams = 600
    await ana.send("/cart")
    cart = await ana.chat.wait_for(has("🚚"), timeout=TIMEOUT)
    assert "2–3 Tage" in (cart.text or "")  # 600 g: the 1 kg tier

    await _cart_with_a_cheap_product(world)  # 1.2 kg: heavier than the last tier
    await ana.send("/cart")
    heavy = await ana.chat.wait_for(has("⚠️"), timeout=TIMEOUT)
    assert DE(
        "{shop} delivers parcels up to {limit} to {country}; this order weighs {weight}."
    ).format(shop="Northwind Goods", limit="1 kg", country="Deutschland", weight="1,2 kg") in (
        heavy.text or ""
    )
