"""The database fixture itself: both backends answer and start empty."""

from sqlalchemy import text

from bot.database import SessionFactory, transaction


async def test_transaction_commits_and_rolls_back(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
