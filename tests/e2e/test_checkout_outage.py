"""A checkout question Telegram failed to take still reaches the buyer (it is owed, not sent
and forgotten): the Bot API answers 502 once for the buyer's chat, right after they answer."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Shop

pytestmark = pytest.mark.slow


async def test_a_checkout_question_lost_to_a_bot_api_outage_comes_once_it_is_back(
    shop: Shop,
) -> None:
    buyer = shop.buyer()
    [results] = await shop.say(buyer, "enamel camping mug")
    card = await shop.press(buyer, results, "1")
    card = await shop.press(buyer, card, "Red")
    await shop.press(buyer, card, "Add to cart")
    [first] = await shop.say(buyer, "/checkout")
    assert first.text is not None and "step 1 of" in first.text

    outage = shop.standin.inject_fault("sendMessage", status=502, chat=buyer.chat)
    await buyer.send("United States")
    asked = await buyer.chat.wait_for(lambda m: "step 2 of" in (m.text or ""), timeout=20)

    assert outage.hits == 1  # the first try was refused; the question came with the retry
    assert asked.text is not None and "Who receives the parcel?" in asked.text
    sent = [m.text for m in buyer.chat.bot_messages if m.text]
    assert not any("went wrong" in text for text in sent), sent
    answers = await shop.say(buyer, "Ana Lima")  # and the checkout carries on from there
    assert any("step 3 of" in (m.text or "") for m in answers), [m.text for m in answers]
