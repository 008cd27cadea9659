"""Issue 5's whole journey through the real bot: from a typo'd search to orders awaiting payment.

A buyer searches with typos, picks a variant, adds products of both demo shops, edits the cart
in plain words, checks out with an address, and gets one order per shop with the right totals,
in English, Chinese and Arabic and three currencies. A restart of the bot in the middle of the
checkout resumes at the same step.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import selectinload

from bot.database import session_factory, transaction
from bot.demo.seed import seed_demo_catalog
from bot.services import Services
from bot.settings import DEMO_TOKEN, load_settings
from bot.standin.driver import Message, User
from bot.standin.server import StandIn
from catalog.models import Merchant
from orders.customers import Customer
from orders.models import Order, OrderStatus
from tests.e2e.conftest import Shop, bot_running

pytestmark = pytest.mark.slow

ADDRESS = ["US", "Ana Silva", "+1 212 555 0143", "5 Main Street", "New York", "NY", "10001"]


async def press(shop: Shop, user: User, message: Message, prefix: str, nth: int = 0) -> Message:
    """Presses the `nth` button whose payload starts with `prefix` (language-independent)."""
    found = [
        (r, c)
        for r, row in enumerate(message.buttons)
        for c, (_, data) in enumerate(row)
        if data and data.startswith(prefix)
    ]
    assert len(found) > nth, f"no {prefix!r} button on {message.text!r}: {message.buttons}"
    await user.press(message, found[nth], timeout=15)
    await shop.standin.settle()
    last = user.chat.last
    assert last is not None
    return last


async def add_from(shop: Shop, buyer: User, query: str, merchant: str) -> None:
    """Searches, opens results until one is `merchant`'s, picks the first variant, adds it."""
    [results] = await shop.say(buyer, query)
    for nth in range(8):
        card = await press(shop, buyer, results, "1:prod:", nth)
        if card.text and merchant in card.text:
            break
    else:
        raise AssertionError(f"no product of {merchant} for {query!r}")
    card = await press(shop, buyer, card, "1:opt:")  # the first colour
    await press(shop, buyer, card, "1:add:")


async def answer_checkout(shop: Shop, buyer: User, answers: list[str]) -> None:
    for text in answers:
        await shop.say(buyer, text)


@pytest.mark.parametrize(
    ("language_code", "currency", "make_three"),
    [
        ("en", "USD", "make the mug 3"),
        ("zh-hans", "CNY", "杯改成3个"),
        ("ar-SA", "SAR", "اجعل الكوب 3"),
    ],
)
async def test_from_typos_to_two_orders_awaiting_payment(
    shop: Shop, language_code: str, currency: str, make_three: str
) -> None:
    buyer = shop.buyer("Ana", language_code=language_code)
    await add_from(shop, buyer, "enamel camping mugg", "Northwind Goods")
    await add_from(shop, buyer, "bone conduction headphnes", "Lotus Bazaar")

    await shop.say(buyer, make_three)
    [cart] = await shop.say(buyer, "/cart")
    assert cart.text is not None and "× 3" in cart.text, cart.text

    await press(shop, buyer, cart, "1:co")
    await answer_checkout(shop, buyer, ADDRESS)
    summary = buyer.chat.last
    assert summary is not None
    summary = await press(shop, buyer, summary, "1:step:")  # don't remember / first choice
    await press(shop, buyer, summary, "1:step:summary:")  # confirm

    async with transaction(shop.services.sessions) as session:
        customer = await session.scalar(
            select(Customer).where(Customer.telegram_user_id == buyer.id)
        )
        assert customer is not None
        orders = (
            await session.scalars(
                select(Order)
                .where(Order.customer_id == customer.id)
                .options(selectinload(Order.lines))
            )
        ).all()
        merchants = {m.id: m.slug for m in await session.scalars(select(Merchant))}
    assert sorted(merchants[o.merchant_id] for o in orders) == ["demo-cn", "demo-us"]
    for order in orders:
        assert order.status == OrderStatus.AWAITING_PAYMENT.value
        assert order.buyer_currency == currency
        lines = sum(line.quantity * line.unit_price_minor for line in order.lines)
        assert order.subtotal_minor == lines
        assert order.total_minor == order.subtotal_minor + order.shipping_minor
        if merchants[order.merchant_id] == "demo-us":
            assert [line.quantity for line in order.lines] == [3]
    # "Order placed, press Pay" is owed through the outbox: it may arrive just after the press.
    for number in {o.number for o in orders}:

        def names_it(message: Message, number: str = number) -> bool:
            return number in (message.text or "")

        await buyer.chat.wait_for(names_it, timeout=15)


async def test_a_restart_in_the_middle_of_checkout_resumes_at_the_same_step(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHATSHOP_DATABASE_URL", raising=False)
    settings = load_settings(telegram_token=DEMO_TOKEN, fx_refresh_hours=0)
    first = Services(settings=settings, sessions=session_factory(engine))
    await seed_demo_catalog(first.sessions)
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN)
        shop = Shop(standin, first)
        buyer = shop.buyer("Ana")
        async with bot_running(standin, first):
            await add_from(shop, buyer, "enamel camping mugg", "Northwind Goods")
            [cart] = await shop.say(buyer, "/cart")
            await press(shop, buyer, cart, "1:co")
            await answer_checkout(shop, buyer, ADDRESS[:3])  # country, name and phone
        # A new process: nothing in memory survives, only the database.
        second = Services(settings=settings, sessions=session_factory(engine))
        shop = Shop(standin, second)
        async with bot_running(standin, second):
            [*_, question] = await shop.say(buyer, ADDRESS[3])  # the street, as asked before
            assert question.text is not None and "step 5 of 7" in question.text, question.text
            await answer_checkout(shop, buyer, ADDRESS[4:])
            summary = buyer.chat.last
            assert summary is not None and summary.text is not None
            assert "Enamel Camping Mug" in summary.text or "Remember" in summary.text
