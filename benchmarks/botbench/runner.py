"""One benchmark run: the echo bot, then each chatshop scenario, each on a fresh stand-in.

A subject's life: its process starts (the clock runs until the stand-in sees its first
getUpdates, or its webhook registered), one buyer searches at once (the first-search latency),
then, with a generated catalog, buyers go on at 20 updates/s while the worker's search index is
built (by a child process: the load lasts until that child is gone), then the paced loads and
the burst run one after another with the same buyers.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.botbench import big_catalog, database, sql_counter
from benchmarks.botbench.buyers import (
    ANSWER_TIMEOUT,
    FIRST_ANSWER_TIMEOUT,
    Answers,
    Buyer,
    Steps,
    demo_queries,
    make_buyers,
)
from benchmarks.botbench.phases import Meter, Result, burst, paced, paced_until
from benchmarks.botbench.processes import Process, children, usage
from benchmarks.searchbench.catalog import Catalog
from bot.standin import StandIn
from bot.standin import server as standin_server
from bot.standin.state import World

ROOT = Path(__file__).resolve().parents[2]
SHOP_TOKEN = "123456:chatshop-benchmark-token-0000"
ECHO_TOKEN = "654321:echo-benchmark-token-00000000"
WEBHOOK_SECRET = "benchmark-secret_0123456789"
START_TIMEOUT = 120.0
BUILD_RATE = 20.0  # updates a second while the index builds
BUILD_LIMIT = 180.0  # seconds: a build still running then is reported as such


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...]  # "sqlite", "postgres"
    modes: tuple[str, ...]  # "polling", "webhook"
    rates: tuple[float, ...]  # paced loads, updates a second
    duration: float  # seconds of each paced load
    buyers: int  # buyers in the paced loads
    burst: int  # buyers in the burst (the paced ones among them)
    postgres_url: str
    catalogs: tuple[int, ...] = (0,)  # 0: the demo shops only; N: N generated products too
    idle: float = 3.0  # seconds the idle worker is watched, after the first answer
    echo: bool = True


@dataclass(frozen=True)
class Start:
    subject: str
    startup_s: float  # process start → first getUpdates (or webhook registered)
    first_answer_ms: float  # the first buyer's search (chatshop) or line (echo), right after
    rss_mb: float  # after that first answer
    idle_cpu_ms_per_s: float  # with nobody writing: background work (outbox, inbox, jobs)
    idle_sql_per_s: tuple[float, float] | None  # (statements, transactions) a second, idle
    index_ready_s: float | None = None  # process start → its index child gone (large catalogs)
    index_child_peak_mb: float | None = None  # that child's peak RSS: never the worker's own


@dataclass
class Report:
    starts: list[Start]
    results: list[Result]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(extra: dict[str, str]) -> dict[str, str]:
    """The caller's environment without its CHATSHOP_* settings, this tree first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATSHOP_", "ECHO_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return {**env, **extra}


@asynccontextmanager
async def _first_polls() -> AsyncIterator[dict[str, float]]:
    """When the stand-in answered each bot's first getUpdates (monotonic time), by token."""
    seen: dict[str, float] = {}
    original = standin_server.METHODS["getupdates"]

    async def get_updates(world: World, params: Any) -> Any:
        seen.setdefault(world.token, time.monotonic())
        return await original(world, params)

    standin_server.METHODS["getupdates"] = get_updates
    try:
        yield seen
    finally:
        standin_server.METHODS["getupdates"] = original


async def _until(ready: Callable[[], bool], process: Process, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        process.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.name}: still waiting for {what}")
        await asyncio.sleep(0.005)


Progress = Callable[[str], None]


async def _idle(
    process: Process, counter: Callable[[], tuple[int, int]] | None, seconds: float
) -> tuple[float, tuple[float, float] | None]:
    """CPU ms a second and (statements, transactions) a second while no buyer writes."""
    await asyncio.sleep(0.5)
    cpu = process.usage().cpu_s
    before = counter() if counter else (0, 0)
    await asyncio.sleep(seconds)
    cpu_ms = (process.usage().cpu_s - cpu) * 1000 / seconds
    if counter is None:
        return cpu_ms, None
    after = counter()
    return cpu_ms, ((after[0] - before[0]) / seconds, (after[1] - before[1]) / seconds)


async def _while_the_index_builds(
    meter: Meter, process: Process, buyers: list[Buyer]
) -> tuple[Result, float | None, float | None]:
    """Buyers at `BUILD_RATE` from the first answer until the worker's index child is gone: what
    they meet while the index builds. Also when it was ready (seconds after the process started;
    None: not within `BUILD_LIMIT`) and the child's peak RSS, sampled every 20 ms."""
    peaks: dict[int, float] = {}
    gone: list[float] = []

    async def watch() -> None:
        started = time.monotonic()
        while time.monotonic() < started + BUILD_LIMIT:
            live = children(process.pid)
            for pid in live:
                try:
                    peaks[pid] = max(peaks.get(pid, 0.0), usage(pid).peak_rss_mb)
                except OSError:  # it just ended
                    continue
            if peaks and not live:
                gone.append(time.monotonic())
                return
            if not peaks and time.monotonic() > started + 10:
                return  # no child within 10 s: the index was built in the worker
            await asyncio.sleep(0.02)

    watcher = asyncio.create_task(watch())

    async def load(steps: Steps) -> None:
        await paced_until(buyers, steps, BUILD_RATE, watcher.done, BUILD_LIMIT)

    result = await meter.measure(f"while the index builds, {BUILD_RATE:g}/s", load, Steps())
    await watcher
    ready = gone[0] - process.started_at if gone else None
    return result, ready, max(peaks.values(), default=None)


async def _measure_subject(
    subject: str,
    process: Process,
    world: World,
    standin: StandIn,
    started: Callable[[], float | None],
    counter: Callable[[], tuple[int, int]] | None,
    options: Options,
    queries: list[str],
    echo: bool,
    say: Progress,
    builds_in_child: bool = False,
) -> tuple[Start, list[Result]]:
    await _until(lambda: started() is not None, process, "its first getUpdates or webhook")
    first_seen = started()
    assert first_seen is not None
    startup = first_seen - process.started_at
    say(f"{subject}: started in {startup:.2f} s")
    answers = Answers(world)
    buyers: list[Buyer] = make_buyers(
        standin, world, answers, max(options.buyers, options.burst), queries, echo
    )
    first = Steps()
    buyers[0].steps = first
    answers.timeout = FIRST_ANSWER_TIMEOUT
    await buyers[0].step()  # the first search after the start
    answers.timeout = ANSWER_TIMEOUT
    if not first.all():
        raise RuntimeError(f"{subject}: no answer to the first search in {FIRST_ANSWER_TIMEOUT} s")
    rss = process.usage().rss_mb
    say(f"{subject}: first answer in {first.all()[0] * 1000:.0f} ms")
    results = []
    paced_buyers = buyers[: options.buyers]
    ready_s = child_mb = None
    if builds_in_child:
        during, ready_s, child_mb = await _while_the_index_builds(
            Meter(subject, process, counter), process, paced_buyers
        )
        say(f"{subject}: index ready {ready_s} s after the start; during the build "
            f"p95 {during.percentile(95)} ms")  # fmt: skip
        results.append(during)
    idle_cpu, idle_sql = await _idle(process, counter, options.idle)
    start = Start(subject, startup, first.all()[0] * 1000, rss, idle_cpu, idle_sql, ready_s,
                  child_mb)  # fmt: skip
    meter = Meter(subject, process, counter, idle_sql)
    for rate in options.rates:

        async def load(steps: Steps, rate: float = rate) -> None:
            await paced(paced_buyers, steps, rate, options.duration)

        result = await meter.measure(f"paced {rate:g}/s", load, Steps())
        say(f"{subject}: {result.load}: {result.updates} updates, p95 {result.percentile(95)}")
        results.append(result)

    async def load_burst(steps: Steps) -> None:
        await burst(buyers[: options.burst], steps)

    result = await meter.measure(f"burst {options.burst}", load_burst, Steps())
    say(f"{subject}: {result.load}: {result.updates_per_s:.1f} updates/s")
    results.append(result)
    return start, results


async def run_echo(options: Options, directory: Path, say: Progress) -> tuple[Start, list[Result]]:
    async with StandIn.start() as standin, _first_polls() as polls:
        world = standin.add_bot(ECHO_TOKEN, username="echo_bench_bot", first_name="Echo")
        env = _environment({"ECHO_TOKEN": ECHO_TOKEN, "ECHO_API_URL": standin.api_url})
        process = Process("echo bot", ["benchmarks.botbench.echo_bot"], env, directory / "echo.log")
        process.start()
        try:
            return await _measure_subject(
                "echo bot (PTB)", process, world, standin, lambda: polls.get(ECHO_TOKEN),
                None, options, demo_queries(), True, say,
            )  # fmt: skip
        finally:
            process.stop()


def catalog_name(size: int) -> str:
    return "demo" if not size else f"{size // 1000}k" if size % 1000 == 0 else str(size)


async def run_chatshop(
    kind: str,
    mode: str,
    generated: Catalog | None,
    options: Options,
    directory: Path,
    say: Progress,
) -> tuple[Start, list[Result]]:
    catalog = catalog_name(len(generated.products) if generated else 0)
    subject = f"chatshop {mode} {kind} {catalog}"
    place = directory / f"{mode}-{kind}-{catalog}"
    place.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    url = await database.prepare(kind, place, options.postgres_url, generated)
    say(f"{subject}: database ready in {time.perf_counter() - began:.1f} s")
    queries = big_catalog.queries(generated) if generated else demo_queries()
    counts = place / "sql.counts"
    async with StandIn.start() as standin, _first_polls() as polls:
        world = standin.add_bot(SHOP_TOKEN, username="chatshop_bench_bot")
        settings = {
            "CHATSHOP_TELEGRAM_TOKEN": SHOP_TOKEN,
            "CHATSHOP_TELEGRAM_API_URL": standin.api_url,
            "CHATSHOP_DATABASE_URL": url,
            "CHATSHOP_DATA_DIR": str(place),
            "CHATSHOP_FX_REFRESH_HOURS": "0",
            "CHATSHOP_COUNT_SQL": str(counts),
        }
        if mode == "webhook":
            port = _free_port()
            settings |= {
                "CHATSHOP_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "CHATSHOP_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "CHATSHOP_WEB_HOST": "127.0.0.1",
                "CHATSHOP_WEB_PORT": str(port),
            }
        command = "run" if mode == "polling" else "serve"
        process = Process(
            subject, ["benchmarks.botbench.worker", command], _environment(settings),
            place / "worker.log",
        )  # fmt: skip
        registered: list[float] = []

        def started() -> float | None:
            if mode == "polling":
                return polls.get(SHOP_TOKEN)
            if world.webhook is not None and not registered:
                registered.append(time.monotonic())
            return registered[0] if registered else None

        process.start()
        try:
            return await _measure_subject(
                subject, process, world, standin, started,
                lambda: sql_counter.read(counts), options, queries, False, say,
                builds_in_child=generated is not None,
            )  # fmt: skip
        finally:
            process.stop()


async def run(options: Options, directory: Path, say: Progress) -> Report:
    report = Report([], [])

    def record(done: tuple[Start, list[Result]]) -> None:
        report.starts.append(done[0])
        report.results.extend(done[1])

    if options.echo:
        record(await run_echo(options, directory, say))
    for size in options.catalogs:
        generated = None
        if size:
            began = time.perf_counter()
            generated = big_catalog.generate(size, say)
            say(f"{size:,} products generated in {time.perf_counter() - began:.1f} s")
        for kind in options.databases:
            for mode in options.modes:
                record(await run_chatshop(kind, mode, generated, options, directory, say))
        del generated
    return report
