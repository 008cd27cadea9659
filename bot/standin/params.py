"""Request parameters the way the Bot API server sees them: every value is a string.

Whether a client sends a query string, a form, multipart or a JSON body, the real server turns
each field into text (JSON bodies' non-string values become their JSON text), so a `reply_markup`
arrives as the same JSON string either way. Integers that do not parse read as 0, which is why a
bad message_id answers "message to edit not found" rather than a type error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.standin.errors import bad_request
from bot.standin.files import Upload
from bot.standin.state import World


@dataclass
class Answer:
    """A method's result with the optional `description` Telegram adds (setWebhook...)."""

    result: Any
    description: str | None = None


class Params:
    def __init__(self, values: dict[str, str], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Params:
        return cls({key: as_text(value) for key, value in body.items() if value is not None})

    def get(self, name: str) -> str | None:
        """The parameter's text; an empty value counts as absent, as on the real server."""
        value = self.values.get(name)
        return value if value else None

    def int(self, name: str, default: int = 0) -> int:
        value = self.get(name)
        if value is None:
            return default
        try:
            return int(value.strip())
        except ValueError:
            return 0

    def bool(self, name: str) -> bool:
        return (self.get(name) or "").strip().lower() in ("true", "1")

    def json(self, name: str, error: str) -> Any:
        """A JSON-encoded parameter (reply_markup, results...); `error` words a parse failure."""
        value = self.get(name)
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error) from None

    def file(self, name: str) -> Upload | str | None:
        """An InputFile: an uploaded part (directly or via attach://), or a file_id or URL."""
        if name in self.uploads:
            return self.uploads[name]
        return self.attached(self.get(name))

    def attached(self, value: str | None) -> Upload | str | None:
        if value and value.startswith("attach://"):
            return self.uploads.get(value.removeprefix("attach://"))
        return value


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


Method = Callable[[World, Params], Awaitable[Any]]
