"""The loads a subject (a chatshop worker or the echo bot) is measured under, and what each costs.

- paced: updates at a fixed rate (slots every 1/rate s, shared by all buyers; a buyer takes the
  next free slot once its previous step was answered), for a fixed time;
- burst: every buyer's next step at once, until all are answered.
Around each load the worker's CPU time and SQL counters are read, so per-update costs are the
process's own, whatever the rate limiter or the stand-in did to the wall-clock time.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.botbench.buyers import Buyer, Steps
from benchmarks.botbench.processes import Process, usage


@dataclass(frozen=True)
class Result:
    subject: str  # "chatshop polling sqlite demo", "echo bot"
    load: str  # "paced 6/s", "burst 200", "first search"
    updates: int
    lost: int
    seconds: float  # wall-clock time of the load
    cpu_ms_per_update: float
    statements_per_update: float | None
    transactions_per_update: float | None
    latencies_ms: tuple[float, ...]
    rss_mb: float
    peak_rss_mb: float
    # The benchmark's own process (stand-in, buyers): when it is busy, latencies include it.
    harness_cpu_ms_per_update: float
    by_step_ms: dict[str, tuple[float, ...]]  # search, card, option, add, cart (echo: echo)

    @property
    def updates_per_s(self) -> float:
        return (self.updates - self.lost) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float, step: str | None = None) -> float | None:
        """The p-th percentile latency (ms) of all steps, or of one kind of step."""
        return percentile(self.latencies_ms if step is None else self.by_step_ms.get(step, ()), p)


def percentile(latencies: tuple[float, ...], p: float) -> float | None:
    values = sorted(latencies)
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1]


Counter = Callable[[], tuple[int, int]]


class Meter:
    """Reads a process's CPU time and SQL counters before and after a load."""

    def __init__(
        self,
        subject: str,
        process: Process,
        counter: Counter | None,
        idle_sql_per_s: tuple[float, float] | None = None,
    ) -> None:
        self.subject = subject
        self.process = process
        self.counter = counter
        # What the worker runs with no update at all (the outbox sender's poll...) is taken off
        # the per-update SQL counts, pro rata of the time between the two readings.
        self.idle_sql_per_s = idle_sql_per_s or (0.0, 0.0)

    async def measure(self, load: str, run: Callable[[Steps], object], steps: Steps) -> Result:
        self.process.check_alive()
        await asyncio.sleep(0.5)  # let the previous load's tail (outbox, index) finish first
        cpu_before = self.process.usage().cpu_s
        harness_before = usage(os.getpid()).cpu_s
        sql_before = self.counter() if self.counter else None
        sql_read_at = started = time.perf_counter()
        await run(steps)  # type: ignore[misc]
        seconds = time.perf_counter() - started
        await asyncio.sleep(0.3)  # answers are in; let the worker finish its bookkeeping
        worker = self.process.usage()
        harness_cpu = usage(os.getpid()).cpu_s - harness_before
        updates = steps.count
        per = max(updates, 1)
        statements = transactions = None
        if self.counter and sql_before is not None:
            after = self.counter()
            window = time.perf_counter() - sql_read_at
            idle_statements, idle_transactions = (rate * window for rate in self.idle_sql_per_s)
            statements = max(0.0, after[0] - sql_before[0] - idle_statements) / per
            transactions = max(0.0, after[1] - sql_before[1] - idle_transactions) / per
        return Result(
            subject=self.subject,
            load=load,
            updates=updates,
            lost=steps.lost,
            seconds=seconds,
            cpu_ms_per_update=(worker.cpu_s - cpu_before) * 1000 / per,
            statements_per_update=statements,
            transactions_per_update=transactions,
            latencies_ms=tuple(s * 1000 for s in steps.all()),
            rss_mb=worker.rss_mb,
            peak_rss_mb=worker.peak_rss_mb,
            harness_cpu_ms_per_update=harness_cpu * 1000 / per,
            by_step_ms={k: tuple(s * 1000 for s in v) for k, v in steps.latencies.items()},
        )


async def paced(buyers: list[Buyer], steps: Steps, rate: float, duration: float) -> None:
    """`rate` steps a second for `duration` s; each buyer waits for its answer between steps."""
    await paced_until(buyers, steps, rate, lambda: False, duration)


async def paced_until(
    buyers: list[Buyer], steps: Steps, rate: float, done: Callable[[], bool], limit: float
) -> None:
    """`rate` steps a second until `done()` (checked before each step), at most `limit` s."""
    for buyer in buyers:
        buyer.steps = steps
    start = time.perf_counter()
    slots = iter(range(max(1, round(rate * limit))))

    async def one(buyer: Buyer) -> None:
        for slot in slots:
            delay = start + slot / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if done():
                return
            await buyer.step()

    await asyncio.gather(*(one(buyer) for buyer in buyers))


async def burst(buyers: list[Buyer], steps: Steps) -> None:
    """Every buyer's next step at the same moment."""
    for buyer in buyers:
        buyer.steps = steps
    await asyncio.gather(*(buyer.step() for buyer in buyers))
