"""Questions about an order: only the buyer's own, to that order's shop, and a staff member's
reply to the notice back to the buyer; nobody else's reply, chat or order gets through."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from conversation.views.merchant import render as render_notice
from conversation.views.questions import render
from db import utcnow
from merchants import questions
from merchants.desk import owe_paid_notice
from merchants.questions import QuestionNotice, QuestionRefusal, QuestionRefused, ShopAnswer
from merchants.settings import settings_of
from orders.customers import Customer
from orders.dialog import DialogKey, load_dialog, save_dialog
from outbox import OutboxMessage, claim, enqueue, mark_sent
from tests.merchants.factories import (
    BUYER,
    MUGS_CHAT,
    MUGS_STAFF,
    STRANGER,
    TEA_CHAT,
    TEA_STAFF,
    Shops,
    two_shops_with_paid_orders,
)
from tests.orders.factories import make_customer

CHANNEL = "telegram"
KEY: DialogKey = {"channel": CHANNEL, "chat_id": BUYER, "user_id": BUYER}
_message_ids = itertools.count(500)


async def buyer_id(sessions: SessionFactory, telegram_user_id: int = BUYER) -> int:
    async with transaction(sessions) as session:
        found = await session.scalar(
            select(Customer.id).where(Customer.telegram_user_id == telegram_user_id)
        )
    assert found is not None
    return found


async def start(sessions: SessionFactory, order_id: int, customer_id: int) -> questions.Asking:
    async with transaction(sessions) as session:
        return await questions.start_question(
            session, **KEY, customer_id=customer_id, order_id=order_id, now=utcnow()
        )


async def ask(
    sessions: SessionFactory, customer_id: int, text: str, message_id: int = 77
) -> questions.Asked | None:
    """The buyer's text, and the notice enqueued as the handler enqueues it."""
    async with transaction(sessions) as session:
        asked = await questions.ask(
            session, **KEY, customer_id=customer_id, message_id=message_id, text=text,
            now=utcnow(),
        )  # fmt: skip
        if asked is not None:
            await enqueue(
                session, dedupe_key=asked.owed.dedupe_key, chat_id=asked.owed.chat_id,
                reply=render(asked.owed),
            )  # fmt: skip
    return asked


async def deliver_all(sessions: SessionFactory) -> None:
    """What the sender does: every owed message sent, Telegram's message id recorded."""
    while True:
        async with transaction(sessions) as session:
            batch = await claim(session, now=utcnow(), lease=timedelta(minutes=1))
            for message in batch:
                await mark_sent(session, message, message_id=next(_message_ids), now=utcnow())
        if not batch:
            return


async def sent_id(sessions: SessionFactory, dedupe_key: str) -> int:
    async with transaction(sessions) as session:
        found = await session.scalar(
            select(OutboxMessage.sent_message_id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
    assert found is not None
    return found


async def reply(
    sessions: SessionFactory, replied: int, text: str, *, chat: int = MUGS_CHAT,
    user: int = MUGS_STAFF, message_id: int = 900,
) -> questions.Answered | None:  # fmt: skip
    async with transaction(sessions) as session:
        return await questions.answer(
            session, chat_id=chat, user_id=user, replied_message_id=replied,
            message_id=message_id, text=text,
        )  # fmt: skip


@pytest.fixture
async def shops(sessions: SessionFactory) -> Shops:
    return await two_shops_with_paid_orders(sessions, locale="de")


async def test_a_question_reaches_the_orders_shop_marked_with_number_and_language(
    sessions: SessionFactory, shops: Shops
) -> None:
    customer = await buyer_id(sessions)
    asking = await start(sessions, shops.order_ids["mugs"], customer)
    assert (asking.number, asking.merchant_name) == (shops.orders["mugs"], "Mugs & Co")

    asked = await ask(sessions, customer, "  Can you <b>gift-wrap</b> it?  ")
    assert asked is not None
    owed = asked.owed
    assert (owed.chat_id, owed.locale) == (MUGS_CHAT, "en")  # the shop's chat and language
    assert isinstance(owed.content, QuestionNotice)
    assert owed.content.text == "Can you <b>gift-wrap</b> it?"
    text = render(owed).text
    assert shops.orders["mugs"] in text and "German (de)" in text
    assert "&lt;b&gt;gift-wrap&lt;/b&gt;" in text and "<b>gift-wrap" not in text
    assert "Reply to this message" in text

    # Asked once: the next text is not a question any more.
    assert await ask(sessions, customer, "hello again", message_id=78) is None


async def test_the_same_buyer_message_owes_one_notice(
    sessions: SessionFactory, shops: Shops
) -> None:
    customer = await buyer_id(sessions)
    await start(sessions, shops.order_ids["mugs"], customer)
    first = await ask(sessions, customer, "Is it dishwasher safe?", message_id=42)
    await start(sessions, shops.order_ids["mugs"], customer)
    replayed = await ask(sessions, customer, "Is it dishwasher safe?", message_id=42)
    assert first is not None and replayed is not None
    assert first.owed.dedupe_key == replayed.owed.dedupe_key
    async with transaction(sessions) as session:
        rows = await session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == first.owed.dedupe_key)
        )
        assert len(list(rows)) == 1


@pytest.mark.parametrize("order_id", [0, 10**30, -5])
async def test_no_question_about_a_forged_order_id(
    sessions: SessionFactory, shops: Shops, order_id: int
) -> None:
    with pytest.raises(QuestionRefused) as refused:
        await start(sessions, order_id, await buyer_id(sessions))
    assert refused.value.refusal is QuestionRefusal.NOT_FOUND


async def test_no_question_about_another_buyers_order(
    sessions: SessionFactory, shops: Shops
) -> None:
    async with transaction(sessions) as session:
        other = await make_customer(session, 6006)
    with pytest.raises(QuestionRefused) as refused:
        await start(sessions, shops.order_ids["mugs"], other)
    assert refused.value.refusal is QuestionRefusal.NOT_FOUND
    async with transaction(sessions) as session:
        stored = await load_dialog(session, channel=questions.question_channel(CHANNEL),
                                   chat_id=BUYER, user_id=BUYER)  # fmt: skip
    assert stored is None


async def test_a_shop_without_a_chat_cannot_be_asked(
    sessions: SessionFactory, shops: Shops
) -> None:
    async with transaction(sessions) as session:
        (await settings_of(session, shops.usd_merchant)).notify_chat_id = None
    with pytest.raises(QuestionRefused) as refused:
        await start(sessions, shops.order_ids["mugs"], await buyer_id(sessions))
    assert refused.value.refusal is QuestionRefusal.SHOP_UNREACHABLE


async def test_a_too_long_question_is_refused_and_stays_pending(
    sessions: SessionFactory, shops: Shops
) -> None:
    customer = await buyer_id(sessions)
    await start(sessions, shops.order_ids["mugs"], customer)
    with pytest.raises(QuestionRefused) as refused:
        await ask(sessions, customer, "x" * (questions.TEXT_MAX + 1))
    assert refused.value.refusal is QuestionRefusal.TOO_LONG
    assert await ask(sessions, customer, "Shorter now.") is not None


async def test_asking_keeps_the_checkout_and_the_newer_dialog_wins(
    sessions: SessionFactory, shops: Shops
) -> None:
    customer = await buyer_id(sessions)
    now = utcnow()
    async with transaction(sessions) as session:
        await save_dialog(session, **KEY, step="checkout:name", data={"x": 1}, now=now)
    await start(sessions, shops.order_ids["mugs"], customer)
    async with transaction(sessions) as session:
        checkout = await load_dialog(session, **KEY)
        assert checkout is not None and checkout.step == "checkout:name"  # not discarded
        assert await questions.pending_question(session, **KEY, now=utcnow()) is not None
        # The buyer went on with the checkout after pressing Ask: their text answers that.
        await save_dialog(
            session, **KEY, step="checkout:phone", data={}, now=utcnow() + timedelta(seconds=5)
        )
        assert await questions.pending_question(session, **KEY, now=utcnow()) is None


async def test_a_forgotten_question_lapses(sessions: SessionFactory, shops: Shops) -> None:
    customer = await buyer_id(sessions)
    await start(sessions, shops.order_ids["mugs"], customer)
    later = utcnow() + questions.QUESTION_IDLE + timedelta(minutes=1)
    async with transaction(sessions) as session:
        assert await questions.pending_question(session, **KEY, now=later) is None


async def test_a_staff_reply_to_the_notice_reaches_the_buyer_in_their_language(
    sessions: SessionFactory, shops: Shops
) -> None:
    customer = await buyer_id(sessions)
    await start(sessions, shops.order_ids["mugs"], customer)
    asked = await ask(sessions, customer, "When will it ship?")
    assert asked is not None
    await deliver_all(sessions)
    notice_id = await sent_id(sessions, asked.owed.dedupe_key)

    answered = await reply(sessions, notice_id, " Tomorrow, with <DHL>. ")
    assert answered is not None
    assert (answered.number, answered.language) == (shops.orders["mugs"], "en")
    owed = answered.owed
    assert (owed.chat_id, owed.locale) == (BUYER, "de")  # the buyer's chat and language
    assert owed.content == ShopAnswer(shops.orders["mugs"], "Mugs & Co", "Tomorrow, with <DHL>.")
    text = render(owed).text
    assert "Mugs &amp; Co" in text and "Tomorrow, with &lt;DHL&gt;." in text

    again = await reply(sessions, notice_id, "Tomorrow, with <DHL>.")  # the same update again
    assert again is not None and again.owed.dedupe_key == owed.dedupe_key


async def test_only_staff_replies_to_a_question_notice_pass_and_only_in_its_chat(
    sessions: SessionFactory, shops: Shops
) -> None:
    customer = await buyer_id(sessions)
    await start(sessions, shops.order_ids["mugs"], customer)
    asked = await ask(sessions, customer, "When will it ship?")
    assert asked is not None
    await deliver_all(sessions)
    notice_id = await sent_id(sessions, asked.owed.dedupe_key)

    for user in (STRANGER, TEA_STAFF):
        with pytest.raises(QuestionRefused) as refused:
            await reply(sessions, notice_id, "Soon", user=user)
        assert refused.value.refusal is QuestionRefusal.NOT_STAFF
    # The same message id in another chat is another message: not a question notice.
    assert await reply(sessions, notice_id, "Soon", chat=TEA_CHAT, user=TEA_STAFF) is None
    assert await reply(sessions, notice_id + 1000, "Soon") is None  # any other message


async def test_a_reply_to_an_order_notice_is_not_taken_for_an_answer(
    sessions: SessionFactory, shops: Shops
) -> None:
    async with transaction(sessions) as session:
        notice = await owe_paid_notice(session, order_number=shops.orders["mugs"])
        assert notice is not None
        await enqueue(session, dedupe_key=notice.dedupe_key, chat_id=notice.chat_id,
                      reply=render_notice(notice))  # fmt: skip
    await deliver_all(sessions)
    assert await reply(sessions, await sent_id(sessions, notice.dedupe_key), "DHL 123") is None


def test_the_notices_key_names_its_order() -> None:
    key = questions.question_key(41, 5005, 7)
    assert key.startswith("question:41:") and len(key) <= 200
    assert questions._order_of_key(key) == 41
    assert questions._order_of_key("order:41:merchant-notice") is None
    assert questions._order_of_key("question:x:1:2") is None


async def test_a_question_before_buying_reaches_the_shop_and_its_answer_the_buyer(
    sessions: SessionFactory, shops: Shops
) -> None:
    async with transaction(sessions) as session:
        newcomer = await make_customer(session, 7007)  # no order anywhere
    key: DialogKey = {"channel": CHANNEL, "chat_id": 7007, "user_id": 7007}
    async with transaction(sessions) as session:
        asking = await questions.start_question(
            session, **key, customer_id=newcomer, merchant_id=shops.usd_merchant, now=utcnow()
        )
    assert (asking.order_id, asking.number, asking.merchant_name) == (None, "", "Mugs & Co")
    async with transaction(sessions) as session:
        asked = await questions.ask(
            session, **key, customer_id=newcomer, message_id=31, text=" Is the mug red? ",
            now=utcnow(),
        )  # fmt: skip
        assert asked is not None
        await enqueue(session, dedupe_key=asked.owed.dedupe_key, chat_id=asked.owed.chat_id,
                      reply=render(asked.owed))  # fmt: skip
    assert asked.owed.chat_id == MUGS_CHAT and asked.number == ""
    assert asked.owed.content == QuestionNotice("", "Is the mug red?", "en", 7007)
    assert "before ordering" in render(asked.owed).text
    await deliver_all(sessions)
    notice_id = await sent_id(sessions, asked.owed.dedupe_key)

    with pytest.raises(QuestionRefused) as refused:  # the other shop's staff cannot answer
        await reply(sessions, notice_id, "Yes", user=TEA_STAFF)
    assert refused.value.refusal is QuestionRefusal.NOT_STAFF
    answered = await reply(sessions, notice_id, "Yes, bright red.")
    assert answered is not None and answered.number == ""
    assert (answered.owed.chat_id, answered.owed.locale) == (7007, "en")
    assert answered.owed.content == ShopAnswer("", "Mugs & Co", "Yes, bright red.")
    assert "Mugs &amp; Co answers your question" in render(answered.owed).text


@pytest.mark.parametrize("merchant_id", [0, 10**30, 999_999])
async def test_no_question_before_buying_to_a_shop_that_does_not_exist(
    sessions: SessionFactory, shops: Shops, merchant_id: int
) -> None:
    customer = await buyer_id(sessions)
    with pytest.raises(QuestionRefused) as refused:
        async with transaction(sessions) as session:
            await questions.start_question(
                session, **KEY, customer_id=customer, merchant_id=merchant_id, now=utcnow()
            )
    assert refused.value.refusal is QuestionRefusal.NOT_FOUND
