"""A named worker, restarted, takes back at once what its dead previous process held."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from bot.worker_claims import release_previous_claims
from conversation.reply import Reply
from db import utcnow
from db.leases import CLAIM_TOKEN_LENGTH, new_claim_token
from inbox.models import InboxState, InboxUpdate
from inbox.store import Leased, Received, claim, finish, store, store_leasing
from outbox import OutboxMessage, OutboxState, enqueue, mark_sent
from outbox import claim as claim_messages

LEASE = timedelta(seconds=10)


def update(update_id: int, chat: int) -> Received:
    return Received(update_id, chat, {"update_id": update_id})


async def take_updates(
    sessions: SessionFactory, worker: str | None, *ids_and_chats: tuple[int, int]
) -> list[Leased]:
    """Stores the updates and leases them to `worker`, the way its dispatcher does."""
    async with transaction(sessions) as session:
        await store(session, [update(i, chat) for i, chat in ids_and_chats], now=utcnow())
        return await claim(session, now=utcnow(), lease=LEASE, limit=10, worker=worker)


async def owe_and_take(sessions: SessionFactory, worker: str | None, key: str, chat: int) -> int:
    """Owes one message and lets `worker`'s sender claim it; the row's id."""
    async with transaction(sessions) as session:
        await enqueue(session, dedupe_key=key, chat_id=chat, reply=Reply(key), now=utcnow())
        [message] = await claim_messages(session, now=utcnow(), lease=LEASE, worker=worker)
    return message.id


async def inbox_rows(sessions: SessionFactory) -> dict[int, tuple[str, str | None]]:
    async with sessions() as session:
        rows = await session.execute(
            select(InboxUpdate.update_id, InboxUpdate.state, InboxUpdate.claim_token)
        )
        return {update_id: (state, token) for update_id, state, token in rows.all()}


async def outbox_rows(sessions: SessionFactory) -> dict[int, tuple[str, str | None]]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.id, OutboxMessage.state, OutboxMessage.claim_token)
        )
        return {row_id: (state, token) for row_id, state, token in rows.all()}


def test_a_named_workers_tokens_start_with_its_name_and_fit_the_column() -> None:
    tokens = {new_claim_token("w1") for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(t.startswith("w1:") and len(t) == CLAIM_TOKEN_LENGTH for t in tokens)
    longest = new_claim_token("a" * 20)
    assert longest.startswith("a" * 20 + ":") and len(longest) == CLAIM_TOKEN_LENGTH
    assert ":" not in new_claim_token()  # no name: a uuid4, as before
    for bad in ("", "a" * 21, "w:1", "web 1"):
        with pytest.raises(ValueError):
            new_claim_token(bad)


async def test_a_restarted_worker_releases_its_own_rows_at_once_and_no_one_elses(
    sessions: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    mine = await take_updates(sessions, "w1", (1, 10), (2, 20))
    theirs = await take_updates(sessions, "w2", (3, 30))
    unnamed = await take_updates(sessions, None, (4, 40))
    async with transaction(sessions) as session:  # a webhook's update, leased as it is stored
        _, leased = await store_leasing(
            session, [update(5, 50)], now=utcnow(), lease=LEASE, limit=5, worker="w1"
        )
        mine += leased
    my_message = await owe_and_take(sessions, "w1", "mine", 10)
    their_message = await owe_and_take(sessions, "w2", "theirs", 30)
    unnamed_message = await owe_and_take(sessions, None, "unnamed", 40)
    assert [leased.update_id for leased in mine] == [1, 2, 5]
    before_inbox, before_outbox = await inbox_rows(sessions), await outbox_rows(sessions)

    with caplog.at_level(logging.INFO, logger="bot.worker_claims"):
        assert await release_previous_claims(sessions, "w1") == (3, 1)
    assert "released 3 inbox update(s) and 1 outbox message(s)" in caplog.text

    inbox, outbox = await inbox_rows(sessions), await outbox_rows(sessions)
    assert {i: inbox[i] for i in (1, 2, 5)} == {i: ("pending", None) for i in (1, 2, 5)}
    assert {i: inbox[i] for i in (3, 4)} == {i: before_inbox[i] for i in (3, 4)}
    assert outbox[my_message] == ("pending", None)
    for other in (their_message, unnamed_message):
        assert outbox[other] == before_outbox[other]
        assert outbox[other][0] == OutboxState.SENDING.value

    # Claimable now, by anyone: no lease to wait out.
    async with transaction(sessions) as session:
        again = await claim(session, now=utcnow(), lease=LEASE, limit=10, worker="w1")
        [message] = await claim_messages(session, now=utcnow(), lease=LEASE, worker="w1")
    assert sorted(leased.update_id for leased in again) == [1, 2, 5]
    assert all(leased.attempts == 2 for leased in again)
    assert (message.id, message.attempts) == (my_message, 2)
    # The dead process's tokens are void: nothing it began can be recorded under them.
    async with transaction(sessions) as session:
        assert not await finish(session, mine[0], now=utcnow())
        assert await finish(session, again[0], now=utcnow())
        # The others' leases hold: they finish under their own tokens.
        assert await finish(session, theirs[0], now=utcnow())
        assert await finish(session, unnamed[0], now=utcnow())


async def test_a_name_is_matched_exactly_not_as_a_pattern_nor_a_prefix(
    sessions: SessionFactory,
) -> None:
    await take_updates(sessions, "w_1", (1, 10))
    await take_updates(sessions, "wx1", (2, 20))  # `_` would match it in a LIKE
    await take_updates(sessions, "W_1", (3, 30))  # SQLite's LIKE ignores case
    await take_updates(sessions, "w_10", (4, 40))
    await owe_and_take(sessions, "w_1.", "dot", 50)

    assert await release_previous_claims(sessions, "w_1") == (1, 0)
    states = {i: state for i, (state, _token) in (await inbox_rows(sessions)).items()}
    assert states == {1: "pending", 2: "processing", 3: "processing", 4: "processing"}


async def test_without_a_name_nothing_is_released(sessions: SessionFactory) -> None:
    await take_updates(sessions, "w1", (1, 10))
    await take_updates(sessions, None, (2, 20))
    await owe_and_take(sessions, None, "unnamed", 20)
    before = await inbox_rows(sessions), await outbox_rows(sessions)

    assert await release_previous_claims(sessions, None) == (0, 0)
    assert (await inbox_rows(sessions), await outbox_rows(sessions)) == before
    assert {state for state, _token in before[0].values()} == {InboxState.PROCESSING.value}


async def test_a_message_sent_under_the_released_claim_is_not_recorded_as_sent(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        await enqueue(session, dedupe_key="k", chat_id=1, reply=Reply("k"), now=utcnow())
        [dead] = await claim_messages(session, now=utcnow(), lease=LEASE, worker="w1")
    await release_previous_claims(sessions, "w1")
    async with transaction(sessions) as session:
        assert not await mark_sent(session, dead, message_id=7, now=utcnow())
    assert (await outbox_rows(sessions))[dead.id] == ("pending", None)
