"""Orders after placement: the buyer's list and details, cancelling, payments, merchant moves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.database import SessionFactory, transaction
from catalog.models import Variant
from money import Money
from orders.errors import InvalidTransition, MissingTracking, OrderNotFound
from orders.expiry import expire_unpaid
from orders.lifecycle import PaymentOutcome, cancel_order, change_status, record_payment
from orders.models import ActorKind, Order, OrderStatus
from orders.numbers import normalise_number
from orders.queries import get_order, list_orders, order_history
from orders.status import Actor
from tests.orders.factories import (
    NOW,
    alice_and_bob,
    stock_of,
)

PROVIDER = Actor(ActorKind.PROVIDER, "sandbox")
MERCHANT = Actor(ActorKind.MERCHANT, "1")


async def _setup(sessions: SessionFactory) -> tuple[int, int, int, list[str]]:
    teapot, alice, bob, orders = await alice_and_bob(sessions)
    return teapot, alice, bob, [order.number for order in orders]


async def _status(sessions: SessionFactory, number: str) -> str | None:
    async with transaction(sessions) as session:
        return await session.scalar(select(Order.status).where(Order.number == number))


async def test_list_and_details_are_the_buyers_own(sessions: SessionFactory) -> None:
    _, alice, bob, (mugs, tea) = await _setup(sessions)
    async with transaction(sessions) as session:
        page = await list_orders(session, customer_id=alice)
        nothing = await list_orders(session, customer_id=bob)
        details = await get_order(session, customer_id=alice, number=tea.lower().replace("-", " "))
        forged = await get_order(session, customer_id=bob, number=tea)
        garbage = await get_order(session, customer_id=alice, number="💣" * 5000)
    assert {item.number for item in page.items} == {mugs, tea}
    assert not page.has_next and not page.has_previous
    assert nothing.items == () and nothing.total_count == 0
    assert forged is None and garbage is None
    assert details is not None
    assert (details.merchant_name, details.status, details.total) == (
        "Tea House",
        OrderStatus.AWAITING_PAYMENT,
        Money.of("184.80", "CNY"),
    )
    assert details.buyer_total == Money.of("24.00", "EUR")
    assert [line.title for line in details.lines] == ["Clay teapot"]
    assert [(h.from_status, h.to_status) for h in details.history] == [
        (None, OrderStatus.AWAITING_PAYMENT)
    ]
    assert details.buyer_can_cancel


async def test_paging(sessions: SessionFactory) -> None:
    _, alice, _, numbers = await _setup(sessions)
    async with transaction(sessions) as session:
        first = await list_orders(session, customer_id=alice, page=0, page_size=1)
        second = await list_orders(session, customer_id=alice, page=1, page_size=1)
        beyond = await list_orders(session, customer_id=alice, page=-5, page_size=1)
    assert first.has_next and not second.has_next and second.has_previous
    assert {first.items[0].number, second.items[0].number} == set(numbers)
    assert beyond.page == 0


async def test_buyer_cancels_unpaid_order_and_stock_returns(sessions: SessionFactory) -> None:
    teapot, alice, bob, (_, tea) = await _setup(sessions)
    with pytest.raises(OrderNotFound):  # a forged button naming Alice's order
        async with transaction(sessions) as session:
            await cancel_order(session, customer_id=bob, number=tea)
    assert await _status(sessions, tea) == "awaiting_payment"
    async with transaction(sessions) as session:
        change = await cancel_order(session, customer_id=alice, number=tea, now=NOW)
        assert await stock_of(session, teapot) == 5
    assert change.changed and change.status == OrderStatus.CANCELLED
    async with transaction(sessions) as session:  # pressed twice
        again = await cancel_order(session, customer_id=alice, number=tea, now=NOW)
        assert await stock_of(session, teapot) == 5
    assert not again.changed
    async with transaction(sessions) as session:
        history = await order_history(session, customer_id=alice, number=tea)
    assert history is not None
    assert [(h.to_status, h.actor_kind) for h in history] == [
        (OrderStatus.AWAITING_PAYMENT, ActorKind.BUYER),
        (OrderStatus.CANCELLED, ActorKind.BUYER),
    ]


async def test_paid_order_cannot_be_cancelled_by_the_buyer(sessions: SessionFactory) -> None:
    teapot, alice, _, (_, tea) = await _setup(sessions)
    async with transaction(sessions) as session:
        assert await record_payment(session, number=tea, actor=PROVIDER, now=NOW) == "paid"
        assert await record_payment(session, number=tea, actor=PROVIDER) == "already_paid"
    with pytest.raises(InvalidTransition):
        async with transaction(sessions) as session:
            await cancel_order(session, customer_id=alice, number=tea)
    assert await _status(sessions, tea) == "paid"
    async with transaction(sessions) as session:
        assert await stock_of(session, teapot) == 3


async def test_merchant_moves_with_tracking(sessions: SessionFactory) -> None:
    _, alice, _, (_, tea) = await _setup(sessions)
    async with transaction(sessions) as session:
        order_id = await session.scalar(select(Order.id).where(Order.number == tea))
        assert order_id is not None
        await record_payment(session, number=tea, actor=PROVIDER, now=NOW)
        await change_status(session, order_id=order_id, to="accepted", actor=MERCHANT)
    with pytest.raises(MissingTracking):
        async with transaction(sessions) as session:
            await change_status(session, order_id=order_id, to="shipped", actor=MERCHANT)
    async with transaction(sessions) as session:
        shipped = await change_status(
            session, order_id=order_id, to="shipped", actor=MERCHANT, carrier="SF", tracking="SF1"
        )
        details = await get_order(session, customer_id=alice, number=tea)
    assert shipped.changed
    assert details is not None
    assert (details.status, details.carrier, details.tracking) == ("shipped", "SF", "SF1")
    assert not details.buyer_can_cancel
    with pytest.raises(OrderNotFound):
        async with transaction(sessions) as session:
            await change_status(session, order_id=987_654, to="accepted", actor=MERCHANT)


async def test_late_payment_takes_the_stock_again_or_asks_for_a_refund(
    sessions: SessionFactory,
) -> None:
    teapot, _, _, (mugs, tea) = await _setup(sessions)
    async with transaction(sessions) as session:
        await expire_unpaid(session, now=NOW + timedelta(hours=1))
        assert await stock_of(session, teapot) == 5
    async with transaction(sessions) as session:
        assert await record_payment(session, number=tea, actor=PROVIDER) == PaymentOutcome.PAID
        assert await stock_of(session, teapot) == 3
    async with transaction(sessions) as session:  # the mugs sold out meanwhile
        await session.execute(update(Variant).values(stock=0).where(Variant.sku == "MUG-R"))
    async with transaction(sessions) as session:
        outcome = await record_payment(session, number=mugs, actor=PROVIDER)
    assert outcome == PaymentOutcome.NEEDS_REFUND
    assert await _status(sessions, mugs) == "expired"


def test_order_numbers_as_typed() -> None:
    assert normalise_number("7kq 3m9") == "7KQ-3M9"
    assert normalise_number("#7KQ3M9") == "7KQ-3M9"
    for garbage in ("7KQ-3M0", "", "7KQ-3M9-X", "💣", "x" * 5000):
        assert normalise_number(garbage) is None


@pytest.mark.parametrize(("shipped", "back_on_shelf"), [(False, 2), (True, 0)])
async def test_a_refund_puts_back_only_the_stock_that_never_left(
    sessions: SessionFactory, shipped: bool, back_on_shelf: int
) -> None:
    teapot, _, _, (_, tea) = await _setup(sessions)
    async with transaction(sessions) as session:
        await record_payment(session, number=tea, actor=PROVIDER, now=NOW)
        order_id = await session.scalar(select(Order.id).where(Order.number == tea))
        assert order_id is not None
        if shipped:
            for to in (OrderStatus.ACCEPTED, OrderStatus.SHIPPED):
                await change_status(
                    session, order_id=order_id, to=to, actor=MERCHANT, now=NOW,
                    carrier="DHL", tracking="123",
                )  # fmt: skip
        before = await stock_of(session, teapot)
    async with transaction(sessions) as session:  # the provider's dashboard refunds it
        await change_status(session, order_id=order_id, to=OrderStatus.REFUNDED, actor=PROVIDER)
    async with transaction(sessions) as session:
        assert await stock_of(session, teapot) == before + back_on_shelf
