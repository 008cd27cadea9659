"""Telegram's per-bot limit across workers: `python -m benchmarks.send_rate`.

Real `chatshop serve` workers on one PostgreSQL database (their rate limiter shares its windows
there: `bot/rate_limits.py`, `outbox/limits.py`) deliver a burst of owed messages, a broadcast
of `--per-chat` messages to each of `--chats` buyers written into the outbox at once. The Bot API
stand-in records the moment of every sendMessage and answers 429 beyond 30 a second, as Telegram
does. Once with one worker, once with two; prints a table (total rate: the most accepted and the
most tried, 429s included, in any 1 s window, and the mean; per chat: the most to one chat in
any 1 s window; 429s) and saves a plot of the rate over time to `benchmarks/out/send_rate.png`.

Needs PostgreSQL: `--database-url` or CHATSHOP_TEST_POSTGRES_URL; a database of its own is
created for each run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.database import create_engine, session_factory, transaction, upgrade
from bot.settings import DEMO_TOKEN
from bot.standin import StandIn
from bot.standin.driver import BotEvent
from conversation.reply import Reply
from outbox.enqueue import enqueue
from tests.e2e.test_webhook_mode import free_loopback_port
from tests.e2e.workers import RoundRobin, Worker, worker_env

OUT = Path(__file__).parent / "out"
TELEGRAM_LIMIT = 30  # messages a second per bot
MARK = "Burst"


@dataclass
class Run:
    workers: int
    sent: dict[int, list[float]]  # chat -> moments (s since the burst was owed)
    refused: list[float]  # moments of the 429s the stand-in answered
    owed: int

    @property
    def moments(self) -> list[float]:
        return sorted(t for times in self.sent.values() for t in times)

    @property
    def delivered(self) -> int:
        return len(self.moments)

    def row(self) -> list[str]:
        moments = self.moments
        span = moments[-1] - moments[0] if len(moments) > 1 else 0.0
        per_chat = [max_in_window(sorted(times)) for times in self.sent.values()]
        mean = (len(moments) - 1) / span if span else float(len(moments))
        return [
            str(self.workers),
            f"{self.delivered}/{self.owed}",
            f"{moments[-1]:.1f}" if moments else "–",
            str(max_in_window(moments)),
            str(max_in_window(sorted(moments + self.refused))),
            f"{mean:.1f}",
            str(max(per_chat, default=0)),
            f"{statistics.median(per_chat):.0f}" if per_chat else "–",
            str(len(self.refused)),
        ]


HEADER = ["workers", "delivered", "last at s", "max in 1 s", "max tried in 1 s", "mean /s",
          "max per chat in 1 s", "median per chat in 1 s", "429s"]  # fmt: skip


def max_in_window(moments: list[float], width: float = 1.0) -> int:
    """The most moments in any window [t, t + width) of sorted `moments`."""
    best = 0
    for i, start in enumerate(moments):
        best = max(best, bisect.bisect_left(moments, start + width, lo=i) - i)
    return best


async def one_run(database: str, workers: int, chats: int, per_chat: int, data: Path) -> Run:
    """A fresh schema, `workers` workers, `chats` buyers who have started the bot, the burst."""
    engine = create_engine(database)
    sessions = session_factory(engine)
    await upgrade(engine)
    async with StandIn.start(flood_limit=TELEGRAM_LIMIT) as standin:
        world = standin.add_bot(DEMO_TOKEN, username="chatshop_bench_bot")
        ports = [free_loopback_port() for _ in range(workers)]
        proxy = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
        proxy_port = free_loopback_port()
        server = proxy.server(proxy_port)
        serving = asyncio.create_task(server.serve())
        env = worker_env(token=DEMO_TOKEN, api_url=standin.api_url, database=database,
                         public_url=f"http://127.0.0.1:{proxy_port}", data_dir=data,
                         CHATSHOP_WEBHOOK_SECRET="bench-secret_0123456789")  # fmt: skip
        pool = [Worker(port, env, data / f"worker{i}.log") for i, port in enumerate(ports)]
        try:
            for worker in pool:
                worker.start()
            await asyncio.gather(*(worker.ready() for worker in pool))
            deadline = time.monotonic() + 30
            while world.webhook is None:
                if time.monotonic() > deadline:
                    raise RuntimeError("the workers never registered their webhook")
                await asyncio.sleep(0.05)
            buyers = [standin.user(f"Buyer{n}") for n in range(chats)]
            for buyer in buyers:  # as if each had said /start: the bot may write to them
                buyer.record.known_to_bot = buyer.record.started = True
            assert standin.flood is not None
            sent: dict[int, list[float]] = defaultdict(list)
            started = time.monotonic()

            def record(event: BotEvent) -> None:
                message = event.message
                if event.kind == "new" and message and MARK in (message.text or ""):
                    sent[event.chat.id if event.chat else 0].append(time.monotonic() - started)

            standin.subscribe(record)
            async with transaction(sessions) as session:
                for round_ in range(per_chat):
                    for buyer in buyers:
                        await enqueue(session, dedupe_key=f"burst:{buyer.id}:{round_}",
                                      chat_id=buyer.id,
                                      reply=Reply(f"{MARK} {round_ + 1}/{per_chat}"))  # fmt: skip
            owed = chats * per_chat
            deadline = time.monotonic() + 60 + owed / 10
            while sum(map(len, sent.values())) < owed:
                if time.monotonic() > deadline:
                    break  # the table says how many arrived
                await asyncio.sleep(0.1)
            refused = [moment - started for moment in standin.flood.refused_at]
            return Run(workers, dict(sent), refused, owed)
        finally:
            for worker in pool:
                worker.stop()
            server.should_exit = True
            await serving
            await proxy.client.aclose()
            await engine.dispose()


async def with_database(url: str, workers: int, chats: int, per_chat: int) -> Run:
    name = f"bench_send_{uuid.uuid4().hex[:8]}"

    async def admin(statement: str) -> None:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    await admin(f'CREATE DATABASE "{name}"')
    try:
        database = make_url(url).set(database=name).render_as_string(hide_password=False)
        with tempfile.TemporaryDirectory() as data:
            return await one_run(database, workers, chats, per_chat, Path(data))
    finally:
        await admin(f'DROP DATABASE "{name}" WITH (FORCE)')


def table(runs: list[Run]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "| " + " | ".join(["---:"] * len(HEADER)) + " |"]
    lines += ["| " + " | ".join(run.row()) + " |" for run in runs]
    return "\n".join(lines)


def plot(runs: list[Run], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4))
    for run in runs:
        moments = run.moments
        if not moments:
            continue
        steps = [i / 10 for i in range(int(moments[-1] * 10) + 2)]
        rate = [
            bisect.bisect_left(moments, t) - bisect.bisect_left(moments, t - 1.0) for t in steps
        ]
        axes.plot(steps, rate, label=f"{run.workers} worker{'s' * (run.workers > 1)}")
    axes.axhline(TELEGRAM_LIMIT, color="red", linestyle="--", label="Telegram: 30/s per bot")
    axes.set_xlabel("seconds since the burst was owed")
    axes.set_ylabel("sendMessage in the last second")
    axes.set_title("Outbox burst delivered by chatshop workers on PostgreSQL")
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("CHATSHOP_TEST_POSTGRES_URL"))
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--per-chat", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--plot", type=Path, default=OUT / "send_rate.png")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("needs PostgreSQL: --database-url or CHATSHOP_TEST_POSTGRES_URL")
    runs = [
        asyncio.run(with_database(args.database_url, int(n), args.chats, args.per_chat))
        for n in args.workers.split(",")
    ]
    print(f"burst: {args.chats} chats x {args.per_chat} messages; "
          f"load average at the end: {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(table(runs))
    for run in runs:  # what the workers tried to send, the refused included
        peak = max_in_window(sorted(run.moments + run.refused))
        verdict = "PASS" if peak <= TELEGRAM_LIMIT else "FAIL"
        print(f"target: {run.workers} worker(s) tried <= {TELEGRAM_LIMIT}/s: {peak} ({verdict})")
    plot(runs, args.plot)
    print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
