"""'Compare the two mugs': the last result list's products side by side, prices read anew."""

from __future__ import annotations

from bot.database import SessionFactory, transaction
from conversation.views.assistant import assistant_reply
from i18n import translator
from money import Money
from storefront.assistant import Answer, understand_and_answer
from storefront.intents import Intent, Understood, classify
from storefront.search import search_products
from storefront.search_index import LiveSearchIndex
from tests.conversation.test_assistant import _demo
from tests.conversation.test_views_search import actions, offer
from tests.storefront.factories import MAX_AGE, NOW


def test_comparisons_are_understood_in_every_language() -> None:
    for message in ("compare 1 and 3", "比较一下这两个杯子", "сравни 1 и 2", "قارن بين 1 و 2"):
        assert classify(message).intent is Intent.COMPARE, message
    assert classify("red mug").intent is Intent.SEARCH


async def test_the_named_numbers_of_the_last_list_or_its_first_two(
    sessions: SessionFactory,
) -> None:
    buyer = (await _demo(sessions))["en"]
    index = LiveSearchIndex()

    async def ask(text: str) -> Answer:
        async with transaction(sessions) as session:
            return await understand_and_answer(
                session, index, text=text, buyer=buyer, max_rate_age=MAX_AGE, now=NOW
            )

    assert (await ask("compare the two mugs")).compared == ()  # nothing searched yet
    async with transaction(sessions) as session:
        listed = await search_products(
            session, index, text="mug", buyer=buyer, max_rate_age=MAX_AGE, now=NOW
        )
    assert len(listed.offers) >= 3
    first_two = await ask("compare the two mugs")
    assert [(n, o.product_id) for n, o in first_two.compared] == [
        (1, listed.offers[0].product_id),
        (2, listed.offers[1].product_id),
    ]
    named = await ask("which is better, 3 or 1?")
    assert [n for n, _ in named.compared] == [3, 1]
    assert named.compared[0][1].product_id == listed.offers[2].product_id


def test_the_view_lists_the_same_facts_for_each_and_names_the_cheapest() -> None:
    t = translator("de")
    compared = (
        (1, offer(11, "Red mug", price=Money.of("12.00", "EUR"))),
        (2, offer(12, "Blue mug", price=Money.of("9.50", "EUR"), in_stock=False)),
    )
    reply = assistant_reply(t, Answer(Understood(Intent.COMPARE), compared=compared))
    assert "Red mug" in reply.text and "Blue mug" in reply.text
    assert reply.text.count("Mugs") == 2  # each one's shop
    assert "Nummer 2" in reply.text  # the cheapest
    assert [(a.action, a.int(0)) for a in actions(reply)] == [("prod", 11), ("prod", 12)]
    alone = assistant_reply(t, Answer(Understood(Intent.COMPARE)))
    assert not alone.buttons and "<i>" in alone.text
