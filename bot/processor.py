"""Updates from one chat in order, different chats at the same time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram.ext import BaseUpdateProcessor

from db.unit import update_scope
from inbox.telegram import ordering_key


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """PTB's concurrent processing, serialised per chat.

    PTB starts one task per update in arrival order; a FIFO lock per chat lets them run one after
    the other for the same chat while other chats proceed. Locks are dropped when idle.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with update_scope():  # its read-only transactions merge into one
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock, update_scope():
                await coroutine
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up: the locks are created on demand."""

    async def shutdown(self) -> None:
        """Nothing to release."""
