"""The benchmark's SQL counter: statements and transactions of chatshop's own engine."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from benchmarks.botbench import sql_counter
from bot.database import create_engine


async def test_statements_and_transactions_are_counted_without_begin_and_commit(
    tmp_path: Path,
) -> None:
    counts = tmp_path / "counts"
    uninstall = sql_counter.install(counts)
    try:
        # chatshop's SQLite engine begins each transaction itself with BEGIN IMMEDIATE.
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        async with engine.begin() as connection:
            await connection.execute(text("SELECT x FROM t"))
        await engine.dispose()
    finally:
        uninstall()

    assert sql_counter.read(counts) == (3, 2)


def test_a_missing_file_reads_as_nothing_counted(tmp_path: Path) -> None:
    assert sql_counter.read(tmp_path / "absent") == (0, 0)
