"""A request layer for PTB that answers the few Bot API methods these tests need, offline.

PTB's own tests use the same idea: the real `Bot` and `Application`, with a `BaseRequest` that
never touches the network. Every call is recorded for the assertions.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 777, "is_bot": True, "first_name": "Shop", "username": "chatshop_test_bot"}


class FakeBotApi(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def sent(self) -> list[dict[str, Any]]:
        """The sendMessage calls, oldest first."""
        return [params for method, params in self.calls if method == "sendMessage"]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, params))
        if name == "getMe":
            result: Any = BOT_USER
        elif name == "sendMessage":
            result = {
                "message_id": len(self.calls),
                "date": 0,
                "chat": {"id": params["chat_id"], "type": "private"},
                "text": params["text"],
            }
        elif name in {"setWebhook", "deleteWebhook", "setMyCommands"}:
            result = True
        else:
            return 400, json.dumps({"ok": False, "description": f"{name} not faked"}).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()
