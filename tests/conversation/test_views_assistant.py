"""The assistant's answers as pure functions: shipping from the shops' rules, why a list is not
exactly what was asked, whose product each line is, a way back from a card."""

from __future__ import annotations

import pytest

from conversation import callbacks
from conversation.views.assistant import assistant_reply
from conversation.views.search import search_results
from i18n import SHIPPED_LOCALES, translator
from money import Money
from money.formatting import format_money
from storefront.assistant import Answer, ShippingTerms, ShopToAsk
from storefront.intents import Intent, Understood
from storefront.search import SearchOutcome
from tests.conversation.test_views_search import offer


def test_shipping_to_a_named_country_per_shop() -> None:
    t = translator("de")
    terms = (
        ShippingTerms("Mugs & Co", "BR", Money.of("9.90", "USD"), Money.of("50", "USD")),
        ShippingTerms("Tea House", "BR", None),
    )
    reply = assistant_reply(t, Answer(Understood(Intent.SHIPPING, country="BR"), shipping=terms))
    assert "Brasilien" in reply.text and "Mugs &amp; Co" in reply.text
    assert format_money(Money.of("9.90", "USD"), "de") in reply.text
    assert format_money(Money.of("50", "USD"), "de") in reply.text
    assert "liefert nicht dorthin" in reply.text


def test_shipping_rules_without_a_country_and_a_question_of_time() -> None:
    t = translator("en")
    terms = (
        ShippingTerms("Mugs & Co", "US", Money.of("0", "USD")),
        ShippingTerms("Mugs & Co", "*", Money.of("15", "USD")),
    )
    understood = Understood(Intent.SHIPPING, topic="time")
    text = assistant_reply(t, Answer(understood, shipping=terms)).text
    assert "United States: free" in text and "everywhere else" in text
    assert "tracking number" in text
    assert "not set their delivery costs" in assistant_reply(t, Answer(understood)).text


def test_a_person_is_reached_through_a_button_per_shop() -> None:
    t = translator("ru")
    shops = (ShopToAsk(1, "Mugs & Co"), ShopToAsk(2, "Tea House"))
    reply = assistant_reply(t, Answer(Understood(Intent.HUMAN), shops=shops))
    pressed = [callbacks.decode(b.action) for row in reply.buttons for b in row if b.action]
    assert [(p.action, p.int(0)) for p in pressed] == [("askm", 1), ("askm", 2)]
    alone = assistant_reply(t, Answer(Understood(Intent.RETURNS)))
    assert not alone.buttons and "/orders" in alone.text


@pytest.mark.parametrize("intent", [Intent.GREETING, Intent.THANKS, Intent.GOODBYE])
def test_chit_chat_gets_a_reply_never_did_you_mean(intent: Intent) -> None:
    for locale in ("en", "zh_Hans", "ar"):
        reply = assistant_reply(translator(locale), Answer(Understood(intent)))
        assert reply.text and not reply.buttons and "cuello" not in reply.text


@pytest.mark.parametrize(
    ("relaxed", "words"),
    [("budget", "within that price"), ("colour", "other colours"), ("related", "mention it")],
)
def test_a_relaxed_list_says_why(relaxed: str, words: str) -> None:
    outcome = SearchOutcome("red <mug>", (offer(1),), relaxed=relaxed)  # type: ignore[arg-type]
    text = search_results(translator("en"), outcome).text
    assert words in text and "<b>red &lt;mug&gt;</b>" in text
    for locale in SHIPPED_LOCALES:  # the query is filled in, in every language
        text = search_results(translator(locale), outcome).text
        assert "red &lt;mug&gt;" in text and "{query}" not in text


def test_two_shops_in_one_list_name_their_shop_and_one_shop_does_not() -> None:
    t = translator("en")
    mixed = (offer(1, "Mug", merchant_name="Mugs"), offer(2, "Mug", merchant_id=2,
                                                          merchant_name="Tea <House>"))  # fmt: skip
    text = search_results(t, SearchOutcome("mug", mixed)).text
    assert "· Mugs" in text and "· Tea &lt;House&gt;" in text
    assert "·" not in search_results(t, SearchOutcome("mug", (offer(1, "Mug"),))).text


def test_a_question_mark_does_not_end_in_two_marks() -> None:
    text = search_results(translator("en"), SearchOutcome("do you sell laptops?")).text
    assert "laptops</b>." in text and "?." not in text
