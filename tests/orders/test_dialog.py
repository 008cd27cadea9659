"""Dialog state lives in the database: another worker, or the same one after a restart, resumes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import SessionFactory, create_engine, session_factory, transaction
from orders.checkout import CheckoutDraft, Step, start_checkout
from orders.dialog import DialogKey, clear_dialog, expect_dialogs, load_dialog, save_dialog
from tests.orders.factories import NOW

KEY: DialogKey = {"channel": "telegram", "chat_id": 42, "user_id": 7}


async def test_save_load_replace_clear(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        assert await load_dialog(session, **KEY) is None
        await save_dialog(session, **KEY, step="checkout", data={"a": 1}, now=NOW)
        await save_dialog(session, **KEY, step="cart_edit", data={"b": [1, 2]}, now=NOW)
        await save_dialog(session, channel="telegram", chat_id=42, user_id=8, step="x")
    async with transaction(sessions) as session:
        dialog = await load_dialog(session, **KEY)
        assert dialog is not None
        assert (dialog.step, dialog.data, dialog.updated_at) == ("cart_edit", {"b": [1, 2]}, NOW)
        assert await load_dialog(session, **KEY, max_idle=timedelta(hours=1), now=NOW) is not None
        stale = await load_dialog(
            session, **KEY, max_idle=timedelta(hours=1), now=NOW + timedelta(hours=2)
        )
        assert stale is None
        await clear_dialog(session, **KEY)
    async with transaction(sessions) as session:
        assert await load_dialog(session, **KEY) is None
        assert await load_dialog(session, channel="telegram", chat_id=42, user_id=8) is not None


async def test_a_checkout_resumes_on_another_worker(
    sessions: SessionFactory, database_url: tuple[str, str | None]
) -> None:
    draft = start_checkout(region_hint="DE").answer("DE").answer("Anna").answer("030 1234567")
    async with transaction(sessions) as session:
        await save_dialog(session, **KEY, step="checkout", data=draft.to_json())

    url, schema = database_url  # a second engine: another process, or this one restarted
    other = create_engine(url, search_path=schema)
    try:
        async with transaction(session_factory(other)) as session:
            dialog = await load_dialog(session, **KEY)
    finally:
        await other.dispose()
    assert dialog is not None
    resumed = CheckoutDraft.from_json(dialog.data)
    assert resumed == draft
    assert resumed.step == Step.ADDRESS


async def test_a_channel_wider_than_its_column_is_refused_on_every_database(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        with pytest.raises(ValueError, match="channel"):
            await save_dialog(session, channel="telegram:too-long-a-name", chat_id=1, user_id=1,
                              step="x")  # fmt: skip


async def test_one_transaction_reads_a_chats_dialogs_once_and_sees_its_own_writes(
    engine: AsyncEngine,
) -> None:
    """The "is this an answer?" checks of one update cost one statement, not one each."""
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        await save_dialog(session, **KEY, step="checkout")
        await save_dialog(session, channel="telegram:track", chat_id=42, user_id=7, step="ship")
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", _record(statements))
    async with transaction(sessions) as session:
        first = await load_dialog(session, **KEY)
        tracking = await load_dialog(session, channel="telegram:track", chat_id=42, user_id=7)
        none = await load_dialog(session, channel="telegram:ask", chat_id=42, user_id=7)
        reads = sum(s.lstrip().upper().startswith("SELECT") for s in statements)
        await save_dialog(session, **KEY, step="summary", data={"n": 1})
        await clear_dialog(session, channel="telegram:track", chat_id=42, user_id=7)
        after = await load_dialog(session, **KEY)
        cleared = await load_dialog(session, channel="telegram:track", chat_id=42, user_id=7)
    assert first is not None and first.step == "checkout"
    assert tracking is not None and tracking.step == "ship" and none is None
    assert reads == 1
    assert after is not None and (after.step, after.data) == ("summary", {"n": 1})
    assert cleared is None
    async with transaction(sessions) as session:  # another transaction reads afresh
        await save_dialog(session, channel="telegram:ask", chat_id=42, user_id=7, step="q")
    async with transaction(sessions) as session:
        asked = await load_dialog(session, channel="telegram:ask", chat_id=42, user_id=7)
    assert asked is not None and asked.step == "q"


async def test_dialogs_announced_for_the_update_are_read_by_the_same_statement(
    engine: AsyncEngine,
) -> None:
    """The storefront's memory is kept under the customer (chat 0), the checkout under the chat:
    announced, both come with the update's first read."""
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        await save_dialog(session, **KEY, step="checkout")
        await save_dialog(session, channel="storefront", chat_id=0, user_id=5, step="memory")
        await save_dialog(session, channel="storefront", chat_id=0, user_id=6, step="theirs")
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", _record(statements))
    async with transaction(sessions) as session:
        expect_dialogs(session, (0, 5))
        checkout = await load_dialog(session, **KEY)
        memory = await load_dialog(session, channel="storefront", chat_id=0, user_id=5)
        nothing = await load_dialog(session, channel="storefront", chat_id=42, user_id=7)
        reads = sum(s.lstrip().upper().startswith("SELECT") for s in statements)
        theirs = await load_dialog(session, channel="storefront", chat_id=0, user_id=6)
    assert checkout is not None and checkout.step == "checkout"
    assert memory is not None and memory.step == "memory" and nothing is None
    assert reads == 1
    assert theirs is not None and theirs.step == "theirs"  # not announced: read on its own
    assert sum(s.lstrip().upper().startswith("SELECT") for s in statements) == 2


def _record(statements: list[str]) -> Callable[..., None]:
    def before(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    return before
