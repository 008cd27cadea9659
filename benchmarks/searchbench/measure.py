"""Measurements: relevance per query class, latency, throughput on two cores, memory, cold start.

Choices that shape the numbers, and why:

- Latency is one query at a time in this process, after a warm-up, with the index's objects
  moved out of the garbage collector's reach (``gc.freeze()``), as a long-running bot worker
  would do; otherwise a full collection walking millions of index objects lands on a random
  query and says more about the collector than about the engine.
- Throughput uses two *processes* (the machine has two cores; rapidfuzz and our engine hold the
  GIL, so threads would measure the lock). In-memory engines are forked after the build and
  share the index copy-on-write; on-disk engines are started fresh and reopen their index.
- Memory is the growth of this process's resident set across the build (after a collection),
  i.e. what a worker must add to host the index; engines that can tell their own index size
  report it too (on-disk size for tantivy and FTS5).
- Cold start: for on-disk engines, a fresh interpreter that imports the engine, opens the index
  and answers one query; for in-memory ones, a fresh interpreter's import time plus the build
  plus the first query (documents already loaded: reading them from a database is not the
  engine's cost).
"""

from __future__ import annotations

import gc
import json
import math
import multiprocessing as mp
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.searchbench.engines.base import Engine
from benchmarks.searchbench.queries import BenchQuery

LIMIT = 10
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One query's result: 1-based rank of the intended product (0 = not in the top 10)."""

    qclass: str
    rank: int
    hits: int
    seconds: float
    negative: bool


@dataclass(frozen=True)
class ClassMetrics:
    qclass: str
    n: int
    recall1: float | None
    recall5: float | None
    recall10: float | None
    mrr10: float | None
    zero_rate: float
    false_positive: float | None
    p50_ms: float
    p95_ms: float
    p99_ms: float


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of unsorted values; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run_queries(engine: Engine, queries: Iterable[BenchQuery]) -> list[Outcome]:
    outcomes = []
    clock = time.perf_counter
    for query in queries:
        start = clock()
        ids = engine.search(query, LIMIT)
        seconds = clock() - start
        rank = 0
        if query.target is not None and query.target in ids:
            rank = ids.index(query.target) + 1
        outcomes.append(Outcome(query.qclass, rank, len(ids), seconds, query.target is None))
    return outcomes


def class_metrics(outcomes: Sequence[Outcome], classes: Sequence[str]) -> list[ClassMetrics]:
    rows = []
    for qclass in classes:
        group = [o for o in outcomes if o.qclass == qclass]
        if not group:
            continue
        ms = [o.seconds * 1000 for o in group]
        negative = group[0].negative
        n = len(group)
        rows.append(
            ClassMetrics(
                qclass=qclass,
                n=n,
                recall1=None if negative else sum(o.rank == 1 for o in group) / n,
                recall5=None if negative else sum(1 <= o.rank <= 5 for o in group) / n,
                recall10=None if negative else sum(o.rank >= 1 for o in group) / n,
                mrr10=None if negative else sum(1 / o.rank for o in group if o.rank) / n,
                zero_rate=sum(o.hits == 0 for o in group) / n,
                false_positive=sum(o.hits > 0 for o in group) / n if negative else None,
                p50_ms=percentile(ms, 50),
                p95_ms=percentile(ms, 95),
                p99_ms=percentile(ms, 99),
            )
        )
    return rows


def stratified(queries: Sequence[BenchQuery], per_class: int) -> list[BenchQuery]:
    """The first ``per_class`` queries of each class (classes are already in random order)."""
    taken: dict[str, int] = {}
    out = []
    for query in queries:
        if taken.get(query.qclass, 0) < per_class:
            taken[query.qclass] = taken.get(query.qclass, 0) + 1
            out.append(query)
    return out


def interleave(queries: Sequence[BenchQuery]) -> list[BenchQuery]:
    """Round-robin over classes, so any prefix of the list is a fair mix."""
    by_class: dict[str, list[BenchQuery]] = {}
    for query in queries:
        by_class.setdefault(query.qclass, []).append(query)
    out = []
    for i in range(max(map(len, by_class.values()), default=0)):
        out += [group[i] for group in by_class.values() if i < len(group)]
    return out


# -- throughput ------------------------------------------------------------------------------


def _qps_worker(engine: Engine, queries: list[BenchQuery], start, results) -> None:
    for query in queries[:5]:  # warm this process's caches
        engine.search(query, LIMIT)
    start.wait()
    begin = time.perf_counter()
    for query in queries:
        engine.search(query, LIMIT)
    results.put((len(queries), begin, time.perf_counter()))


def _qps_spawned(
    engine_cls: type[Engine],
    workdir: Path,
    queries: list[BenchQuery],
    start,
    results,
) -> None:
    engine = engine_cls(workdir)
    engine.reopen()
    _qps_worker(engine, queries, start, results)


def throughput(
    engine: Engine, queries: Sequence[BenchQuery], processes: int, seconds: float, mean_s: float
) -> float:
    """Queries per second with ``processes`` workers each running ~``seconds`` of queries."""
    mixed = interleave(queries)
    per_worker = max(3, min(20_000, math.ceil(seconds / max(mean_s, 1e-6))))
    # A persistent engine reopens its files in a fresh process; the others are forked with theirs.
    ctx = mp.get_context("spawn") if engine.persistent else mp.get_context("fork")
    start = ctx.Event()
    results = ctx.Queue()
    workers = []
    for w in range(processes):
        mine = [mixed[(w + i * processes) % len(mixed)] for i in range(per_worker)]
        if engine.persistent:
            args = (type(engine), engine.workdir, mine, start, results)
            workers.append(ctx.Process(target=_qps_spawned, args=args))
        else:
            workers.append(ctx.Process(target=_qps_worker, args=(engine, mine, start, results)))
    for worker in workers:
        worker.start()
    time.sleep(3.0 if engine.persistent else 0.5)  # let every worker reach the start line
    start.set()
    got = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    total = sum(count for count, _, _ in got)
    wall = max(end for _, _, end in got) - min(begin for _, begin, _ in got)
    return total / wall if wall > 0 else math.nan


# -- cold start ------------------------------------------------------------------------------

IMPORTS = {
    "chatshop": "catalog.search.index, catalog.search.query",
    "rapidfuzz": "rapidfuzz.process, rapidfuzz.fuzz, rapidfuzz.utils",
    "tantivy": "tantivy",
    "fts5": "sqlite3",
}


def _python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def import_seconds(engine_name: str) -> float:
    """Time a fresh interpreter takes to import the engine's modules."""
    code = (
        "import time; t = time.perf_counter(); import "
        + IMPORTS[engine_name]
        + "; print(time.perf_counter() - t)"
    )
    return float(_python(code))


_COLD_OPEN = """
import json, sys, time
t = time.perf_counter()
from benchmarks.searchbench.engines import engine_class
from benchmarks.searchbench.queries import BenchQuery
engine = engine_class(sys.argv[1])(__import__("pathlib").Path(sys.argv[2]))
engine.reopen()
ids = engine.search(BenchQuery("cold", sys.argv[3], sys.argv[3], None))
print(json.dumps({"seconds": time.perf_counter() - t, "hits": len(ids)}))
"""


def cold_open_seconds(engine: Engine, query: BenchQuery) -> float:
    """Fresh interpreter → import → open the on-disk index → first answer."""
    out = json.loads(_python(_COLD_OPEN, engine.name, str(engine.workdir), query.words_text))
    return float(out["seconds"])


def settle() -> None:
    """Collect garbage and freeze what survives, before timing (see module docstring)."""
    gc.collect()
    gc.freeze()


def unsettle() -> None:
    gc.unfreeze()
    gc.collect()
