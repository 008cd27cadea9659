"""The checkout and /orders handlers end to end over a recording bot, on both databases.

A buyer checks out by typing and pressing the buttons the bot sent, gets an order per shop,
opens one and cancels it; another buyer pressing the same buttons gets "expired".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from telegram import ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.database import SessionFactory, transaction
from handlers import checkout, orders
from orders import cart
from orders.customers import Buyer
from orders.models import Order
from tests.handlers import fakes
from tests.orders.factories import make_customer, seed_shop


async def _setup(sessions: SessionFactory) -> tuple[fakes.FakeContext, fakes.FakeContext]:
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        anna = await make_customer(session, 7001)
        bob = await make_customer(session, 7002)
        await cart.add_to_cart(session, customer_id=anna, variant_id=shop.mug_red, quantity=2)
        await cart.add_to_cart(session, customer_id=anna, variant_id=shop.teapot)
    services = fakes.FakeServices(sessions)
    return (
        fakes.FakeContext(fakes.FakeBot(), services, Buyer(anna, 7001, "en", "EUR")),
        fakes.FakeContext(fakes.FakeBot(), services, Buyer(bob, 7002, "en", "EUR")),
    )


def _button(context: fakes.FakeContext, label_part: str, index: int = -1) -> str:
    buttons = context.bot.buttons(index)
    return next(data for label, data in buttons.items() if label_part in label)


async def _statuses(sessions: SessionFactory) -> list[str]:
    async with transaction(sessions) as session:
        return sorted((await session.scalars(select(Order.status))).all())


async def test_a_buyer_checks_out_and_cancels_one_order(sessions: SessionFactory) -> None:
    anna, bob = await _setup(sessions)
    bot = anna.bot
    ctx: Any = anna
    await checkout.start(fakes.text(anna, "/checkout"), ctx)
    assert "step 1 of 6" in bot.sent[-1].text

    # Garbage is refused in words, and the question comes again.
    assert await checkout.answer_text(fakes.text(anna, "🔥🔥🔥"), ctx)
    assert "emoji" in bot.sent[-1].text and "step 1 of 6" in bot.sent[-1].text
    assert await checkout.answer_text(fakes.text(anna, "Germany"), ctx)  # the country first
    assert await checkout.answer_text(fakes.text(anna, "Anna Müller"), ctx)
    # The phone step: the share-contact keyboard, then Back/Cancel in a second message.
    phone_prompt = bot.sent[-2]  # named, so mypy does not carry this narrowing to later sends
    assert isinstance(phone_prompt.markup, ReplyKeyboardMarkup)
    assert set(bot.buttons()) == {"⬅️ Back", "✖️ Cancel"}
    await checkout.not_text(fakes.photo(anna), ctx)
    assert "emoji" in bot.sent[-2].text or "words" in bot.sent[-2].text
    await checkout.contact(fakes.contact(anna, "491701234567"), ctx)
    # The keyboard goes away with an acknowledgement; the address question follows.
    assert isinstance(bot.sent[-2].markup, ReplyKeyboardRemove)
    assert "0170 1234567" in bot.sent[-2].text and "step 4 of 6" in bot.sent[-1].text
    for answer in ["Hauptstraße 5", "Berlin", "10115"]:
        assert await checkout.answer_text(fakes.text(anna, answer), ctx)
    await checkout.step_button(fakes.press(anna, _button(anna, "No, thanks")), ctx)
    assert "Please check your order" in bot.sent[-1].text
    confirm = _button(anna, "Confirm")

    # Bob pressing Anna's Confirm finds no checkout of his: expired, nothing placed.
    await checkout.step_button(fakes.press(bob, confirm), bob)  # type: ignore[arg-type]  # a FakeContext, not a ShopContext
    assert "expired" in bob.bot.sent[-1].text and await _statuses(sessions) == []

    await checkout.step_button(fakes.press(anna, confirm), ctx)
    placed = [sent for sent in bot.sent[-3:] if "is placed" in sent.text]
    assert "2 orders to pay" in bot.sent[-1].text  # then one message listing both
    assert len(placed) == 2 and all("awaiting payment" in sent.text for sent in placed)
    assert await _statuses(sessions) == ["awaiting_payment", "awaiting_payment"]
    # With the checkout over, text is not an answer any more (on_text goes on to search).
    assert not await checkout.answer_text(fakes.text(anna, "red mug"), ctx)

    # /orders, then one order, then Cancel.
    await orders.orders_command(fakes.text(anna, "/orders"), ctx)
    assert "Your orders" in bot.sent[-1].text
    open_order = next(data for data in bot.buttons().values() if data.startswith("1:order:"))
    await orders.order_opened(fakes.press(anna, open_order), ctx)
    cancel = _button(anna, "Cancel this order")

    # Bob forging Anna's buttons: expired, and the order stays as it was.
    await orders.order_opened(fakes.press(bob, open_order), bob)  # type: ignore[arg-type]  # a FakeContext, not a ShopContext
    await orders.order_cancel_asked(fakes.press(bob, cancel), bob)  # type: ignore[arg-type]  # a FakeContext, not a ShopContext
    assert all("expired" in sent.text for sent in bob.bot.sent[-2:])
    assert await _statuses(sessions) == ["awaiting_payment", "awaiting_payment"]

    await orders.order_cancel_asked(fakes.press(anna, cancel), ctx)
    assert "can't be undone" in bot.sent[-1].text  # asked first: nothing changed yet
    assert await _statuses(sessions) == ["awaiting_payment", "awaiting_payment"]
    confirmed = _button(anna, "Yes, cancel it")
    await orders.order_cancel(fakes.press(bob, confirmed), bob)  # type: ignore[arg-type]
    assert "expired" in bob.bot.sent[-1].text
    await orders.order_cancel(fakes.press(anna, confirmed), ctx)
    assert "is cancelled" in bot.sent[-1].text and "Cancel this order" not in bot.buttons()
    assert await _statuses(sessions) == ["awaiting_payment", "cancelled"]


async def test_cancel_and_back_buttons_and_the_cancel_command(sessions: SessionFactory) -> None:
    anna, _bob = await _setup(sessions)
    ctx: Any = anna
    await checkout.start(fakes.press(anna, "1:co"), ctx)
    await checkout.answer_text(fakes.text(anna, "Germany"), ctx)
    await checkout.answer_text(fakes.text(anna, "Anna Müller"), ctx)
    await checkout.step_button(fakes.press(anna, _button(anna, "Back")), ctx)
    assert "step 2 of 6" in anna.bot.sent[-1].text
    await checkout.cancel_command(fakes.text(anna, "/cancel"), ctx)
    assert "cancelled" in anna.bot.sent[-1].text
    await checkout.cancel_command(fakes.text(anna, "/cancel"), ctx)
    assert "nothing to cancel" in anna.bot.sent[-1].text
    async with transaction(sessions) as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 0


async def test_checkout_with_an_empty_cart_starts_nothing(sessions: SessionFactory) -> None:
    _anna, bob = await _setup(sessions)
    ctx: Any = bob
    await checkout.start(fakes.text(bob, "/checkout"), ctx)
    assert "cart is empty" in bob.bot.sent[-1].text
    # No checkout was started: Bob's next words are not taken as a name.
    assert not await checkout.answer_text(fakes.text(bob, "red mug"), ctx)
