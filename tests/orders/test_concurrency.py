"""Stock under contention, on SQLite and PostgreSQL: never oversold, never released twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.database import SessionFactory, transaction
from catalog.models import Variant
from orders import cart
from orders.expiry import expire_unpaid
from orders.lifecycle import cancel_order
from orders.models import Order, OrderEvent
from orders.placement import Outcome, PlacementResult, place_orders
from tests.orders.factories import NOW, make_customer, quoter, ready_draft, seed_shop, stock_of

BUYERS = 50
LAST_UNITS = 5


async def _checkout(sessions: SessionFactory, customer_id: int) -> PlacementResult:
    async with transaction(sessions) as session:
        return await place_orders(
            session,
            customer_id=customer_id,
            draft=ready_draft(),
            buyer_currency="EUR",
            quoter=quoter(),
            now=NOW,
            ttl=timedelta(minutes=30),
        )


async def test_fifty_buyers_race_for_the_last_five_units(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        await session.execute(
            update(Variant).where(Variant.id == shop.teapot).values(stock=LAST_UNITS)
        )
        buyers = [await make_customer(session, 5000 + n) for n in range(BUYERS)]
        for buyer in buyers:  # everyone saw it in stock and put one in their cart
            await cart.add_to_cart(session, customer_id=buyer, variant_id=shop.teapot)

    results = await asyncio.gather(
        *(_checkout(sessions, buyer) for buyer in buyers), return_exceptions=True
    )

    errors = [result for result in results if isinstance(result, BaseException)]
    assert errors == []
    outcomes = [result.outcome for result in results if isinstance(result, PlacementResult)]
    assert outcomes.count(Outcome.PLACED) == LAST_UNITS
    assert outcomes.count(Outcome.UNAVAILABLE) == BUYERS - LAST_UNITS
    async with transaction(sessions) as session:
        assert await stock_of(session, shop.teapot) == 0
        assert await session.scalar(select(func.count()).select_from(Order)) == LAST_UNITS


async def test_crossed_carts_do_not_deadlock(sessions: SessionFactory) -> None:
    """Half the buyers added red then blue, half blue then red; ten of each left."""
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        buyers = [await make_customer(session, 6000 + n) for n in range(20)]
        for n, buyer in enumerate(buyers):
            first, second = (shop.mug_red, shop.mug_blue)[:: 1 if n % 2 else -1]
            await cart.add_to_cart(session, customer_id=buyer, variant_id=first)
            await cart.add_to_cart(session, customer_id=buyer, variant_id=second)

    results = await asyncio.gather(
        *(_checkout(sessions, buyer) for buyer in buyers), return_exceptions=True
    )

    assert [r for r in results if isinstance(r, BaseException)] == []
    placed = [r for r in results if isinstance(r, PlacementResult) and r.ok]
    assert len(placed) == 10
    async with transaction(sessions) as session:
        assert await stock_of(session, shop.mug_red) == 0
        assert await stock_of(session, shop.mug_blue) == 0


async def _placed_order(sessions: SessionFactory) -> tuple[int, int, str]:
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        alice = await make_customer(session, 1001)
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.teapot, quantity=2)
    result = await _checkout(sessions, alice)
    (order,) = result.orders
    return shop.teapot, alice, order.number


async def _expire(sessions: SessionFactory, minutes: int = 31) -> list[str]:
    async with transaction(sessions) as session:
        return await expire_unpaid(session, now=NOW + timedelta(minutes=minutes))


async def test_expiry_waits_for_the_deadline_then_releases_once(sessions: SessionFactory) -> None:
    teapot, _, number = await _placed_order(sessions)
    assert await _expire(sessions, minutes=29) == []
    assert await _expire(sessions) == [number]
    assert await _expire(sessions) == []
    async with transaction(sessions) as session:
        assert await stock_of(session, teapot) == 5
        status = await session.scalar(select(Order.status).where(Order.number == number))
        events = await session.scalar(
            select(func.count()).select_from(OrderEvent).where(OrderEvent.to_status == "expired")
        )
    assert (status, events) == ("expired", 1)


async def test_two_concurrent_expirers_release_exactly_once(sessions: SessionFactory) -> None:
    teapot, _, number = await _placed_order(sessions)
    first, second = await asyncio.gather(_expire(sessions), _expire(sessions))
    assert sorted(first + second) == [number]
    async with transaction(sessions) as session:
        assert await stock_of(session, teapot) == 5


async def test_cancel_racing_expiry_releases_once(sessions: SessionFactory) -> None:
    teapot, alice, number = await _placed_order(sessions)

    async def cancel() -> object:
        async with transaction(sessions) as session:
            return await cancel_order(session, customer_id=alice, number=number, now=NOW)

    results = await asyncio.gather(cancel(), _expire(sessions), return_exceptions=True)
    assert sum(1 for r in results if not isinstance(r, BaseException)) >= 1
    async with transaction(sessions) as session:
        assert await stock_of(session, teapot) == 5
        status = await session.scalar(select(Order.status).where(Order.number == number))
    assert status in ("cancelled", "expired")
