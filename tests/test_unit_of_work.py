"""One update, one transaction (`db.unit`): read-only blocks merge, writes commit at their end."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import SessionFactory, rolled_back, transaction
from db.unit import end_if_only_read, release_parked, update_scope
from orders.customers import Customer
from tests.e2e.sql_counter import attach


async def _customers(sessions: SessionFactory) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(Customer)) or 0


async def test_read_only_blocks_of_an_update_share_one_transaction(
    engine: AsyncEngine, sessions: SessionFactory
) -> None:
    tally = attach(engine)
    async with update_scope():
        for _ in range(3):
            async with transaction(sessions) as session:
                await session.scalar(select(func.count()).select_from(Customer))
    assert (tally.transactions, tally.statements) == (1, 3)


async def test_a_write_commits_at_the_end_of_its_block_and_a_later_failure_keeps_it(
    sessions: SessionFactory,
) -> None:
    async with update_scope():
        async with transaction(sessions) as session:
            session.add(Customer(telegram_user_id=1, locale="en", currency="USD"))
        with pytest.raises(RuntimeError) as failure:
            async with transaction(sessions) as session:
                session.add(Customer(telegram_user_id=2, locale="en", currency="USD"))
                await session.flush()
                raise RuntimeError("the second block fails")
        assert rolled_back(failure.value)
    assert await _customers(sessions) == 1


async def test_a_parked_transaction_ends_before_a_network_call(
    engine: AsyncEngine, sessions: SessionFactory
) -> None:
    tally = attach(engine)
    async with update_scope() as scope:
        async with transaction(sessions) as session:
            await session.scalar(select(func.count()).select_from(Customer))
        assert scope.parked is not None
        await release_parked()  # what the rate limiter does before every Bot API request
        assert scope.parked is None
        async with transaction(sessions) as session:
            await session.scalar(select(func.count()).select_from(Customer))
    assert tally.transactions == 2


async def test_a_block_inside_a_block_is_a_transaction_of_its_own(
    sessions: SessionFactory,
) -> None:
    async with update_scope(), transaction(sessions) as outer:
        outer.add(Customer(telegram_user_id=1, locale="en", currency="USD"))
        async with transaction(sessions) as inner:
            assert inner is not outer
            inner.add(Customer(telegram_user_id=2, locale="en", currency="USD"))
    assert await _customers(sessions) == 2


async def test_a_session_of_its_own_after_a_parked_block_does_not_wait_for_it(
    sessions: SessionFactory,
) -> None:
    """Code that opens its own session (a payment link, a refund) after a read-only block of
    the same update must not wait for the parked transaction (on SQLite, for its write lock)."""

    async def update() -> None:
        async with update_scope():
            async with transaction(sessions) as session:
                await session.scalar(select(func.count()).select_from(Customer))
            async with sessions() as session, session.begin():
                session.add(Customer(telegram_user_id=1, locale="en", currency="USD"))

    await asyncio.wait_for(update(), timeout=10)
    assert await _customers(sessions) == 1


async def _other_worker_writes(sessions: SessionFactory, telegram_user_id: int) -> None:
    """Another update's write, on a connection of its own."""
    async with sessions() as session, session.begin():
        session.add(Customer(telegram_user_id=telegram_user_id, locale="en", currency="USD"))


async def test_a_block_that_only_read_can_end_early_so_others_write_meanwhile(
    sessions: SessionFactory,
) -> None:
    """What a slow read (the stopgap search's scan) does first: after `end_if_only_read`, other
    updates write while this block still runs (on SQLite its transaction held the write lock)."""
    async with update_scope(), transaction(sessions) as session:
        await session.scalar(select(func.count()).select_from(Customer))
        assert await end_if_only_read(session)
        await asyncio.wait_for(_other_worker_writes(sessions, 1), timeout=10)
        # the block carries on, in a new transaction, and sees that write
        assert await session.scalar(select(func.count()).select_from(Customer)) == 1
        session.add(Customer(telegram_user_id=2, locale="en", currency="USD"))
    assert await _customers(sessions) == 2


async def test_a_block_that_wrote_or_no_update_at_all_is_never_ended_early(
    sessions: SessionFactory,
) -> None:
    async with update_scope(), transaction(sessions) as session:
        session.add(Customer(telegram_user_id=1, locale="en", currency="USD"))
        assert not await end_if_only_read(session)  # its write commits at the block's end only
    async with transaction(sessions) as session:  # outside an update: a plain transaction
        await session.scalar(select(func.count()).select_from(Customer))
        assert not await end_if_only_read(session)
    assert await _customers(sessions) == 1
