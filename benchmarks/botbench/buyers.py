"""Simulated buyers on the stand-in and the time each waits for the bot's answer.

A chatshop buyer's session is what people do in the shop: search, open a product's card from
the results, choose an option, add it to the cart, look at the cart (the card's button or
/cart). Each step is one update; the buyer waits for the bot's visible answer (a new message or
an edit in their chat, not the bare callback answer that comes first) before the next step, as
a person does. An echo buyer just types a line and waits for it to come back.

Latency is taken in the stand-in's own process: from the moment the update is queued at the
stand-in to the moment the bot's answer is recorded there.
"""

from __future__ import annotations

import asyncio
import csv
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.standin import Message, StandIn, User
from bot.standin.records import Event
from bot.standin.state import World

ANSWER_TIMEOUT = 60.0  # seconds; a step not answered by then counts as lost, never as a time
# The first search after a start may wait for the whole search index (issue 15: 13-27 s at
# 100k products on an idle machine); it gets longer before it counts as lost.
FIRST_ANSWER_TIMEOUT = 300.0
DEMO_CATALOG = Path(__file__).resolve().parents[2] / "bot" / "demo" / "catalog" / "demo-us.csv"


class Unanswered(Exception):
    """The bot did not answer a step within ANSWER_TIMEOUT."""


class Answers:
    """Wakes whoever waits on a chat when the bot sends or edits a message there."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._waiting: dict[int, asyncio.Future[tuple[float, Message]]] = {}
        self.timeout = ANSWER_TIMEOUT
        world.listeners.append(self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.kind not in ("message", "edit") or event.chat is None or event.message is None:
            return
        waiter = self._waiting.pop(event.chat.id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result((time.perf_counter(), Message(self._world, event.message)))

    async def timed(
        self, chat_id: int, act: Callable[[], Awaitable[object]]
    ) -> tuple[float, Message]:
        """Runs `act` (one input of the user) and returns (seconds to the answer, the answer)."""
        waiter: asyncio.Future[tuple[float, Message]] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = waiter
        started = time.perf_counter()
        await act()
        try:
            answered, message = await asyncio.wait_for(waiter, self.timeout)
        except TimeoutError:
            self._waiting.pop(chat_id, None)
            raise Unanswered(f"chat {chat_id}: no answer in {self.timeout:.0f} s") from None
        return answered - started, message


def demo_queries() -> list[str]:
    """What buyers type: two words of each demo product's English title, lower case."""
    queries = []
    with DEMO_CATALOG.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            words = [w.strip(",.()'").lower() for w in row["title"].split()]
            words = [w for w in words if len(w) > 3]
            if words:
                queries.append(" ".join(words[-2:]))
    return sorted(set(queries))


@dataclass
class Steps:
    """Latencies (s) per kind of step, and how many steps went unanswered."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    lost: int = 0

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def all(self) -> list[float]:
        return [s for values in self.latencies.values() for s in values]

    @property
    def count(self) -> int:
        return len(self.all()) + self.lost


# A step: given the buyer's state, do one input; returns False when the session should restart.
Slot = Callable[[], Awaitable[bool]]


def _button(message: Message, wanted: Callable[[str, str], bool]) -> tuple[int, int] | None:
    options = [
        (r, c)
        for r, row in enumerate(message.buttons)
        for c, (text, data) in enumerate(row)
        if data is not None and wanted(text, data)
    ]
    return random.choice(options) if options else None


# A step by button: (which button, the step to take when there is none, the step after it).
_PRESSES: dict[str, tuple[Callable[[str, str], bool], str, str]] = {
    "card": (lambda _, data: data.startswith("1:prod:"), "search", "option"),
    # An option value, not the chosen one (✓) nor the quantity buttons (1, +).
    "option": (lambda text, data: data.startswith("1:opt:") and text[:1].isalpha(), "add", "add"),
    "add": (lambda _, data: data.startswith("1:add:"), "search", "cart"),
}


@dataclass
class EchoBuyer:
    """A user of the echo bot: types a line, waits for it to come back."""

    user: User
    answers: Answers
    queries: list[str]
    steps: Steps

    async def step(self) -> None:
        text = random.choice(self.queries)
        try:
            seconds, _ = await self.answers.timed(self.user.id, lambda: self.user.send(text))
        except Unanswered:
            self.steps.lost += 1
            return
        self.steps.add("echo", seconds)


@dataclass
class ShopBuyer(EchoBuyer):
    """One buyer going through sessions: search → card → option → add to cart → cart."""

    last: Message | None = None
    next_step: str = "search"

    async def _text(self, kind: str, text: str) -> Message:
        seconds, message = await self.answers.timed(self.user.id, lambda: self.user.send(text))
        self.steps.add(kind, seconds)
        return message

    async def _press(self, kind: str, message: Message, button: tuple[int, int]) -> Message:
        seconds, answer = await self.answers.timed(
            self.user.id, lambda: self.user.press(message, button, timeout=0)
        )
        self.steps.add(kind, seconds)
        return answer

    async def step(self) -> None:
        """The session's next step; a step that cannot be taken (no results...) starts anew."""
        try:
            self.next_step = await self._take(self.next_step)
        except Unanswered:
            self.steps.lost += 1
            self.next_step = "search"

    async def _take(self, kind: str) -> str:
        last = self.last
        if kind == "search" or last is None:
            self.last = await self._text("search", random.choice(self.queries))
            return "card"
        if kind in _PRESSES:
            wanted, otherwise, then = _PRESSES[kind]
            button = _button(last, wanted)
            if button is None:
                return await self._take(otherwise)
            self.last = await self._press(kind, last, button)
            return then
        # The cart: by the button under "Added to cart" or by typing /cart, half and half.
        button = _button(last, lambda _, data: data == "1:cart")
        if button is not None and random.random() < 0.5:
            self.last = await self._press("cart", last, button)
        else:
            self.last = await self._text("cart", "/cart")
        return "search"


Buyer = ShopBuyer | EchoBuyer


def make_buyers(
    standin: StandIn, world: World, answers: Answers, count: int, queries: list[str], echo: bool
) -> list[Buyer]:
    """`count` users of the bot behind `world`; give them a `Steps` before each phase."""
    kind = EchoBuyer if echo else ShopBuyer
    return [
        kind(standin.user(f"Buyer{n}", bot=world.token), answers, queries, Steps())
        for n in range(count)
    ]
