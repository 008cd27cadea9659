"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import alembic_config, create_engine, schema_revision, upgrade_if_behind
from bot.migrations import HEAD_REVISION
from bot.models import metadata


async def test_migrations_match_models(engine: AsyncEngine) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_head_revision_is_the_newest_migration() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


async def test_upgrade_if_behind_migrates_an_empty_database_and_then_leaves_it(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        assert await schema_revision(engine) is None
        await upgrade_if_behind(engine)
        assert await schema_revision(engine) == HEAD_REVISION
        await upgrade_if_behind(engine)  # at head: nothing to do, and nothing fails
        assert await schema_revision(engine) == HEAD_REVISION
    finally:
        await engine.dispose()
