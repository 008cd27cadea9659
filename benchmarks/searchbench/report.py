"""Turns a run into Markdown (stdout, ``out/search.md``, the README block) and a latency plot."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from benchmarks.searchbench.engines import BRUTE_FORCE, OURS
from benchmarks.searchbench.queries import CJK_CLASSES, CLASS_NOTES
from benchmarks.searchbench.runner import EngineRun, SizeRun
from benchmarks.searchbench.sources import Provenance

PEERS_TO_BEAT = ("tantivy", "fts5")
README_BEGIN = "<!-- search-benchmark:begin -->"
README_END = "<!-- search-benchmark:end -->"


def _num(value: float | None, digits: int = 2, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}{unit}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else ":---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def summary_table(runs: Sequence[SizeRun]) -> list[str]:
    rows = []
    for size_run in runs:
        for e in size_run.engines:
            if e.error:
                rows.append([f"{e.size:,}", e.engine, e.error] + ["–"] * 10)
                continue
            rows.append(
                [
                    f"{e.size:,}",
                    e.engine,
                    _num(e.build_s),
                    _num(e.rss_mb, 0),
                    _num(e.own_mb, 0),
                    _num(e.cold_start_s),
                    _num(e.p50_ms),
                    _num(e.p95_ms),
                    _num(e.p99_ms),
                    _num(e.qps_1, 0),
                    _num(e.qps_2, 0),
                    str(e.n_queries),
                ]
            )
    header = [
        "products",
        "engine",
        "build s",
        "RSS Δ MB",
        "index MB",
        "cold start s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "QPS 1 proc",
        "QPS 2 procs",
        "queries",
    ]
    return _table(header, rows, "lr" + "r" * 10)


def relevance_table(size_run: SizeRun) -> list[str]:
    rows = []
    classes = list(dict.fromkeys(c.qclass for e in size_run.engines for c in e.classes))
    for qclass in classes:
        for e in size_run.engines:
            for c in e.classes:
                if c.qclass != qclass:
                    continue
                rows.append(
                    [
                        qclass,
                        f"**{e.engine}**" if e.engine == OURS else e.engine,
                        str(c.n),
                        _num(c.recall1, 3),
                        _num(c.recall5, 3),
                        _num(c.recall10, 3),
                        _num(c.mrr10, 3),
                        _pct(c.zero_rate),
                        _pct(c.false_positive),
                        _num(c.p50_ms),
                        _num(c.p95_ms),
                        _num(c.p99_ms),
                    ]
                )
    header = ["class", "engine", "n", "R@1", "R@5", "R@10", "MRR@10", "zero", "FP"]
    header += ["p50 ms", "p95 ms", "p99 ms"]
    return _table(header, rows, "ll" + "r" * 10)


def _engine(run: SizeRun | None, name: str) -> EngineRun | None:
    if run is None:
        return None
    return next((e for e in run.engines if e.engine == name and not e.error), None)


def _class(engine: EngineRun | None, qclass: str):
    if engine is None:
        return None
    return next((c for c in engine.classes if c.qclass == qclass), None)


def targets(runs: Sequence[SizeRun]) -> list[str]:
    """The issue's targets, each with the measured value and PASS/FAIL (or n/a)."""
    by_size = {r.size: r for r in runs}
    mid, big = by_size.get(100_000), by_size.get(1_000_000)
    ours_mid, ours_big = _engine(mid, OURS), _engine(big, OURS)
    rows: list[list[str]] = []

    def check(name: str, value: float | None, ok: bool | None, shown: str) -> None:
        if value is None or ok is None or (isinstance(value, float) and math.isnan(value)):
            rows.append([name, "–", "n/a"])
        else:
            rows.append([name, shown, "PASS" if ok else "**FAIL**"])

    def recall(qclass: str, attr: str) -> float | None:
        found = _class(ours_mid, qclass)
        return getattr(found, attr) if found else None

    if ours_mid:
        check("100k: p95 ≤ 5 ms", ours_mid.p95_ms, ours_mid.p95_ms <= 5, _num(ours_mid.p95_ms))
        check(
            "100k: ≥ 500 queries/s (2 procs)",
            ours_mid.qps_2,
            ours_mid.qps_2 >= 500,
            _num(ours_mid.qps_2, 0),
        )
        for qclass, attr, bound in (
            ("shuffled", "recall5", 0.97),
            ("typo", "recall5", 0.97),
            ("misspelled", "recall5", 0.85),
            ("clean", "recall1", 0.99),
        ):
            value = recall(qclass, attr)
            label = "R@5" if attr == "recall5" else "R@1"
            check(
                f"100k: {label} ≥ {bound} on {qclass}",
                value,
                None if value is None else value >= bound,
                _num(value, 3),
            )
        for qclass in CJK_CLASSES:  # issue 13: Chinese and Japanese as words
            value = recall(qclass, "recall5")
            check(
                f"100k: R@5 ≥ 0.95 on {qclass}",
                value,
                None if value is None else value >= 0.95,
                _num(value, 3),
            )
        fp = recall("negative", "false_positive")
        check("100k: false positives ≤ 5%", fp, None if fp is None else fp <= 0.05, _pct(fp))
        for peer in PEERS_TO_BEAT:
            other = _engine(mid, peer)
            if other is None:
                rows.append([f"100k: not behind {peer} in every class", "–", "n/a"])
                continue
            behind = []
            for c in ours_mid.classes:
                theirs = _class(other, c.qclass)
                if theirs is None:
                    continue
                if c.false_positive is not None:
                    if c.false_positive > (theirs.false_positive or 0):
                        behind.append(f"{c.qclass} FP")
                elif (c.recall5 or 0) < (theirs.recall5 or 0):
                    behind.append(f"{c.qclass} {c.recall5:.3f}<{theirs.recall5:.3f}")
            check(
                f"100k: R@5 not behind {peer} in any class (FP for negatives)",
                0.0,
                not behind,
                "behind in " + ", ".join(behind) if behind else "ahead or tied everywhere",
            )
        brute = _engine(mid, BRUTE_FORCE)
        if brute:
            ratio = brute.mean_ms / ours_mid.mean_ms
            check(
                "100k: ≥ 10× faster than brute force (mean latency)",
                ratio,
                ratio >= 10,
                f"{ratio:,.0f}×",
            )
    if ours_big:
        check("1M: p95 ≤ 20 ms", ours_big.p95_ms, ours_big.p95_ms <= 20, _num(ours_big.p95_ms))
        check("1M: build ≤ 20 s", ours_big.build_s, ours_big.build_s <= 20, _num(ours_big.build_s))
        check(
            "1M: index memory ≤ 300 MB (RSS Δ)",
            ours_big.rss_mb,
            ours_big.rss_mb <= 300,
            _num(ours_big.rss_mb, 0) + f" (own estimate {_num(ours_big.own_mb, 0)})",
        )
    if not rows:
        return ["(no run of our engine at 100k or 1M products: targets not checked)"]
    return _table(["target (ours)", "measured", "result"], rows, "lrl")


def render(
    runs: Sequence[SizeRun],
    provenance: Sequence[Provenance],
    header: dict[str, str],
    vocab_notes: Sequence[str],
) -> str:
    lines = ["# Product search benchmark", ""]
    lines += [f"- {k}: {v}" for k, v in header.items()]
    lines += ["", "## Targets", "", *targets(runs), ""]
    lines += ["## Speed, memory, build", "", *summary_table(runs), ""]
    lines += [
        "p50/p95/p99: one query at a time, all query classes mixed. QPS 1 proc = 1 / mean "
        "latency; QPS 2 procs: two worker processes on the two cores (in-memory engines forked "
        "after the build, on-disk ones reopened). RSS Δ: resident-set growth over the build; "
        "index MB: the engine's own figure (numpy arrays for ours, files on disk for tantivy "
        "and FTS5). Cold start: fresh interpreter to first answer (see measure.py).",
        "",
    ]
    for run in runs:
        lines += [f"## Relevance at {run.size:,} products", "", *relevance_table(run), ""]
    lines += ["## Engines", ""]
    first = {e.engine: e for run in runs for e in run.engines if e.description}
    lines += [f"- **{name}**: {e.description}" for name, e in first.items()]
    lines += [
        "- Peers get the query without its price phrase and their hits are post-filtered by "
        "the price limit (from the top 100); ours gets the full text and parses it itself.",
        "",
        "## Query classes",
        "",
    ]
    lines += [f"- **{k}**: {v}" for k, v in CLASS_NOTES.items()]
    lines += ["", "## Data", ""]
    for p in provenance:
        lines.append(f"- `{p.pin}`: {p.status}{' — ' + p.detail if p.detail else ''}")
    lines += [f"- note: {n}" for n in vocab_notes]
    for run in runs:
        fam = ", ".join(f"{k} {v:,}" for k, v in run.families.items())
        lines.append(
            f"- {run.size:,} products ({fam}); generated in {run.generate_s:.1f} s; queries in "
            f"{run.queries_s:.1f} s; typo edits {dict(sorted(run.typo_edits.items()))}; "
            f"misspelling distances {dict(sorted(run.misspelling_edits.items()))}"
        )
    if runs:
        lines += ["", f"Examples at {runs[0].size:,} products:", ""]
        for qclass, shown in runs[0].examples.items():
            lines += [f"- {qclass}: " + "; ".join(shown)]
    notes = [(e.size, e.engine, n) for run in runs for e in run.engines for n in e.notes]
    if notes:
        lines += ["", "## Notes from the run", ""]
        lines += [f"- {size:,} / {engine}: {note}" for size, engine, note in notes]
    return "\n".join(lines) + "\n"


def plot(runs: Sequence[SizeRun], path: Path) -> Path | None:
    """p50 and p95 latency against catalog size, one line per engine, log-log."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    engines = list(dict.fromkeys(e.engine for r in runs for e in r.engines if not e.error))
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    for i, name in enumerate(engines):
        points = [(r.size, e) for r in runs for e in r.engines if e.engine == name and not e.error]
        sizes = [s for s, _ in points]
        color = f"C{i}"
        width = 2.5 if name == OURS else 1.5
        ax.plot(
            sizes, [e.p95_ms for _, e in points], "o-", color=color, lw=width, label=f"{name} p95"
        )
        ax.plot(
            sizes,
            [e.p50_ms for _, e in points],
            "s--",
            color=color,
            lw=1,
            alpha=0.7,
            label=f"{name} p50",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("products in catalog")
    ax.set_ylabel("latency of one query (ms)")
    ax.set_title("Product search latency vs catalog size (all query classes)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def update_readme(readme: Path, block: str) -> None:
    """Replaces the generated block between the markers (appends it when absent)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    generated = f"{README_BEGIN}\n{block.rstrip()}\n{README_END}"
    if README_BEGIN in text and README_END in text:
        head, _, rest = text.partition(README_BEGIN)
        _, _, tail = rest.partition(README_END)
        text = head + generated + tail
    else:
        text = text.rstrip() + ("\n\n" if text else "") + generated + "\n"
    readme.write_text(text, encoding="utf-8")
