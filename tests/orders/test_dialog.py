"""Dialog state lives in the database: another worker, or the same one after a restart, resumes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.database import SessionFactory, create_engine, session_factory, transaction
from orders.checkout import CheckoutDraft, Step, start_checkout
from orders.dialog import DialogKey, clear_dialog, load_dialog, save_dialog
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
