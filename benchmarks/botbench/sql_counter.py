"""Counts a process's SQL statements and transactions into a 16-byte file another process reads.

Off unless the worker is started through `benchmarks.botbench.worker` with CHATSHOP_COUNT_SQL
set: then every Engine's statements (BEGIN and COMMIT themselves left out, so SQLite's explicit
`BEGIN IMMEDIATE` and PostgreSQL's implicit one count alike) and transactions (the "begin"
event) are added up. The counts live in a shared memory map of the file, so the benchmark
reads them at any moment without signalling the worker, at the cost of one `pack_into` per
statement.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

LAYOUT = struct.Struct("<QQ")  # statements, transactions
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


def install(path: Path) -> Callable[[], None]:
    """From now on, every engine in this process counts into `path` (created, zeroed).

    Returns what stops the counting (the worker never calls it; tests do)."""
    path.write_bytes(bytes(LAYOUT.size))
    with path.open("r+b") as file:
        shared = mmap.mmap(file.fileno(), LAYOUT.size)
    counts = [0, 0]

    def on_statement(
        connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if statement.lstrip()[:8].upper().startswith(_CONTROL):
            return
        counts[0] += 1
        LAYOUT.pack_into(shared, 0, *counts)

    def on_begin(connection: Any) -> None:
        counts[1] += 1
        LAYOUT.pack_into(shared, 0, *counts)

    event.listen(Engine, "before_cursor_execute", on_statement)
    event.listen(Engine, "begin", on_begin)

    def uninstall() -> None:
        event.remove(Engine, "before_cursor_execute", on_statement)
        event.remove(Engine, "begin", on_begin)
        shared.close()

    return uninstall


def read(path: Path) -> tuple[int, int]:
    """(statements, transactions) so far; (0, 0) before the worker created the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return (0, 0)
    if len(data) < LAYOUT.size:
        return (0, 0)
    statements, transactions = LAYOUT.unpack_from(data)
    return int(statements), int(transactions)
