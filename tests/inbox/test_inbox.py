"""The inbox: stored once, leased one chat at a time, in order, across workers, after crashes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.database import SessionFactory, transaction
from bot.processor import PerChatUpdateProcessor
from db import utcnow
from inbox.fence import LeaseLost, processing, replay_safe
from inbox.models import InboxState, InboxUpdate
from inbox.store import Received, claim, finish, renew, store, store_leasing
from inbox.telegram import InboxDispatcher, receive
from orders.customers import Customer
from tests.web.fake_bot_api import FakeBotApi

LEASE = timedelta(seconds=10)


def message(update_id: int, chat_id: int, text: str) -> Received:
    payload = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"},
            "text": text,
        },
    }
    return Received(update_id, chat_id, payload)


async def stored_states(sessions: SessionFactory) -> dict[int, str]:
    async with sessions() as session:
        rows = await session.execute(select(InboxUpdate.update_id, InboxUpdate.state))
        return {update_id: state for update_id, state in rows.all()}


async def test_a_redelivered_update_is_stored_once(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        first = await store(session, [message(1, 42, "red mug")], now=utcnow())
    async with transaction(sessions) as session:
        again = await store(session, [message(1, 42, "red mug"), message(2, 42, "x")], now=utcnow())

    assert (first, again) == (1, 1)
    assert await stored_states(sessions) == {1: "pending", 2: "pending"}


async def test_one_chat_is_leased_one_update_at_a_time_in_order(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await store(
            session,
            [message(12, 1, "b"), message(11, 1, "a"), message(13, 2, "c"), message(14, 1, "d")],
            now=utcnow(),
        )
    async with transaction(sessions) as session:
        batch = await claim(session, now=utcnow(), lease=LEASE, limit=10)
    assert [leased.update_id for leased in batch] == [11, 13]  # chat 1's oldest, chat 2's

    async with transaction(sessions) as session:
        assert await claim(session, now=utcnow(), lease=LEASE, limit=10) == []
        assert await finish(session, batch[0], now=utcnow())
    async with transaction(sessions) as session:
        (following,) = await claim(session, now=utcnow(), lease=LEASE, limit=10)
    assert following.update_id == 12


async def test_storing_leases_in_the_same_statement_what_is_next_in_its_chat(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        await store(session, [message(10, 3, "older, still pending")], now=utcnow())
    arrived = [message(11, 1, "a"), message(12, 1, "b"), message(13, 2, "c"),
               message(14, 3, "d"), message(15, 4, "e"), message(16, 5, "f")]  # fmt: skip
    async with transaction(sessions) as session:
        new, leased = await store_leasing(
            session, arrived, now=utcnow(), lease=LEASE, limit=3, worker="w1"
        )
    assert [received.update_id for received in new] == [11, 12, 13, 14, 15, 16]
    # 12 waits behind 11, 14 behind the older 10; 16 is over the limit of 3.
    assert [one.update_id for one in leased] == [11, 13, 15]
    assert {one.attempts for one in leased} == {1} and leased[0].token.startswith("w1:")
    assert await stored_states(sessions) == {
        10: "pending", 11: "processing", 12: "pending", 13: "processing", 14: "pending",
        15: "processing", 16: "pending",
    }  # fmt: skip

    async with transaction(sessions) as session:  # redelivered: neither stored nor leased again
        assert await store_leasing(session, arrived[:2], now=utcnow(), lease=LEASE, limit=3) == (
            [],
            [],
        )
    async with transaction(sessions) as session:  # the lease is the same as a claim's
        assert await finish(session, leased[0], now=utcnow())
        (following,) = await claim(session, now=utcnow(), lease=LEASE, limit=1, busy=[13, 15])
    assert following.update_id == 10  # the oldest claimable; 12 is free now too


async def test_a_dead_workers_update_is_taken_over_once_its_lease_runs_out(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        await store(session, [message(1, 42, "a")], now=utcnow())
    start = utcnow()
    async with transaction(sessions) as session:
        (dead,) = await claim(session, now=start, lease=LEASE, limit=10)
    async with transaction(sessions) as session:  # renewed while its worker lives
        assert await renew(session, [dead.token], now=start + timedelta(seconds=5), lease=LEASE)
        assert await claim(session, now=start + timedelta(seconds=12), lease=LEASE, limit=9) == []
    async with transaction(sessions) as session:  # then no renewal: taken over
        (alive,) = await claim(session, now=start + timedelta(seconds=16), lease=LEASE, limit=9)

    assert (alive.update_id, alive.attempts) == (1, 2)
    async with transaction(sessions) as session:
        assert not await finish(session, dead, now=utcnow())  # the dead one's token is void
        assert await finish(session, alive, now=utcnow())


async def test_effects_commit_only_with_the_done_mark_and_only_for_the_lease_holder(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        await store(session, [message(1, 42, "a"), message(2, 43, "b")], now=utcnow())
    start = utcnow()
    async with transaction(sessions) as session:
        first, second = await claim(session, now=start, lease=LEASE, limit=10)

    with processing(first):
        with replay_safe():  # harmless to repeat: marks nothing
            async with transaction(sessions) as session:
                session.add(Customer(telegram_user_id=42, locale="en", currency="USD"))
        assert (await stored_states(sessions))[1] == "processing"
        async with transaction(sessions) as session:
            session.add(Customer(telegram_user_id=4242, locale="en", currency="USD"))
    assert (await stored_states(sessions))[1] == "done"

    async with transaction(sessions) as session:  # `second` is taken over by another worker
        (taken,) = await claim(session, now=start + LEASE * 2, lease=LEASE, limit=10)
    assert taken.update_id == 2
    with processing(second), pytest.raises(LeaseLost):
        async with transaction(sessions) as session:
            session.add(Customer(telegram_user_id=43, locale="en", currency="USD"))
    async with sessions() as session:
        ids = set(await session.scalars(select(Customer.telegram_user_id)))
    assert ids == {42, 4242}  # the stale worker's write was rolled back


@asynccontextmanager
async def worker(
    sessions: SessionFactory, seen: list[tuple[int, str, int]], number: int, **options: Any
) -> AsyncIterator[InboxDispatcher]:
    """One worker: a PTB Application (offline Bot API) recording what it handles (`hold_for`:
    seconds it takes before it begins, then writing the buyer it recorded)."""
    hold_for = options.pop("hold_for", 0.0)
    application: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token("123456:test-token-not-for-telegram-0000")
        .request(FakeBotApi())
        .get_updates_request(FakeBotApi())
        .updater(None)
        .concurrent_updates(PerChatUpdateProcessor())
        .build()
    )

    async def record(update: Update, _context: object) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        await asyncio.sleep(hold_for)  # a slow start (SQLite: no transaction holds its lock)
        async with transaction(sessions) as session:  # as the bot's handlers, who is it first
            await session.execute(select(func.count()).select_from(Customer))
            if hold_for:
                session.add(Customer(telegram_user_id=update.effective_chat.id, locale="en",
                                     currency="USD"))  # fmt: skip
        await asyncio.sleep(random.uniform(0, 0.01))  # let the other worker race
        seen.append((update.effective_chat.id, update.effective_message.text or "", number))

    application.add_handler(TypeHandler(Update, record))
    dispatcher = InboxDispatcher(application, sessions, **options)
    stop = asyncio.Event()
    async with application:
        await application.start()
        task = asyncio.create_task(dispatcher.run(stop))
        try:
            yield dispatcher
        finally:
            stop.set()
            dispatcher.wake()
            await task
            await application.stop()


async def _until(condition: Any, seconds: float) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not reached in time")


async def test_two_workers_keep_each_chats_order_and_process_every_update_once(
    sessions: SessionFactory,
) -> None:
    """20 buyers typing six answers without waiting, two workers: each chat in order, once."""
    seen: list[tuple[int, str, int]] = []
    steps = ["name", "phone", "street", "city", "postcode", "country"]
    updates = [
        message(100 * step + chat, 1000 + chat, steps[step])
        for step in range(len(steps))
        for chat in range(20)
    ]
    async with worker(sessions, seen, 1) as one, worker(sessions, seen, 2):
        for at in range(0, len(updates), 7):  # arriving in bursts, some delivered twice
            await receive(one.application, sessions, updates[at : at + 7] + updates[at : at + 2])
        await _until(lambda: len(seen) >= len(updates), 30)
        await asyncio.sleep(0.2)  # nothing more may come

    assert len(seen) == len(updates)
    for chat in range(20):
        assert [text for c, text, _ in seen if c == 1000 + chat] == steps
    assert set((await stored_states(sessions)).values()) == {InboxState.DONE.value}


@pytest.mark.parametrize("slow", [0.0, 0.3], ids=["at once", "stored before it began"])
async def test_an_update_taken_as_it_arrived_waits_for_an_older_one_of_its_chat(
    sessions: SessionFactory, slow: float
) -> None:
    """Another worker holds the chat's previous update: the new one is not handled meanwhile
    (its first transaction finds that out before reading anything), but stored (or, stored
    already because it was slow to begin, put back to pending); it is handled once the older
    one is done, and Telegram heard "got it" before."""
    async with transaction(sessions) as session:
        await store(session, [message(1, 42, "older")], now=utcnow())
        (theirs,) = await claim(session, now=utcnow(), lease=LEASE, limit=1, worker="w2")
    seen: list[tuple[int, str, int]] = []
    async with worker(sessions, seen, 1, poll_seconds=0.05, hold_for=slow) as mine:
        assert await mine.receive(sessions, [message(2, 42, "newer")]) == 1
        await asyncio.sleep(0.3 + slow)
        assert seen == []
        assert (await stored_states(sessions))[2] == InboxState.PENDING.value
        async with transaction(sessions) as session:
            assert await finish(session, theirs, now=utcnow())
        await _until(lambda: seen, 5)

    assert [text for _, text, _ in seen] == ["newer"]
    assert (await stored_states(sessions))[2] == InboxState.DONE.value


async def test_telegram_does_not_wait_for_an_update_slow_to_commit(
    sessions: SessionFactory,
) -> None:
    """Taken as it arrived, an update whose handling takes a while is stored on its own after
    `ack_within`: "got it" comes at once; the handling still checks its turn, finds the row its
    own, and its commit marks it done with its effects."""
    seen: list[tuple[int, str, int]] = []
    async with worker(sessions, seen, 1, hold_for=0.5) as mine:
        started = asyncio.get_running_loop().time()
        assert await mine.receive(sessions, [message(1, 42, "slow")]) == 1
        acknowledged = asyncio.get_running_loop().time() - started
        assert (await stored_states(sessions))[1] == InboxState.PROCESSING.value
        await _until(lambda: seen, 5)
        await asyncio.sleep(0.1)

    assert acknowledged < 0.4
    assert (await stored_states(sessions))[1] == InboxState.DONE.value
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Customer)) == 1


async def test_an_update_delivered_again_is_not_handled_again(sessions: SessionFactory) -> None:
    seen: list[tuple[int, str, int]] = []
    async with worker(sessions, seen, 1) as mine:
        assert await mine.receive(sessions, [message(1, 42, "once")]) == 1
        await _until(lambda: seen, 5)
        mine._recent = type(mine._recent)()  # as if another worker got it again
        assert await mine.receive(sessions, [message(1, 42, "once")]) == 0
        assert await mine.receive(sessions, [message(1, 42, "once")]) == 0
        await asyncio.sleep(0.3)

    assert seen == [(42, "once", 1)]


async def test_an_update_held_by_a_killed_worker_is_processed_within_seconds(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        await store(session, [message(1, 42, "confirm"), message(2, 42, "after")], now=utcnow())
        await claim(session, now=utcnow(), lease=timedelta(seconds=1), limit=10)  # then dies
    seen: list[tuple[int, str, int]] = []
    async with worker(sessions, seen, 2, lease=timedelta(seconds=1), poll_seconds=0.1):
        await _until(lambda: len(seen) == 2, 5)

    assert [text for _, text, _ in seen] == ["confirm", "after"]
    async with sessions() as session:
        attempts = await session.scalar(select(func.max(InboxUpdate.attempts)))
    assert attempts == 2


async def test_an_update_that_kills_every_worker_is_skipped_not_retried_forever(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        await store(session, [message(1, 42, "poison"), message(2, 42, "next")], now=utcnow())
    start = utcnow()
    for attempt in range(5):  # five workers took it and died
        async with transaction(sessions) as session:
            await claim(session, now=start + LEASE * 2 * attempt, lease=LEASE, limit=1)
    async with transaction(sessions) as session:  # its lease ran out long ago
        await session.execute(
            InboxUpdate.__table__.update().values(claimed_until=start - LEASE)  # type: ignore[attr-defined]
        )
    seen: list[tuple[int, str, int]] = []
    async with worker(sessions, seen, 2, poll_seconds=0.1):
        await _until(lambda: len(seen) == 1, 5)

    assert [text for _, text, _ in seen] == ["next"]  # the chat moves on
    assert set((await stored_states(sessions)).values()) == {InboxState.DONE.value}


async def test_a_named_worker_leases_under_its_name_whether_it_stored_the_update_or_not(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:  # stored by another worker: found by polling
        await store(session, [message(1, 42, "polled")], now=utcnow())
    seen: list[tuple[int, str, int]] = []
    async with worker(sessions, seen, 1, worker="w1", poll_seconds=0.05) as named:
        await named.receive(sessions, [message(2, 43, "received")])  # leased as it is stored
        await _until(lambda: len(seen) == 2, 5)

    async with sessions() as session:
        tokens = (await session.scalars(select(InboxUpdate.claim_token))).all()
    assert len(tokens) == 2 and all(token and token.startswith("w1:") for token in tokens)
