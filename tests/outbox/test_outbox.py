"""The outbox: one row per dedupe key, leases that expire, per-chat order, retries, no repeats."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from conversation.reply import Button, Reply
from outbox import (
    Backoff,
    Claimed,
    OutboxMessage,
    OutboxSender,
    OutboxState,
    Permanent,
    RetryLater,
    Transient,
    claim,
    enqueue,
    mark_sent,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


async def owe(sessions: SessionFactory, key: str, chat_id: int = 1, text: str = "hi") -> bool:
    async with transaction(sessions) as session:
        return await enqueue(
            session,
            dedupe_key=key,
            chat_id=chat_id,
            reply=Reply(text, buttons=((Button("OK", action="1:cart"),),)),
            now=T0,
        )


async def rows(sessions: SessionFactory) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_the_same_dedupe_key_is_owed_once(sessions: SessionFactory) -> None:
    assert await owe(sessions, "order:1:paid") is True
    assert await owe(sessions, "order:1:paid", text="again") is False

    [row] = await rows(sessions)
    assert row.payload["text"] == "hi"
    assert row.payload["buttons"] == [[{"text": "OK", "action": "1:cart"}]]


async def test_a_rolled_back_change_owes_nothing(sessions: SessionFactory) -> None:
    with pytest.raises(RuntimeError):
        async with transaction(sessions) as session:
            await enqueue(session, dedupe_key="k", chat_id=1, reply=Reply("x"), now=T0)
            raise RuntimeError("the change failed")
    assert await rows(sessions) == []


async def test_a_claim_is_exclusive_until_its_lease_expires(sessions: SessionFactory) -> None:
    await owe(sessions, "a")
    async with transaction(sessions) as session:
        [first] = await claim(session, now=T0, lease=LEASE)
    async with transaction(sessions) as session:
        assert await claim(session, now=T0 + LEASE / 2, lease=LEASE) == []
    # The first sender died: after the lease the row is claimed again, under a new token.
    async with transaction(sessions) as session:
        [second] = await claim(session, now=T0 + LEASE * 2, lease=LEASE)
    assert second.id == first.id and second.token != first.token and second.attempts == 2
    # The dead sender's late report changes nothing; the live one's counts.
    async with transaction(sessions) as session:
        assert await mark_sent(session, first, message_id=5, now=T0) is False
        assert await mark_sent(session, second, message_id=6, now=T0) is True
    [row] = await rows(sessions)
    assert (row.state, row.sent_message_id) == (OutboxState.SENT.value, 6)


async def test_one_chat_gets_its_messages_in_order(sessions: SessionFactory) -> None:
    await owe(sessions, "a1", chat_id=1)
    await owe(sessions, "a2", chat_id=1)
    await owe(sessions, "b1", chat_id=2)
    async with transaction(sessions) as session:
        batch = await claim(session, now=T0, lease=LEASE)
    assert sorted(m.chat_id for m in batch) == [1, 2]  # a2 waits for a1
    async with transaction(sessions) as session:
        assert await claim(session, now=T0, lease=LEASE) == []
        await mark_sent(session, next(m for m in batch if m.chat_id == 1), message_id=1, now=T0)
    async with transaction(sessions) as session:
        [after] = await claim(session, now=T0, lease=LEASE)
    assert after.payload["text"] == "hi" and after.id == (await rows(sessions))[1].id


@dataclass
class ScriptedTransport:
    """Fails with the scripted errors first, then delivers; records every delivery."""

    failures: list[Exception] = field(default_factory=list)
    delivered: list[int] = field(default_factory=list)
    calls: int = 0

    async def deliver(self, message: Claimed) -> int | None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        await asyncio.sleep(0)
        self.delivered.append(message.id)
        return 1000 + message.id


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def sender(sessions: SessionFactory, transport: ScriptedTransport, clock: Clock) -> OutboxSender:
    return OutboxSender(sessions, transport, lease=LEASE, backoff=Backoff(base=2), clock=clock,
                        max_attempts=4)  # fmt: skip


async def test_a_flood_wait_is_honoured_and_costs_no_attempt(sessions: SessionFactory) -> None:
    await owe(sessions, "a")
    clock, transport = Clock(), ScriptedTransport([RetryLater(30)])
    outbox = sender(sessions, transport, clock)

    await outbox.run_once()
    [row] = await rows(sessions)
    assert row.state == OutboxState.PENDING.value and row.attempts == 0
    assert row.available_at == T0 + timedelta(seconds=30)
    clock.now = T0 + timedelta(seconds=29)
    assert await outbox.run_once() == 0  # not before retry_after
    clock.now = T0 + timedelta(seconds=30)
    assert await outbox.run_once() == 1
    assert transport.delivered == [row.id]
    assert (await rows(sessions))[0].state == OutboxState.SENT.value


async def test_server_errors_back_off_exponentially_then_deliver(sessions: SessionFactory) -> None:
    await owe(sessions, "a")
    clock = Clock()
    transport = ScriptedTransport([Transient("502 Bad Gateway"), Transient("500")])
    outbox = sender(sessions, transport, clock)

    await outbox.run_once()
    assert (await rows(sessions))[0].available_at == T0 + timedelta(seconds=2)
    clock.now += timedelta(seconds=2)
    await outbox.run_once()
    assert (await rows(sessions))[0].available_at == clock.now + timedelta(seconds=4)
    clock.now += timedelta(seconds=4)
    await outbox.run_once()
    [row] = await rows(sessions)
    assert row.state == OutboxState.SENT.value and row.sent_message_id == 1000 + row.id
    assert transport.delivered == [row.id]  # once


async def test_refusals_and_exhausted_retries_fail_for_good(sessions: SessionFactory) -> None:
    await owe(sessions, "blocked", chat_id=1)
    await owe(sessions, "flaky", chat_id=2)
    clock = Clock()
    transport = ScriptedTransport([Permanent("Forbidden: bot was blocked"), *[Transient("x")] * 9])
    outbox = sender(sessions, transport, clock)
    for _ in range(6):
        await outbox.run_once()
        clock.now += timedelta(hours=1)
    states = [(r.state, r.attempts) for r in await rows(sessions)]
    assert states == [(OutboxState.FAILED.value, 1), (OutboxState.FAILED.value, 4)]
    assert transport.delivered == []


async def test_two_senders_at_once_deliver_each_message_once(sessions: SessionFactory) -> None:
    for chat in range(30):
        await owe(sessions, f"m{chat}a", chat_id=chat)
        await owe(sessions, f"m{chat}b", chat_id=chat)
    transport = ScriptedTransport()
    first = OutboxSender(sessions, transport, lease=LEASE, batch=7)
    second = OutboxSender(sessions, transport, lease=LEASE, batch=7)

    async def drain(outbox: OutboxSender) -> None:
        for _ in range(40):
            await outbox.run_once()

    await asyncio.gather(drain(first), drain(second))
    delivered = transport.delivered
    assert len(delivered) == 60 and len(set(delivered)) == 60
    assert all(r.state == OutboxState.SENT.value for r in await rows(sessions))


@dataclass
class SlowTransport:
    """Each send takes `seconds` (a slow Telegram, a long flood wait inside the rate limiter)."""

    seconds: float
    delivered: list[int] = field(default_factory=list)

    async def deliver(self, message: Claimed) -> int | None:
        await asyncio.sleep(self.seconds)
        self.delivered.append(message.id)
        return 1


async def test_a_live_senders_lease_is_renewed_and_a_dead_ones_returns_within_it(
    sessions: SessionFactory,
) -> None:
    # Renewed every third of it: a heartbeat may come 0.8 s late (a busy test machine) and hold.
    short = timedelta(seconds=1.2)
    async with transaction(sessions) as session:
        for key, chat in (("orphan", 2), ("slow", 1)):
            await enqueue(session, dedupe_key=key, chat_id=chat, reply=Reply(key))
    async with transaction(sessions) as session:  # a worker claims "orphan", then is killed
        [orphan] = await claim(session, now=datetime.now(UTC), lease=short, limit=1)
    assert orphan.chat_id == 2
    slow = SlowTransport(3.0)  # longer than the lease: only the heartbeat keeps it
    other = ScriptedTransport()
    live = OutboxSender(sessions, slow, lease=short)
    rival = OutboxSender(sessions, other, lease=short)

    async def rival_rounds() -> None:
        for _ in range(30):  # as long as the slow send
            await rival.run_once()
            await asyncio.sleep(0.1)

    await asyncio.gather(live.run_once(), rival_rounds())

    by_key = {row.dedupe_key: row for row in await rows(sessions)}
    assert slow.delivered == [by_key["slow"].id]  # never taken from the live sender
    assert other.delivered == [by_key["orphan"].id]  # the dead one's row, within a second
    assert {row.state for row in by_key.values()} == {OutboxState.SENT.value}


async def test_a_named_workers_sender_claims_under_its_name(sessions: SessionFactory) -> None:
    await owe(sessions, "a", chat_id=1)
    await owe(sessions, "b", chat_id=2)
    named = OutboxSender(sessions, ScriptedTransport(), lease=LEASE, clock=Clock(), worker="w1")

    assert await named.run_once() == 2
    assert {
        (row.state, row.claim_token[:3]) for row in await rows(sessions) if row.claim_token
    } == {(OutboxState.SENT.value, "w1:")}
