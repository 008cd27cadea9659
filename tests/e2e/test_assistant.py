"""The shopping assistant through the real bot: a greeting is greeted (never "did you mean"), a
question to a shop before buying reaches its group and the staff's reply reaches the buyer, a
photo's caption is read as words, and a photo without one gets a helpful answer.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.standin.driver import Message
from tests.e2e.test_merchant import TIMEOUT, MerchantWorld, set_up
from tests.e2e.test_questions import button, has_button

pytestmark = pytest.mark.slow


def said(*words: str) -> Callable[[Message], bool]:
    return lambda m: all(word in (m.text or "") for word in words)


async def test_a_question_before_buying_reaches_the_shop_and_its_answer_the_buyer(
    world: MerchantWorld,
) -> None:
    await set_up(world)  # Ana (German) has no order; the demo-us shop has a group now
    await world.ana.send("Hallo!")
    hello = await world.ana.chat.wait_for(timeout=TIMEOUT)
    assert "Hallo" in (hello.text or "") and "meinten" not in (hello.text or "")

    await world.ana.send("Ich möchte mit einem Mitarbeiter sprechen")
    shops = await world.ana.chat.wait_for(has_button("1:askm:"), TIMEOUT)
    await world.ana.press(shops, button(shops, "1:askm:"), TIMEOUT)
    await world.ana.chat.wait_for(has_button("1:ask:0"), TIMEOUT)  # the prompt, with Cancel
    await world.ana.send("Gibt es die Emaille-Tasse auch in Rot?")
    question = await world.group.wait_for(said("before ordering"), TIMEOUT)
    assert "Gibt es die Emaille-Tasse auch in Rot?" in (question.text or "")
    assert "German (de)" in (question.text or "")

    await world.standin.settle()
    await world.mia.send("Ja, in Rot und Blau.", world.group, reply_to=question)
    await world.group.wait_for(said("Sent to the buyer"), TIMEOUT)
    answer = await world.ana.chat.wait_for(said("Ja, in Rot und Blau."), TIMEOUT)
    assert "beantwortet" in (answer.text or "") or "antwortet" in (answer.text or "")


async def test_a_photo_caption_is_read_and_a_bare_photo_gets_an_answer(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    await world.ana.send_photo(caption="rote Tasse")
    found = await world.ana.chat.wait_for(has_button("1:prod:"), TIMEOUT)
    assert "becher" in (found.text or "") and "pfanne" not in (found.text or "")
    await world.ana.send_photo()
    await world.ana.chat.wait_for(said("Foto", "rote Tasse"), TIMEOUT)
