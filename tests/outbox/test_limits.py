"""Telegram's limits for the whole deployment: two workers together stay within 30 messages/s."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from sqlalchemy import event, select
from telegram.error import RetryAfter

from bot.database import SessionFactory, transaction
from bot.rate_limits import SharedRateLimiter
from outbox.limits import RateWindow, acquire, paused_until


async def test_a_window_holds_exactly_its_limit(sessions: SessionFactory) -> None:
    taken = []
    for _ in range(5):
        async with transaction(sessions) as session:
            taken.append(await acquire(session, key="bot", window=7, limit=3))
    async with transaction(sessions) as session:
        assert await acquire(session, key="bot", window=8, limit=3)  # the next second is fresh
    assert taken == [True, True, True, False, False]


async def test_two_workers_together_send_at_most_30_messages_a_second(
    sessions: SessionFactory,
) -> None:
    """Each worker alone would allow 30/s (59/s together, as the issue measured before)."""
    sent: list[float] = []

    async def send_message(*_args: Any, **_kwargs: Any) -> bool:
        sent.append(time.time())
        return True

    workers = [SharedRateLimiter(sessions), SharedRateLimiter(sessions)]
    for worker in workers:
        await worker.initialize()
    burst = [
        worker.process_request(send_message, (), {}, "sendMessage", {"chat_id": 1000 + n}, None)
        for n in range(45)
        for worker in workers
    ]
    await asyncio.gather(*burst)

    per_second = Counter(int(moment) for moment in sent)
    assert len(sent) == 90 and max(per_second.values()) <= 30, per_second
    # And none of the limit is lost: 90 messages go out in three seconds (four when the first
    # starts late in its second), though each worker takes its slots several at a time.
    assert len(per_second) <= 4, per_second


async def test_a_429_seen_by_one_worker_pauses_every_worker(sessions: SessionFactory) -> None:
    calls = 0

    async def flooded(*_args: Any, **_kwargs: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RetryAfter(1)
        return True

    first, second = SharedRateLimiter(sessions), SharedRateLimiter(sessions)
    start = time.time()
    await first.process_request(flooded, (), {}, "sendMessage", {"chat_id": 5}, None)
    async with sessions() as session:
        assert await paused_until(session) / 1000 >= start + 1
    await second.process_request(flooded, (), {}, "sendMessage", {"chat_id": 6}, None)
    assert time.time() - start >= 1.0  # the other worker waited too


async def test_a_busy_worker_takes_its_slots_a_few_at_a_time_and_stays_within_the_limit(
    sessions: SessionFactory,
) -> None:
    sent: list[float] = []

    async def send_message(*_args: Any, **_kwargs: Any) -> bool:
        sent.append(time.time())
        await asyncio.sleep(0.01)  # a Bot API call takes a while
        return True

    transactions = 0

    def on_begin(_connection: Any) -> None:
        nonlocal transactions
        transactions += 1

    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "begin", on_begin)
    try:
        worker = SharedRateLimiter(sessions)
        await worker.initialize()
        for n in range(70):
            await worker.process_request(
                send_message, (), {}, "sendMessage", {"chat_id": 2000 + n}, None
            )
    finally:
        event.remove(engine, "begin", on_begin)

    per_second = Counter(int(moment) for moment in sent)
    assert len(sent) == 70 and max(per_second.values()) <= 30, per_second
    # 1, 1, 2, 2, 4, ... while it warms up, then a quarter of the limit (7) per statement:
    # some 18 transactions for 70 messages, where it was one each.
    assert transactions <= 25, transactions
    async with sessions() as session:  # what the database handed out never exceeds the limit
        counts = (
            await session.scalars(select(RateWindow.count).where(RateWindow.key == "bot"))
        ).all()
    assert counts and max(counts) <= 30, counts
