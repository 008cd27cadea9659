"""Catalog imports and the buyers beside them: `python -m benchmarks.imports`.

For each database (SQLite always; PostgreSQL with `--postgres URL`, a server where this may
create and drop the database `chatshop_bench_imports`) and each size of synthetic Shopify export
(`benchmarks.import_csv`: 10k and 100k rows), it runs `chatshop catalog import` in a child
process on a fresh database and records the child's wall time, CPU time and peak RSS (from
`os.wait4`). Meanwhile this process plays buyers: one arrives every 50 ms (whether or not the
ones before are done) with one short transaction through the domain code (the catalog version a
search reads, then a stock reservation and its release, as a checkout does), timed from its
arrival; the same runs for a few seconds before the import as the baseline.
`--before PATH` runs the same imports with another checkout's code too (`/work/main`, say), each
on a database that checkout migrated itself.

Prints a markdown table, writes it to `benchmarks/out/imports.md` and plots the buyers' delays
to `benchmarks/out/imports.png`. Nothing is asserted: timings depend on what else the machine
does, so the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from benchmarks.import_csv import write_export
from bot.database import create_engine, session_factory, transaction
from catalog.models import Merchant, Variant
from catalog.stock import release_stock, reserve_stock
from catalog.version import catalog_version

OUT: Final = Path(__file__).parent / "out"
HERE: Final = Path(__file__).resolve().parent.parent
BUYER_EVERY: Final = 0.05  # seconds between a buyer's transactions
BASELINE_SECONDS: Final = 5.0
BENCH_DATABASE: Final = "chatshop_bench_imports"
BUYER_SHOP: Final = "handle,title,price,stock,inventory_policy\nmug,Mug,9.50,5,continue\n"


@dataclass(slots=True)
class Run:
    database: str
    code: str
    rows: int
    ok: bool = False
    wall: float = 0.0
    cpu: float = 0.0
    rss_mb: float = 0.0
    baseline: list[float] = field(default_factory=list)  # buyer transaction seconds, no import
    during: list[float] = field(default_factory=list)  # ... while the import runs
    failed: list[float] = field(default_factory=list)  # buyer transactions that failed


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Database:
    """A fresh, empty database per run: a new SQLite file, or the PostgreSQL bench database
    dropped and created again."""

    def __init__(self, kind: str, workdir: Path, postgres: str | None) -> None:
        self.kind, self.workdir, self.postgres = kind, workdir, postgres
        self.count = 0

    async def fresh(self) -> str:
        self.count += 1
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.workdir / f'bench{self.count}.sqlite'}"
        assert self.postgres is not None
        admin = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}"))
            await connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
        await admin.dispose()
        return make_url(self.postgres).set(database=BENCH_DATABASE).render_as_string(False)


def chatshop(code: Path, url: str, workdir: Path, *args: str) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(code),
        "CHATSHOP_DATABASE_URL": url,
        "CHATSHOP_DATA_DIR": str(workdir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        env=environment,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes]) -> tuple[int, float, float]:
    """Waits for the child: its exit status, CPU seconds and peak RSS in MB."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


async def prepare(code: Path, url: str, workdir: Path) -> None:
    """Schema by the code under test, then a one-product shop for the buyer."""
    shop = workdir / "buyer_shop.csv"
    shop.write_text(BUYER_SHOP)
    for args in (
        ("db", "upgrade"),
        ("catalog", "import", str(shop), "--merchant", "corner", "--currency", "EUR"),
    ):
        process = chatshop(code, url, workdir, *args)
        status, _, _ = await asyncio.to_thread(finish, process)
        if status != 0:
            assert process.stderr is not None
            raise RuntimeError(f"chatshop {' '.join(args)} failed: {process.stderr.read()!r}")


async def buyer(url: str, stop: asyncio.Event, failed: list[float]) -> list[float]:
    """Buyers arriving every `BUYER_EVERY` seconds until `stop`, each one short transaction:
    how long each waited (those that failed also go to `failed`).

    Open loop: a buyer arrives on time even while earlier ones still wait, so a stall of 8 s
    counts as the 160 buyers it delays, not as one slow sample (no coordinated omission).
    """
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        variant_id = await session.scalar(
            select(Variant.id).join(Merchant).where(Merchant.slug == "corner")
        )
    assert variant_id is not None

    async def one() -> float:
        started = time.perf_counter()
        try:
            async with transaction(sessions) as session:
                await catalog_version(session)
                assert await reserve_stock(session, variant_id, 1)
                await release_stock(session, variant_id, 1)
        except (OperationalError, TimeoutError):  # SQLite's "database is locked", pool timeout
            failed.append(time.perf_counter() - started)
        return time.perf_counter() - started

    buyers: list[asyncio.Task[float]] = []
    try:
        next_at = time.perf_counter()
        while not stop.is_set():
            buyers.append(asyncio.create_task(one()))
            next_at += BUYER_EVERY
            with contextlib.suppress(TimeoutError):  # the next buyer is due
                await asyncio.wait_for(stop.wait(), max(0.0, next_at - time.perf_counter()))
        return list(await asyncio.gather(*buyers))
    finally:
        await engine.dispose()


async def measure(run: Run, code: Path, database: Database, workdir: Path, csv: Path) -> None:
    url = await database.fresh()
    await prepare(code, url, workdir)
    stop = asyncio.Event()
    baseline = asyncio.create_task(buyer(url, stop, run.failed))
    await asyncio.sleep(BASELINE_SECONDS)
    stop.set()
    run.baseline = await baseline
    stop = asyncio.Event()
    during = asyncio.create_task(buyer(url, stop, run.failed))
    await asyncio.sleep(0.2)  # the buyer is connected and going
    started = time.perf_counter()
    args = ("catalog", "import", str(csv), "--merchant", "bench", "--currency", "USD")
    process = chatshop(code, url, workdir, *args)
    status, run.cpu, run.rss_mb = await asyncio.to_thread(finish, process)
    run.wall = time.perf_counter() - started
    stop.set()
    run.during = await during
    run.ok = status == 0
    if not run.ok:
        assert process.stderr is not None
        print(f"  import failed: {process.stderr.read()[-500:]!r}", file=sys.stderr)


def table(runs: list[Run]) -> str:
    lines = [
        "| database | code | rows | import s | CPU s | peak RSS MB | buyer p50 / p95 / max ms"
        " during | buyer p95 ms, no import | buyer errors |",
        "| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        during = run.during
        spread = (
            f"{1000 * statistics.median(during):.0f} / {1000 * percentile(during, 0.95):.0f}"
            f" / {1000 * max(during):.0f}"
            if during
            else "-"
        )
        lines.append(
            f"| {run.database} | {run.code} | {run.rows:,} | "
            f"{run.wall:.1f}{'' if run.ok else ' (failed)'} | {run.cpu:.1f} | {run.rss_mb:.0f} | "
            f"{spread} | {1000 * percentile(run.baseline, 0.95):.0f} | {len(run.failed)} |"
        )
    return "\n".join(lines)


def plot(runs: list[Run], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (delays, times) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels = [f"{r.database}\n{r.code}\n{r.rows // 1000}k" for r in runs]
    positions = range(len(runs))
    delays.bar(
        [p - 0.2 for p in positions],
        [1000 * percentile(r.baseline, 0.95) for r in runs],
        0.4,
        label="no import",
    )
    delays.bar(
        [p + 0.2 for p in positions],
        [1000 * percentile(r.during, 0.95) for r in runs],
        0.4,
        label="during the import",
    )
    delays.set_yscale("log")
    delays.set_xticks(list(positions), labels, fontsize=7)
    delays.set_ylabel("buyer transaction p95, ms (log)")
    delays.legend()
    delays.set_title("What a buyer waits while a catalog imports")
    times.bar(list(positions), [r.wall for r in runs], 0.5, label="wall")
    times.bar(list(positions), [r.cpu for r in runs], 0.25, label="CPU")
    times.axhline(20, color="grey", linestyle="--", linewidth=1, label="target at 100k: 20 s")
    times.set_xticks(list(positions), labels, fontsize=7)
    times.set_ylabel("seconds")
    times.legend()
    times.set_title("Import time")
    figure.tight_layout()
    figure.savefig(path, dpi=120)


async def run_all(args: argparse.Namespace) -> list[Run]:
    codes = [("this", HERE)] + ([("before", Path(args.before))] if args.before else [])
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        files = {}
        for rows in args.sizes:
            files[rows] = workdir / f"export_{rows}.csv"
            write_export(files[rows], rows)
        for kind in kinds:
            database = Database(kind, workdir, args.postgres)
            for name, code in codes:
                for rows in args.sizes:
                    if name == "before" and rows > args.before_max_rows:
                        continue
                    run = Run(kind, name, rows)
                    print(f"{kind}, {name} code, {rows:,} rows ...", file=sys.stderr)
                    await measure(run, code, database, workdir, files[rows])
                    runs.append(run)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="rows per file, comma-separated")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (postgresql+asyncpg://...)")
    parser.add_argument("--before", help="another checkout whose import to time beside this one")
    parser.add_argument(
        "--before-max-rows", type=int, default=10_000, help="skip larger files for --before"
    )
    args = parser.parse_args(argv)
    args.sizes = [int(size) for size in args.sizes.split(",")]
    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    runs = asyncio.run(run_all(args))
    report = "\n".join(
        [
            f"- command: `python -m benchmarks.imports {' '.join(argv or sys.argv[1:])}`",
            f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
            f"- load average (1 min) at start / end: {load_start:.2f} / {os.getloadavg()[0]:.2f}",
            f"- run time: {(time.perf_counter() - started) / 60:.1f} min; a buyer arrives every"
            f" {int(BUYER_EVERY * 1000)} ms, each one transaction (catalog version read, stock"
            " reserve + release), timed from arrival",
            "",
            table(runs),
        ]
    )
    print(report)
    OUT.mkdir(exist_ok=True)
    (OUT / "imports.md").write_text(report + "\n")
    plot(runs, OUT / "imports.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
