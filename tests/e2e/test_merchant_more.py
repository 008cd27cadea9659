"""The merchant's side end to end, continued: two shops in two languages and currencies, Cancel
and refund through the sandbox provider, and the outbox surviving a restart through 429s and 5xx.

The real PTB Application polls the Bot API stand-in; payments arrive the way the web server
hands them in (a verified sandbox event put on the Application's update queue), so the paid
notice and the buyer's messages go through the real settlement and the outbox.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import ShopApplication, build_application
from bot.database import SessionFactory, session_factory, transaction
from bot.pending_work import watch_bot
from bot.runner import polling
from bot.services import Services
from bot.settings import DEMO_TOKEN, load_settings
from bot.standin.driver import Chat, Message, User
from bot.standin.server import StandIn
from catalog.models import Merchant, Variant
from conversation.views.merchant import buyer_news, refunded
from db import utcnow
from handlers.payment_updates import PaymentUpdate
from i18n import translator
from merchants.desk import BuyerNews
from merchants.payment_providers import PaymentDirectory
from merchants.settings import change_settings, settings_of
from merchants.signup import issue_claim_code
from money.formatting import format_money
from orders import cart
from orders.customers import identify_buyer
from orders.models import Order, OrderStatus
from orders.placement import PlacedOrder, place_orders
from payments import CheckoutLine, CheckoutRequest, SandboxProvider, open_checkout, verify_webhook
from tests.orders.factories import quoter, ready_draft, seed_shop

pytestmark = pytest.mark.slow
TIMEOUT = 40
SANDBOX_SECRET = "e2e-merchant-sandbox-secret"
BASE_URL = "http://127.0.0.1:9"  # never opened: the test pays by posting the signed event itself


@dataclass
class Variants:
    mug: int  # Mugs & Co, USD
    teapot: int  # Tea House, CNY


@dataclass
class World:
    standin: StandIn
    services: Services
    sandbox: SandboxProvider
    variants: Variants
    ana: User  # the buyer, in German, paying in EUR
    mia: User  # Mugs & Co's staff
    bob: User  # in the Mugs & Co group, not staff
    li: User  # Tea House's staff
    mugs_group: Chat
    tea_group: Chat
    application: ShopApplication | None = None
    _stack: AsyncExitStack = field(default_factory=AsyncExitStack)

    @property
    def sessions(self) -> SessionFactory:
        return self.services.sessions

    async def start_bot(self) -> None:
        """A new bot process on the same database and stand-in."""
        services = replace(self.services, payments=PaymentDirectory(sandbox=self.sandbox))
        application = build_application(services, token=DEMO_TOKEN, api_url=self.standin.api_url)
        self._stack.callback(watch_bot(self.standin, services.sessions))  # while it runs
        await self._stack.enter_async_context(polling(application))
        self.application = application

    async def stop_bot(self) -> None:
        await self._stack.aclose()
        self._stack = AsyncExitStack()
        self.application = None


@pytest.fixture
async def world(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(telegram_token=DEMO_TOKEN, fx_refresh_hours=0)
    services = Services(settings=settings, sessions=session_factory(engine))
    async with transaction(services.sessions) as session:
        shop = await seed_shop(session)
        # Mugs & Co runs its shop in German, Tea House in Chinese.
        for merchant, language in ((shop.usd_merchant, "de"), (shop.cny_merchant, "zh_Hans")):
            change_settings(await settings_of(session, merchant), language=language)
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN, username="chatshop_test_bot")
        mia = standin.user("Mia", language_code="en", username="mia")
        bob = standin.user("Bob", language_code="en")
        li = standin.user("Li", language_code="zh")
        ana = standin.user("Ana", language_code="de")
        mugs_group = standin.group("Mugs orders", members={mia: "administrator", bob: "member"},
                                   bot_status="administrator")  # fmt: skip
        tea_group = standin.group("Tea orders", members={li: "administrator"},
                                  bot_status="administrator")  # fmt: skip
        world = World(
            standin, services, SandboxProvider(SANDBOX_SECRET, BASE_URL),
            Variants(shop.mug_red, shop.teapot), ana, mia, bob, li, mugs_group, tea_group,
        )  # fmt: skip
        await world.start_bot()
        try:
            yield world
        finally:
            await world.stop_bot()


async def set_up(world: World) -> None:
    await world.ana.send("/start")  # a buyer has talked to the bot before buying
    await world.ana.chat.wait_for(timeout=TIMEOUT)
    for user, group, slug in ((world.mia, world.mugs_group, "mugs"),
                              (world.li, world.tea_group, "tea")):  # fmt: skip
        async with transaction(world.sessions) as session:
            merchant = await session.scalar(select(Merchant.id).where(Merchant.slug == slug))
            assert merchant is not None
            code = await issue_claim_code(session, merchant_id=merchant)
        before = len(group.bot_messages)
        await user.send(f"/setup {slug} {code}", group)

        def answered(_: object, g: Chat = group, n: int = before) -> bool:
            return len(g.bot_messages) > n

        await group.wait_for(answered, timeout=TIMEOUT)


async def place(world: World, *variants: int) -> list[PlacedOrder]:
    """Ana puts one of each variant in her cart and checks out: one order per shop."""
    async with transaction(world.sessions) as session:
        buyer = await identify_buyer(
            session, telegram_user_id=world.ana.id, locale="de", currency="EUR"
        )
        for variant in variants:
            await cart.add_to_cart(session, customer_id=buyer.customer_id, variant_id=variant)
        result = await place_orders(
            session, customer_id=buyer.customer_id, draft=ready_draft(), buyer_currency="EUR",
            quoter=quoter(utcnow()), now=utcnow(), ttl=timedelta(minutes=30), language="de",
        )  # fmt: skip
    return list(result.orders)


async def pay(world: World, order: PlacedOrder) -> None:
    """The sandbox's signed `paid` event, verified and handed to the running bot."""
    request = CheckoutRequest(
        order_number=order.number, amount=order.charge,
        lines=[CheckoutLine(f"Order {order.number}", 1, order.charge)],
        expires_at=utcnow() + timedelta(minutes=30), success_url=f"{BASE_URL}/ok",
        cancel_url=f"{BASE_URL}/cancel", locale="de",
    )  # fmt: skip
    link = await open_checkout(world.sessions, world.sandbox, request, now=utcnow())
    headers, body = world.sandbox.signed_event(link.url.rsplit("/", 1)[1], "paid")
    async with transaction(world.sessions) as session:
        event = await verify_webhook(session, world.sandbox, headers, body, now=utcnow())
    update = PaymentUpdate(event, chat_id=world.ana.id)
    assert world.application is not None
    await world.application.update_queue.put(update)
    await asyncio.wait_for(update.done, TIMEOUT)


def about(number: str) -> Callable[[Message], bool]:
    return lambda m: number in (m.text or "")


def mentioning(chat: Chat, number: str) -> list[Message]:
    return [m for m in chat.bot_messages if number in (m.text or "")]


async def test_two_shops_each_see_only_their_own_order_in_their_language_and_currency(
    world: World,
) -> None:
    await set_up(world)
    mugs_order, tea_order = sorted(
        await place(world, world.variants.mug, world.variants.teapot),
        key=lambda o: o.total.currency != "USD",
    )
    for order in (mugs_order, tea_order):
        await pay(world, order)

    mugs = await world.mugs_group.wait_for(about(mugs_order.number), timeout=TIMEOUT)
    tea = await world.tea_group.wait_for(about(tea_order.number), timeout=TIMEOUT)
    await world.standin.settle()

    de, zh = translator("de"), translator("zh_Hans")
    assert de.gettext("Order {number}").format(number=mugs_order.number) in (mugs.text or "")
    assert zh.gettext("Order {number}").format(number=tea_order.number) in (tea.text or "")
    assert format_money(mugs_order.total, "de") in (mugs.text or "")  # USD, German style
    assert format_money(tea_order.total, "zh_Hans") in (tea.text or "")  # CNY, Chinese style
    assert format_money(mugs_order.buyer_total, "de") in (mugs.text or "")  # EUR beside
    assert [label for label, _ in mugs.buttons[0]] == [de.gettext("✅ Accept")]
    assert [label for label, _ in tea.buttons[0]] == [zh.gettext("✅ Accept")]
    # Nothing of the other shop's order in either chat, and each notice exactly once.
    assert mentioning(world.mugs_group, tea_order.number) == []
    assert mentioning(world.tea_group, mugs_order.number) == []
    # Lines in each shop's language with their SKUs (Mugs & Co's notices are German, Tea
    # House's Chinese), whatever the buyer read.
    assert "Tasse" in (mugs.text or "") and "Clay teapot" not in (mugs.text or "")
    assert "紫砂壶 · SKU TP-1" in (tea.text or "") and "Tasse" not in (tea.text or "")
    assert len(mentioning(world.mugs_group, mugs_order.number)) == 1
    assert len(mentioning(world.tea_group, tea_order.number)) == 1
    # Tea House's staff cannot act on Mugs & Co's order, even holding its button's payload.
    refused = await world.li.press(mugs, (0, 0), timeout=TIMEOUT)
    assert refused is not None and refused.text
    async with transaction(world.sessions) as session:
        stored = await session.get(Order, mugs_order.order_id)
        assert stored is not None and stored.status == OrderStatus.PAID.value


async def test_staff_cancel_and_refund_a_paid_order_and_the_buyer_is_told_once(
    world: World,
) -> None:
    await set_up(world)
    [order] = await place(world, world.variants.mug)
    async with transaction(world.sessions) as session:
        variant = await session.get(Variant, world.variants.mug)
        assert variant is not None
        stock_placed = variant.stock
    await pay(world, order)
    notice = await world.mugs_group.wait_for(about(order.number), timeout=TIMEOUT)
    de = translator("de")
    cancel = de.gettext("↩️ Cancel and refund")
    assert [label for label, _ in notice.buttons[1]] == [cancel]

    refused = await world.bob.press(notice, cancel, timeout=TIMEOUT)
    assert refused is not None and refused.text  # not staff: no confirmation offered
    before = len(world.mugs_group.bot_messages)
    await world.mia.press(notice, cancel, timeout=TIMEOUT)
    confirm = await world.mugs_group.wait_for(
        lambda m: len(world.mugs_group.bot_messages) > before and bool(m.buttons), TIMEOUT
    )
    assert format_money(order.charge, "de") in (confirm.text or "")
    # A double press of the confirmation: both are queued before the bot handles either.
    first, replayed = await asyncio.gather(
        world.mia.press(confirm, (0, 0), timeout=TIMEOUT),
        world.mia.press(confirm, (0, 0), timeout=TIMEOUT),
    )
    await world.mugs_group.wait_for(
        lambda m: m == notice and format_money(order.charge, "de") in (m.text or "")
        and not m.buttons, TIMEOUT,
    )  # fmt: skip
    news = BuyerNews(order.number, OrderStatus.REFUNDED, "Mugs & Co", None, None,
                     refunded=order.charge)  # fmt: skip
    told = html.unescape(buyer_news(de, news).text)  # as the chat shows the HTML
    await world.ana.chat.wait_for(lambda m: m.text == told, timeout=TIMEOUT)
    await world.standin.settle()

    assert first is not None and replayed is not None
    answers = {html.unescape(refunded(de, order.number, changed).notice or "")
               for changed in (True, False)}  # fmt: skip
    assert {first.text, replayed.text} == answers  # one refunded, the other found it done
    assert [m.text for m in world.ana.chat.bot_messages].count(told) == 1
    heading = de.gettext("Order {number}").format(number=order.number)
    notices = [m for m in world.mugs_group.bot_messages if (m.text or "").startswith(heading)]
    assert notices == [notice]  # edited in place, never sent again
    async with transaction(world.sessions) as session:
        stored = await session.scalar(select(Order).where(Order.number == order.number))
        variant = await session.get(Variant, world.variants.mug)
    assert stored is not None and stored.status == OrderStatus.REFUNDED.value
    assert variant is not None and variant.stock == stock_placed + 1  # back on the shelf


async def test_a_restart_in_the_middle_of_delivery_through_429s_and_5xx_delivers_once(
    world: World,
) -> None:
    await set_up(world)
    orders = [(await place(world, world.variants.mug))[0] for _ in range(3)]
    await pay(world, orders[0])
    await world.mugs_group.wait_for(about(orders[0].number), timeout=TIMEOUT)
    # Telegram's front falls over for the shop's chat while the next two are paid.
    outage = world.standin.inject_fault("sendMessage", status=502, times=None,
                                        chat=world.mugs_group)  # fmt: skip
    for order in orders[1:]:
        await pay(world, order)
    for _ in range(TIMEOUT * 10):  # the bot is trying (and failing) to deliver them
        if outage.hits >= 1:
            break
        await asyncio.sleep(0.1)
    assert outage.hits >= 1

    await world.stop_bot()  # mid-delivery: the notices wait in the outbox, in backoff
    world.standin.faults.remove(outage)
    world.standin.inject_fault("sendMessage", status=429, retry_after=1, times=2,
                               chat=world.mugs_group)  # fmt: skip
    world.standin.inject_fault("sendMessage", status=500, times=2, chat=world.mugs_group)
    await world.start_bot()

    for order in orders[1:]:
        await world.mugs_group.wait_for(about(order.number), timeout=TIMEOUT * 2)
    await world.standin.settle()

    assert [len(mentioning(world.mugs_group, o.number)) for o in orders] == [1, 1, 1]
    # The buyer's payment confirmations, sent beside them, arrived once each as well.
    assert [len(mentioning(world.ana.chat, o.number)) for o in orders] == [1, 1, 1]
