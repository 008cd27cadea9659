"""Inline mode: `@bot red mug` in any chat, priced for the sender; the card opens the product."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import Shop

pytestmark = pytest.mark.slow


async def test_inline_results_are_priced_for_the_sender_and_deep_link_to_the_product(
    shop: Shop,
) -> None:
    buyer = shop.buyer("Lucas", language_code="pt-br")
    results = await buyer.inline("caneca esmaltada", timeout=15)
    assert results, "the bot answers inline queries"
    first = results[0]
    assert "R$" in first["description"]  # the sender's currency, not the shop's

    friend = shop.buyer("Ana", language_code="pt-br")  # reads the card in her language
    posted = await buyer.choose_inline(first, "caneca esmaltada", chat=friend.chat)
    [[(_, url)]] = posted.buttons
    assert url is not None
    match = re.fullmatch(r"https://t\.me/chatshop_test_bot\?start=(p\d+)", url)
    assert match, url

    # Following the link sends /start with the payload: the bot opens that product's card.
    [card] = await shop.say(friend, f"/start {match.group(1)}")
    assert card.photo is not None and card.text is not None
    assert first["title"] in card.text
