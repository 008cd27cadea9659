"""The database fixture itself: both backends answer and start empty."""

import asyncio

from sqlalchemy import text

from bot.database import SessionFactory, transaction
from catalog.version import bump_catalog_version, catalog_version
from db import READ_ONLY


async def test_transaction_commits_and_rolls_back(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_a_long_read_only_session_never_holds_off_writers(sessions: SessionFactory) -> None:
    """The search warm-up reads for seconds at 100k products; on SQLite every other transaction
    takes the write lock at BEGIN, so a reader that did too would stall every buyer."""
    async with sessions() as reader:
        await reader.connection(execution_options={READ_ONLY: True})
        before = await catalog_version(reader)
        async with asyncio.timeout(5):  # busy_timeout is 30 s: a held lock would show here
            async with transaction(sessions) as writer:
                after = await bump_catalog_version(writer)
        assert await catalog_version(reader) >= before  # and it reads on
    assert after > before
