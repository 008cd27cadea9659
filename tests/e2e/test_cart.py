"""From a typo'd search to a cart, through the real bot; nobody touches another buyer's cart."""

from __future__ import annotations

import pytest

from bot.standin.driver import Message, User
from tests.e2e.conftest import Shop

pytestmark = pytest.mark.slow


async def _add_first_mug(shop: Shop, buyer: User) -> Message:
    [results] = await shop.say(buyer, "enamel camping mugg")
    card = await shop.press(buyer, results, "1")
    card = await shop.press(buyer, card, "Red")
    await shop.press(buyer, card, "Add to cart")
    [cart] = await shop.say(buyer, "/cart")
    return cart


async def test_a_buyer_finds_a_product_despite_typos_and_adds_it(shop: Shop) -> None:
    buyer = shop.buyer()
    cart = await _add_first_mug(shop, buyer)
    assert cart.text is not None
    assert "Enamel Camping Mug" in cart.text and "$16.99" in cart.text


async def test_another_buyer_cannot_remove_a_line_from_my_cart(shop: Shop) -> None:
    alice, mallory = shop.buyer("Alice"), shop.buyer("Mallory")
    cart = await _add_first_mug(shop, alice)
    actions = [
        data for row in cart.buttons for _, data in row if data and data.startswith("1:line:")
    ]
    assert actions, cart.buttons
    line_id = actions[0].split(":")[2]

    [own] = await shop.say(mallory, "mug")
    assert own.record.markup is not None
    own.record.markup.rows[0][0]["callback_data"] = f"1:line:{line_id}:del"  # forged
    answer = await mallory.press(own, (0, 0), timeout=10)
    assert answer is not None and answer.text == "This item is no longer in your cart."

    [still] = await shop.say(alice, "/cart")
    assert still.text is not None and "Enamel Camping Mug" in still.text
