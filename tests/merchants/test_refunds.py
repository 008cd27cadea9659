"""Cancel and refund, and Delivered: staff only, confirmed first, refunded once, stock back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import SessionFactory, transaction
from catalog.models import Variant
from conversation.views.merchant import confirm_refund, order_notice, render
from db import utcnow
from i18n import translator
from merchants import desk, refunds
from merchants.desk import Action, BuyerNews, DeskResult, OrderNotice, Refusal
from merchants.refunds import Refunder, RefundFailed, RefundProblem
from merchants.settings import Shop, shop_of
from money import Money
from money.formatting import format_money
from orders.models import Order, OrderLine, OrderStatus
from outbox import OutboxMessage, enqueue
from payments import (
    EventKind,
    PaymentEvent,
    Provider,
    ProviderUnavailable,
    RefundResult,
    SandboxProvider,
    events_for_order,
    record_event,
)
from tests.merchants.factories import (
    MUGS_CHAT,
    MUGS_STAFF,
    STRANGER,
    Shops,
    two_shops_with_paid_orders,
)

SECRET = "refund-test-secret-0123456789"


class CountingProvider:
    """A sandbox that counts refunds; `fail` makes it unreachable, `meanwhile` runs mid-call."""

    def __init__(self, *, fail: bool = False) -> None:
        self.name = "sandbox"
        self.inner = SandboxProvider(SECRET, "http://127.0.0.1:9")
        self.fail = fail
        self.calls: list[str] = []
        self.meanwhile: Callable[[], Awaitable[object]] | None = None

    async def refund(self, provider_reference: str, amount: Money | None = None) -> RefundResult:
        self.calls.append(provider_reference)
        if self.fail:
            raise ProviderUnavailable("connection refused")
        if self.meanwhile is not None:
            hook, self.meanwhile = self.meanwhile, None
            await hook()
        return await self.inner.refund(provider_reference, amount)


async def _owe(session: AsyncSession, result: DeskResult) -> None:
    for owed in result.owed:
        await enqueue(session, dedupe_key=owed.dedupe_key, chat_id=owed.chat_id,
                      reply=render(owed), edit_message_id=owed.edit_message_id)  # fmt: skip


async def paid_with_sandbox(sessions: SessionFactory, *, locale: str = "de") -> Shops:
    """Both shops' paid orders, with the sandbox payment the ledger would have recorded."""
    shops = await two_shops_with_paid_orders(sessions, locale=locale)
    async with transaction(sessions) as session:
        for slug, number in shops.orders.items():
            order = await session.scalar(select(Order).where(Order.number == number))
            assert order is not None
            await record_event(session, PaymentEvent(
                provider="sandbox", event_id=f"paid-{slug}", kind=EventKind.PAID,
                order_number=number,
                amount=Money.from_minor(order.charge_total_minor, order.charge_currency),
                provider_reference=f"sbx-ref-{slug}", occurred_at=utcnow(), raw={},
            ))  # fmt: skip
    return shops


async def refund(
    sessions: SessionFactory, provider: Refunder | None, order_id: int, *, user: int = MUGS_STAFF
) -> DeskResult:
    async def provider_for(session: AsyncSession, merchant_id: int, name: str) -> Refunder | None:
        return provider

    return await refunds.refund_order(
        sessions, provider_for, _owe, chat_id=MUGS_CHAT, user_id=user, actor_name="Mia (@mia)",
        order_id=order_id, notice_message_id=99,
    )  # fmt: skip


async def press(sessions: SessionFactory, order_id: int, action: Action) -> DeskResult:
    async with transaction(sessions) as session:
        return await desk.act(
            session, chat_id=MUGS_CHAT, user_id=MUGS_STAFF, actor_name="Mia (@mia)",
            order_id=order_id, action=action, notice_message_id=99,
        )  # fmt: skip


async def stock_of(sessions: SessionFactory, order_id: int) -> int:
    async with transaction(sessions) as session:
        total = await session.scalar(
            select(func.sum(Variant.stock))
            .join(OrderLine, OrderLine.variant_id == Variant.id)
            .where(OrderLine.order_id == order_id)
        )
    return int(total or 0)


async def status_of(sessions: SessionFactory, order_id: int) -> OrderStatus:
    async with transaction(sessions) as session:
        order = await session.get(Order, order_id)
        assert order is not None
        return OrderStatus(order.status)


async def outbox_keys(sessions: SessionFactory) -> list[str]:
    async with transaction(sessions) as session:
        return list(await session.scalars(select(OutboxMessage.dedupe_key)))


async def test_cancel_and_refund_is_offered_until_shipped_and_asks_first(
    sessions: SessionFactory,
) -> None:
    shops = await paid_with_sandbox(sessions)
    order_id = shops.order_ids["mugs"]
    t = translator("en")
    async with transaction(sessions) as session:
        notice = await desk.notice_of(session, order_id, await _shop(session, shops))
    assert notice is not None
    labels = [[b.text for b in row] for row in order_notice(t, notice).buttons]
    assert labels == [["✅ Accept"], ["↩️ Cancel and refund"]]

    asked = await press(sessions, order_id, Action.CANCEL)

    assert asked.confirm_refund == notice.charge and not asked.changed and asked.owed == ()
    assert await status_of(sessions, order_id) == OrderStatus.PAID  # asking changes nothing
    reply = confirm_refund(t, order_id, asked.number, notice.charge)
    [[confirm]] = reply.buttons
    assert confirm.action == f"1:mord:refundok:{order_id}"
    assert format_money(notice.charge, "en") in reply.text


async def _shop(session: AsyncSession, shops: Shops) -> Shop:
    shop = await shop_of(session, shops.usd_merchant)
    assert shop is not None
    return shop


async def test_a_confirmed_refund_refunds_once_puts_stock_back_and_tells_the_buyer(
    sessions: SessionFactory,
) -> None:
    shops = await paid_with_sandbox(sessions, locale="de")
    order_id, number = shops.order_ids["mugs"], shops.orders["mugs"]
    await press(sessions, order_id, Action.ACCEPT)  # accepted, not shipped: still refundable
    stock_before = await stock_of(sessions, order_id)
    provider = CountingProvider()

    first = await refund(sessions, provider, order_id)
    second = await refund(sessions, provider, order_id)  # a replayed confirmation

    assert first.changed and first.status == OrderStatus.REFUNDED
    assert not second.changed and second.owed == ()
    assert provider.calls == ["sbx-ref-mugs"]
    assert await stock_of(sessions, order_id) == stock_before + 1  # the one mug is back
    notice, buyer = first.owed
    assert notice.edit_message_id == 99 and isinstance(notice.content, OrderNotice)
    assert render(notice).buttons == ()  # nothing left to press on a refunded order
    assert isinstance(buyer.content, BuyerNews) and buyer.locale == "de"
    charge = notice.content.charge
    assert buyer.content.refunded == charge
    assert format_money(charge, "de") in render(buyer).text and number in render(buyer).text
    async with transaction(sessions) as session:
        kinds = [e.kind for e in await events_for_order(session, number)]
    assert kinds == [EventKind.PAID.value, EventKind.REFUNDED.value]
    keys = await outbox_keys(sessions)
    assert keys.count(f"order:{order_id}:buyer:refunded") == 1


async def test_a_confirmation_racing_another_refunds_and_changes_the_order_once(
    sessions: SessionFactory,
) -> None:
    shops = await paid_with_sandbox(sessions)
    order_id = shops.order_ids["mugs"]
    stock_before = await stock_of(sessions, order_id)
    provider = CountingProvider()
    inner: list[DeskResult] = []

    async def the_other_worker() -> None:
        inner.append(await refund(sessions, provider, order_id))

    provider.meanwhile = the_other_worker  # both read "paid" before either refunded
    outer = await refund(sessions, provider, order_id)

    assert inner[0].changed and not outer.changed
    assert len(provider.calls) == 2  # both asked, with the same reference: one refund
    assert await stock_of(sessions, order_id) == stock_before + 1
    async with transaction(sessions) as session:
        kinds = [e.kind for e in await events_for_order(session, shops.orders["mugs"])]
    assert kinds.count(EventKind.REFUNDED.value) == 1


async def test_an_unreachable_provider_changes_nothing(sessions: SessionFactory) -> None:
    shops = await paid_with_sandbox(sessions)
    order_id = shops.order_ids["mugs"]
    stock_before = await stock_of(sessions, order_id)

    with pytest.raises(RefundFailed) as failed:
        await refund(sessions, CountingProvider(fail=True), order_id)

    assert failed.value.problem is RefundProblem.UNAVAILABLE
    assert failed.value.number == shops.orders["mugs"] and failed.value.language == "en"
    assert await status_of(sessions, order_id) == OrderStatus.PAID
    assert await stock_of(sessions, order_id) == stock_before
    assert await outbox_keys(sessions) == []
    later = await refund(sessions, CountingProvider(), order_id)  # and it can be tried again
    assert later.changed


@pytest.mark.parametrize(
    ("provider", "problem"),
    [(None, RefundProblem.NO_PROVIDER), (CountingProvider(), RefundProblem.NO_PAYMENT)],
)
async def test_without_the_paying_provider_or_a_payment_nothing_is_refunded(
    sessions: SessionFactory, provider: Provider | None, problem: RefundProblem
) -> None:
    shops = await (
        two_shops_with_paid_orders(sessions) if problem is RefundProblem.NO_PAYMENT
        else paid_with_sandbox(sessions)
    )  # fmt: skip
    with pytest.raises(RefundFailed) as failed:
        await refund(sessions, provider, shops.order_ids["mugs"])
    assert failed.value.problem is problem
    assert await status_of(sessions, shops.order_ids["mugs"]) == OrderStatus.PAID


async def test_only_staff_and_only_before_shipping(sessions: SessionFactory) -> None:
    shops = await paid_with_sandbox(sessions)
    order_id = shops.order_ids["mugs"]
    provider = CountingProvider()
    with pytest.raises(desk.DeskRefused) as stranger:
        await refund(sessions, provider, order_id, user=STRANGER)
    assert stranger.value.refusal is Refusal.NOT_STAFF
    with pytest.raises(desk.DeskRefused) as foreign:  # the tea shop's order from the mugs chat
        await refund(sessions, provider, shops.order_ids["tea"])
    assert foreign.value.refusal is Refusal.NOT_FOUND

    await press(sessions, order_id, Action.ACCEPT)
    async with transaction(sessions) as session:
        await desk.ship(
            session, chat_id=MUGS_CHAT, user_id=MUGS_STAFF, actor_name="Mia", order_id=order_id,
            carrier="DHL", tracking="0034043416", notice_message_id=None,
        )  # fmt: skip
    for attempt in (press(sessions, order_id, Action.CANCEL), refund(sessions, provider, order_id)):
        with pytest.raises(desk.DeskRefused) as late:
            await attempt
        assert late.value.refusal is Refusal.NOT_NOW
    assert provider.calls == []


async def test_delivered_on_a_shipped_order_tells_the_buyer_once(sessions: SessionFactory) -> None:
    shops = await paid_with_sandbox(sessions, locale="en")
    order_id = shops.order_ids["mugs"]
    with pytest.raises(desk.DeskRefused) as early:
        await press(sessions, order_id, Action.DELIVERED)
    assert early.value.refusal is Refusal.NOT_NOW
    await press(sessions, order_id, Action.ACCEPT)
    async with transaction(sessions) as session:
        shipped = await desk.ship(
            session, chat_id=MUGS_CHAT, user_id=MUGS_STAFF, actor_name="Mia", order_id=order_id,
            carrier="DHL", tracking="0034043416", notice_message_id=99,
        )  # fmt: skip
    assert [[b.text for b in row] for row in render(shipped.owed[0]).buttons] == [
        ["📦 Delivered"],
        ["✏️ Correct tracking"],
    ]

    first = await press(sessions, order_id, Action.DELIVERED)
    second = await press(sessions, order_id, Action.DELIVERED)

    assert first.changed and first.status == OrderStatus.DELIVERED
    assert not second.changed and second.owed == ()
    notice, buyer = first.owed
    assert render(notice).buttons == ()
    assert "delivered" in render(buyer).text and shops.orders["mugs"] in render(buyer).text
