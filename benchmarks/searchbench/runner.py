"""One benchmark run: for each catalog size, generate data once, then put every engine through it.

Engines run one after another on the same documents and the same queries. Slow engines (brute
force above all) get a stratified sample of the queries sized to a time budget, and the report
prints ``n`` per row so a reader sees it.
"""

from __future__ import annotations

import collections
import gc
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.searchbench.catalog import CatalogGenerator
from benchmarks.searchbench.engines import BRUTE_FORCE, engine_class
from benchmarks.searchbench.measure import (
    ClassMetrics,
    class_metrics,
    cold_open_seconds,
    import_seconds,
    interleave,
    percentile,
    rss_bytes,
    run_queries,
    settle,
    stratified,
    throughput,
    unsettle,
)
from benchmarks.searchbench.queries import CLASSES, BenchQuery, QueryGenerator
from benchmarks.searchbench.vocabulary import Vocabulary
from catalog.search.document import SearchDocument

MB = 1024 * 1024


@dataclass
class Settings:
    sizes: list[int]
    engines: list[str]
    per_class: int = 200
    seed: int = 20260
    budget_s: float = 60.0  # relevance queries per engine and size
    min_per_class: int = 5
    qps_seconds: float = 2.0
    processes: int = 2
    classes: Sequence[str] = CLASSES


@dataclass
class EngineRun:
    engine: str
    size: int
    description: str = ""
    error: str = ""
    build_s: float = math.nan
    rss_mb: float = math.nan
    own_mb: float | None = None
    first_query_ms: float = math.nan
    cold_start_s: float = math.nan
    mean_ms: float = math.nan
    p50_ms: float = math.nan
    p95_ms: float = math.nan
    p99_ms: float = math.nan
    qps_1: float = math.nan
    qps_2: float = math.nan
    n_queries: int = 0
    per_class_cap: int = 0
    classes: list[ClassMetrics] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class SizeRun:
    size: int
    generate_s: float
    queries_s: float
    families: dict[str, int]
    query_counts: dict[str, int]
    typo_edits: dict[int, int]
    misspelling_edits: dict[int, int]
    examples: dict[str, list[str]]
    engines: list[EngineRun] = field(default_factory=list)


def _warm_up(engine, queries: Sequence[BenchQuery]) -> float:
    """Runs up to 20 queries (at most ~2 s) and returns their mean time, a latency estimate.

    The first query of each class is not timed: it may pay a one-time load (our Chinese
    segmenter's dictionary, a peer's searcher), which the cold-start column measures instead."""
    spent: list[float] = []
    first = {query.qclass: query for query in reversed(queries)}
    for query in first.values():
        engine.search(query)
    started = time.perf_counter()
    for query in interleave(queries)[:20]:
        begin = time.perf_counter()
        engine.search(query)
        spent.append(time.perf_counter() - begin)
        if len(spent) >= 2 and time.perf_counter() - started > 2.0:
            break
    return sum(spent) / len(spent)


def run_engine(
    name: str,
    size: int,
    docs: Sequence[SearchDocument],
    queries: list[BenchQuery],
    settings: Settings,
    log: Callable[[str], None],
) -> EngineRun:
    run = EngineRun(name, size)
    try:
        cls = engine_class(name)
    except ImportError as exc:
        run.error = f"not installed: {exc}"
        log(f"    {name}: skipped ({run.error})")
        return run
    run.description = cls.description
    with tempfile.TemporaryDirectory(prefix=f"searchbench-{name}-") as tmp:
        engine = cls(Path(tmp))
        gc.collect()
        before = rss_bytes()
        begin = time.perf_counter()
        engine.build(docs)
        run.build_s = time.perf_counter() - begin
        gc.collect()
        run.rss_mb = (rss_bytes() - before) / MB
        own = engine.index_bytes()
        run.own_mb = own / MB if own is not None else None
        begin = time.perf_counter()
        engine.search(queries[0])
        run.first_query_ms = (time.perf_counter() - begin) * 1000
        log(f"    {name}: built in {run.build_s:.2f} s, +{run.rss_mb:.0f} MB RSS")
        settle()
        try:
            estimate = _warm_up(engine, queries)
            classes = len({q.qclass for q in queries})
            cap = int(settings.budget_s / (classes * max(estimate, 1e-6)))
            run.per_class_cap = max(settings.min_per_class, min(settings.per_class, cap))
            sample = stratified(queries, run.per_class_cap)
            outcomes = run_queries(engine, sample)
            run.n_queries = len(outcomes)
            run.classes = class_metrics(outcomes, settings.classes)
            ms = [o.seconds * 1000 for o in outcomes]
            run.mean_ms = sum(ms) / len(ms)
            run.p50_ms, run.p95_ms, run.p99_ms = (percentile(ms, p) for p in (50, 95, 99))
            run.qps_1 = 1000 / run.mean_ms
            log(
                f"    {name}: {len(outcomes)} queries, p50 {run.p50_ms:.2f} ms, "
                f"p95 {run.p95_ms:.2f} ms; measuring throughput"
            )
            run.qps_2 = throughput(
                engine, sample, settings.processes, settings.qps_seconds, run.mean_ms / 1000
            )
            if engine.persistent:
                run.cold_start_s = cold_open_seconds(engine, queries[0])
            else:
                run.cold_start_s = import_seconds(name) + run.build_s + run.first_query_ms / 1000
            if run.per_class_cap < settings.per_class:
                run.notes.append(
                    f"sampled {run.per_class_cap} queries per class to fit the "
                    f"{settings.budget_s:.0f} s budget"
                )
            run.notes += engine.notes()
        finally:
            engine.close()
            del engine
            unsettle()
    return run


def run_size(
    size: int, vocab: Vocabulary, settings: Settings, log: Callable[[str], None]
) -> SizeRun:
    log(f"== {size:,} products")
    begin = time.perf_counter()
    catalog = CatalogGenerator(vocab, settings.seed).generate(size)
    generate_s = time.perf_counter() - begin
    begin = time.perf_counter()
    queries = QueryGenerator(catalog, settings.seed).generate(settings.per_class, settings.classes)
    queries_s = time.perf_counter() - begin
    counts = collections.Counter(q.qclass for q in queries)
    log(
        f"  catalog in {generate_s:.1f} s, {len(queries)} queries in {queries_s:.1f} s "
        f"({', '.join(f'{k} {v}' for k, v in counts.items())})"
    )
    examples: dict[str, list[str]] = {}
    for query in queries:
        shown = examples.setdefault(query.qclass, [])
        if len(shown) < 3:
            target = "nothing"
            if query.target:
                product = catalog.product(query.target)
                loc = product.loc if query.qclass.split("_")[0] == product.loc_lang else None
                words = loc or product.en
                target = words.title()
            shown.append(f"`{query.text}` → {target}")
    result = SizeRun(
        size=size,
        generate_s=generate_s,
        queries_s=queries_s,
        families=catalog.family_counts,
        query_counts=dict(counts),
        typo_edits=dict(collections.Counter(q.edits for q in queries if q.qclass == "typo")),
        misspelling_edits=dict(
            collections.Counter(q.edits for q in queries if q.qclass == "misspelled")
        ),
        examples=examples,
    )
    docs = catalog.documents
    del catalog  # the engines need only the documents; free the term index
    gc.collect()
    for name in settings.engines:
        settings_for = settings
        if name == BRUTE_FORCE:
            settings_for = Settings(**{**settings.__dict__, "min_per_class": 3})
        result.engines.append(run_engine(name, size, docs, queries, settings_for, log))
    return result
