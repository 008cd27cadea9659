"""Counts what the database is asked while the real bot works: statements, transactions, and
which part of the bot asked (by the tables a statement touches).

Attached to an engine with SQLAlchemy's engine events. `BEGIN` / `BEGIN IMMEDIATE` issued by the
SQLite begin hook are transactions, not statements, so both backends count alike (asyncpg's own
BEGIN never reaches the cursor).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# The first table a statement names decides which part of the bot it belongs to.
PARTS = (
    ("inbox_updates", "inbox"),
    ("customers", "identity"),
    ("dialog_states", "memory"),
    ("fx_rates", "rates"),
    ("catalog_version", "version"),
    ("outbox", "outbox"),
    ("rate_windows", "rate limit"),  # PostgreSQL's shared Telegram limits, per message sent
)
_TABLE = re.compile(r'(?:FROM|INTO|UPDATE|JOIN)\s+"?(\w+)', re.IGNORECASE)


def part_of(sql: str) -> str:
    tables = _TABLE.findall(sql)
    for table in tables:
        for prefix, part in PARTS:
            if table.startswith(prefix):
                return part
    return "use case"


@dataclass
class Tally:
    statements: int = 0
    transactions: int = 0
    immediate: int = 0  # SQLite transactions that took the write lock at BEGIN
    by_part: Counter[str] = field(default_factory=Counter)
    sql: list[str] = field(default_factory=list)

    def __sub__(self, earlier: Tally) -> Tally:
        return Tally(
            self.statements - earlier.statements,
            self.transactions - earlier.transactions,
            self.immediate - earlier.immediate,
            self.by_part - earlier.by_part,
            self.sql[len(earlier.sql) :],
        )

    def copy(self) -> Tally:
        return Tally(
            self.statements, self.transactions, self.immediate, Counter(self.by_part),
            list(self.sql),
        )  # fmt: skip


def attach(engine: AsyncEngine) -> Tally:
    """Counts every statement and transaction on `engine` from now on.

    Attach before the engine is in use: SQLAlchemy's listener lists must not change while
    another task is inside one of them (the SQLite begin hook awaits its BEGIN)."""
    tally = Tally()
    sync_engine = engine.sync_engine

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("BEGIN"):
            tally.immediate += "IMMEDIATE" in statement.upper()
            return
        tally.statements += 1
        tally.by_part[part_of(statement)] += 1
        tally.sql.append(" ".join(statement.split())[:160])

    def on_begin(_conn: Any) -> None:
        tally.transactions += 1
        tally.sql.append("BEGIN")

    event.listen(sync_engine, "before_cursor_execute", on_execute)
    event.listen(sync_engine, "begin", on_begin)
    return tally
