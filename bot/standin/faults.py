"""Telegram misbehaving on purpose: flood limits, gateway errors and slow answers.

Tests inject a fault, run the bot, and check it copes (retries after `retry_after`, gives up
cleanly on 5xx, does not block other chats). A fault matches by method and optionally chat, fires
`times` times (or forever) and can delay the answer before failing or answering normally.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.standin.errors import ApiError, too_many_requests

_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
}
# What Telegram's nginx front answers when the Bot API behind it is down: HTML, not JSON.
_GATEWAY_PAGES = {502: "Bad Gateway", 504: "Gateway Time-out"}


@dataclass
class Fault:
    """One injected misbehaviour; `hits` counts the requests it has answered."""

    method: str | None
    status: int | None
    retry_after: int | None
    times: int | None
    chat_id: int | None
    delay: float
    description: str | None
    hits: int = 0
    # The client port of each request it answered: a test with several bot processes finds
    # which one made the request (the process owning that local port).
    peers: list[int] = field(default_factory=list)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, chat_id: str | None) -> bool:
        if self.exhausted:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == (chat_id or "")

    def response(self) -> Response | None:
        """The failing HTTP answer, or None when the fault only delays."""
        if self.status is None:
            return None
        if self.status in _GATEWAY_PAGES and self.description is None:
            title = f"{self.status} {_GATEWAY_PAGES[self.status]}"
            page = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            page += f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"  # noqa: E501 - Telegram's exact wording
            return HTMLResponse(page, status_code=self.status)
        if self.status == 429:
            error = too_many_requests(self.retry_after if self.retry_after is not None else 1)
            if self.description:
                error.description = self.description
        else:
            text = self.description or _DESCRIPTIONS.get(self.status, "Internal Server Error")
            error = ApiError(self.status, text, retry_after=self.retry_after)
        return JSONResponse(error.payload(), status_code=self.status)


class Faults:
    """The stand-in's fault table; the first matching fault answers a request."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def inject(
        self,
        method: str | None = None,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: int | None = None,
        delay: float = 0.0,
        description: str | None = None,
    ) -> Fault:
        """Make `method` (any method if None) fail with `status`, or only answer after `delay`.

        `times=None` keeps the fault until `remove` or `clear`. A 429 carries
        `parameters.retry_after` (default 1); 502/504 answer with nginx's HTML page like Telegram's
        front does; other statuses answer JSON with Telegram's wording or `description`.
        """
        fault = Fault(method, status, retry_after, times, chat_id, delay, description)
        self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        if fault in self._faults:
            self._faults.remove(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str, chat_id: str | None, peer: int | None = None) -> Fault | None:
        """The fault answering this request, counted as hit; None when the request goes through."""
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.hits += 1
                if peer is not None:
                    fault.peers.append(peer)
                return fault
        return None


class FloodControl:
    """Telegram's per-bot flood limit: a send beyond `limit` in any one second gets a 429.

    Counts the requests that post into a chat (send*, copy*, forward*, edit*); `refused` counts
    the 429s it answered and `refused_at` holds their moments, for benchmarks of the bot's own
    limiter (what it tried to send, not only what got through).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.refused = 0
        self.refused_at: list[float] = []
        self._recent: deque[float] = deque()

    @staticmethod
    def counts(method: str, chat_id: str | None) -> bool:
        name = method.lower()
        return chat_id is not None and name.startswith(("send", "copy", "forward", "edit"))

    def admit(self, moment: float) -> bool:
        while self._recent and moment - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.limit:
            self.refused += 1
            self.refused_at.append(moment)
            return False
        self._recent.append(moment)
        return True
