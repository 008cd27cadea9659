"""/start, /help, a search with typos, and the polite answers, through the real bot over HTTP."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Shop

pytestmark = pytest.mark.slow


async def test_start_greets_the_buyer_by_name_with_their_currency(shop: Shop) -> None:
    buyer = shop.buyer("Ana", language_code="en")
    [greeting] = await shop.say(buyer, "/start")
    assert greeting.text is not None
    assert greeting.text.startswith("Hi Ana!")
    assert "USD" in greeting.text


async def test_a_search_with_typos_lists_products_with_prices(shop: Shop) -> None:
    buyer = shop.buyer()
    [results] = await shop.say(buyer, "wireles headphnes")
    assert results.text is not None
    assert "Wireless" in results.text and "Headphones" in results.text
    assert "$" in results.text
    assert results.buttons, "each product gets a button"


async def test_a_price_limit_leaves_out_dearer_products(shop: Shop) -> None:
    buyer = shop.buyer()
    [results] = await shop.say(buyer, "headphones under 40")
    assert results.text is not None
    assert "Noise-Cancelling" not in results.text  # $129.99


async def test_nonsense_finds_nothing_and_says_so(shop: Shop) -> None:
    buyer = shop.buyer()
    [answer] = await shop.say(buyer, "qqqqzzzzxxxx")
    assert answer.text is not None and "Nothing found" in answer.text


async def test_a_sticker_and_an_unknown_command_get_friendly_answers(shop: Shop) -> None:
    buyer = shop.buyer()
    await buyer.send_sticker()
    sticker_answer = await buyer.chat.wait_for(timeout=10)
    assert sticker_answer.text is not None and "text" in sticker_answer.text
    [unknown] = await shop.say(buyer, "/frobnicate")
    assert unknown.text is not None and "/frobnicate" in unknown.text


@pytest.mark.parametrize("forged", ["1:prod:abc", "9:prod:1", "1:line:x:del", "garbage"])
async def test_a_forged_button_is_refused_politely(shop: Shop, forged: str) -> None:
    buyer = shop.buyer()
    [results] = await shop.say(buyer, "mug")
    assert results.record.markup is not None
    results.record.markup.rows[0][0]["callback_data"] = forged
    answer = await buyer.press(results, (0, 0), timeout=10)
    assert answer is not None and answer.text is not None and "expired" in answer.text


async def test_a_product_that_does_not_exist_is_no_longer_available(shop: Shop) -> None:
    buyer = shop.buyer()
    [results] = await shop.say(buyer, "mug")
    assert results.record.markup is not None
    results.record.markup.rows[0][0]["callback_data"] = "1:prod:999999999"
    answer = await buyer.press(results, (0, 0), timeout=10)
    assert answer is not None and answer.text is not None and "no longer available" in answer.text
