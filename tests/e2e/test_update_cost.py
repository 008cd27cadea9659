"""What one buyer's update costs the database, end to end through the real bot.

A buyer's usual session (/start, a search, a card, an option, add to cart, the cart, another
search, the categories and one of them, /start again) is played through the stand-in while every
statement and transaction on the engine is counted, from storing the update in the inbox to
marking it done.
The idle polls of the inbox and the outbox are slowed down here: they cost per second, not per
update, and would otherwise make the count depend on how fast this machine is. So is the timer
that marks a reading update done when no other transaction of the worker came within
`FINISH_WITHIN` (with a steady stream of updates, the next one's storing carries that mark; a
lone buyer slower than that pays one more transaction for each update that only read).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import ShopApplication, build_application
from bot.database import session_factory
from bot.demo.seed import seed_demo_catalog
from bot.runner import polling
from bot.services import Services
from bot.settings import DEMO_TOKEN, load_settings
from bot.standin.driver import Message, User
from bot.standin.server import StandIn
from outbox.telegram import start_outbox_sender, stop_outbox_sender
from tests.e2e.sql_counter import Tally, attach

pytestmark = pytest.mark.slow

# Issue 15's targets, averaged over the session, everything counted (the inbox too).
TARGET_TRANSACTIONS_PER_UPDATE = 1.5
TARGET_STATEMENTS_PER_UPDATE = 5.0
# What the bot does today, with a little room: a change that makes updates dearer again fails
# here. Before issue 15: 8.6 transactions and 18.4 statements per update on SQLite, 10.8 and
# 21.8 on PostgreSQL; then 2.5 / 9.7 and 3.5 / 11.6; now 1.5 / 7.4 and 2.1 / 8.1 (an update is
# stored by its own handling's first commit; PostgreSQL's include the shared rate limiter).
NOW = {"sqlite": (1.75, 8.0), "postgresql": (2.5, 9.0)}
IDLE_POLL_SECONDS = 60.0


@dataclass
class Running:
    standin: StandIn
    application: ShopApplication
    tally: Tally
    buyer: User


@pytest.fixture
async def running(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(telegram_token=DEMO_TOKEN, fx_refresh_hours=0)
    services = Services(settings=settings, sessions=session_factory(engine))
    await seed_demo_catalog(services.sessions)
    tally = attach(engine)
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN, username="chatshop_test_bot")
        application = build_application(services, token=DEMO_TOKEN, api_url=standin.api_url)
        async with polling(application):
            await services.search_index.wait_built()
            inbox = application.bot_data.inbox
            assert inbox is not None
            inbox.poll_seconds = IDLE_POLL_SECONDS
            inbox.finish_within = IDLE_POLL_SECONDS
            await stop_outbox_sender(application)
            start_outbox_sender(application, poll_seconds=IDLE_POLL_SECONDS)
            await standin.settle()
            buyer = standin.user("Ana", language_code="en")
            yield Running(standin, application, tally, buyer)


async def _press(running: Running, message: Message, label: str) -> Message:
    for r, row in enumerate(message.buttons):
        for c, (text, _) in enumerate(row):
            if label in text:
                await running.buyer.press(message, (r, c), timeout=15)
                await running.standin.settle()
                return running.buyer.chat.last or message
    raise AssertionError(f"no button {label!r} in {message.buttons}")


async def _say(running: Running, text: str) -> Message:
    chat = running.buyer.chat
    before = len(chat.messages)
    await running.buyer.send(text)
    await chat.wait_for(timeout=20)
    await running.standin.settle()
    return [m for m in chat.messages[before:] if m.from_bot][-1]


Step = tuple[str, Callable[[Message | None], Awaitable[Message]]]


def buyer_session(running: Running) -> list[Step]:
    """The steps of a usual buyer's session; each one is one update."""
    return [
        ("/start", lambda _: _say(running, "/start")),
        ("search", lambda _: _say(running, "enamel camping mugg")),
        ("open card", lambda last: _press(running, _must(last), "1")),
        ("choose option", lambda last: _press(running, _must(last), "Red")),
        ("add to cart", lambda last: _press(running, _must(last), "Add to cart")),
        ("/cart", lambda _: _say(running, "/cart")),
        ("search", lambda _: _say(running, "t-shirt")),
        ("/categories", lambda _: _say(running, "/categories")),
        ("category", lambda last: _press(running, _must(last), "Clothing")),
        ("search", lambda _: _say(running, "headphones under 40")),
        ("open card", lambda last: _press(running, _must(last), "1")),
        ("/start", lambda _: _say(running, "/start")),
    ]


def _must(message: Message | None) -> Message:
    assert message is not None
    return message


async def play(running: Running) -> list[tuple[str, Tally]]:
    """Plays the session and returns what each update cost."""
    costs: list[tuple[str, Tally]] = []
    last: Message | None = None
    tally = running.tally
    for label, step in buyer_session(running):
        before = tally.copy()
        last = await step(last)
        costs.append((label, tally.copy() - before))
    return costs


def report(costs: list[tuple[str, Tally]]) -> str:
    lines = [f"{'update':<14} {'txns':>4} {'stmts':>5} {'immediate':>9}  by part"]
    for label, cost in costs:
        parts = ", ".join(f"{part} {n}" for part, n in sorted(cost.by_part.items()))
        lines.append(
            f"{label:<14} {cost.transactions:>4} {cost.statements:>5} {cost.immediate:>9}  {parts}"
        )
    transactions, statements = averages(costs)
    lines.append(f"{'average':<14} {transactions:>4.2f} {statements:>5.2f}")
    return "\n".join(lines)


def averages(costs: list[tuple[str, Tally]]) -> tuple[float, float]:
    n = len(costs)
    return (
        sum(cost.transactions for _, cost in costs) / n,
        sum(cost.statements for _, cost in costs) / n,
    )


async def test_a_buyers_updates_cost_no_more_than_they_do_now(
    running: Running, engine: AsyncEngine
) -> None:
    costs = await play(running)
    print("\n" + report(costs))
    if os.environ.get("CHATSHOP_SHOW_SQL"):  # where the counts come from, statement by statement
        for label, cost in costs:
            print(f"--- {label}", *cost.sql, sep="\n    ")
    assert all(cost.statements > 0 for _, cost in costs), "the counter saw every update's work"
    transactions, statements = averages(costs)
    most_transactions, most_statements = NOW[engine.dialect.name]
    assert transactions <= most_transactions, report(costs)
    assert statements <= most_statements, report(costs)


@pytest.mark.xfail(
    strict=True,
    reason="issue 15's statement target is not met yet (7.4 on SQLite, 8.1 on PostgreSQL): an "
    "update taken as it arrives checks its chat's order, is stored, and, when it only read, is "
    "marked done later (3); the buyer and the dialogs are read on every update (2); and on "
    "PostgreSQL the transactions (2.1) include the shared rate limiter's",
)
async def test_a_buyers_updates_meet_the_issues_targets(running: Running) -> None:
    costs = await play(running)
    transactions, statements = averages(costs)
    assert transactions <= TARGET_TRANSACTIONS_PER_UPDATE, report(costs)
    assert statements <= TARGET_STATEMENTS_PER_UPDATE, report(costs)
