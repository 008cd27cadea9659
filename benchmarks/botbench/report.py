"""The run's tables (markdown) and its plot."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.botbench.phases import Result
from benchmarks.botbench.runner import Options, Report


def _number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def header(options: Options, command: str) -> str:
    return "\n".join(
        [
            f"- command: `{command}`",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}",
            f"- load average (1 min) at the end: {os.getloadavg()[0]:.2f}",
            f"- buyers: {options.buyers} paced, {options.burst} in the burst; "
            f"paced loads of {options.duration:g} s",
        ]
    )


def loads_table(results: list[Result]) -> str:
    lines = [
        "| subject | load | updates | lost | updates/s | CPU ms/update | statements/update "
        "| transactions/update | p50 ms | p95 ms | p99 ms | RSS MB | harness CPU ms/update |",
        "| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.subject} | {r.load} | {r.updates} | {r.lost} | {_number(r.updates_per_s)} "
            f"| {_number(r.cpu_ms_per_update)} | {_number(r.statements_per_update)} "
            f"| {_number(r.transactions_per_update, 2)} | {_number(r.percentile(50))} "
            f"| {_number(r.percentile(95))} | {_number(r.percentile(99))} | {r.rss_mb:.0f} "
            f"| {_number(r.harness_cpu_ms_per_update)} |"
        )
    return "\n".join(lines)


STEPS = ("search", "card", "option", "add", "cart")


def steps_table(results: list[Result]) -> str:
    """p50 / p95 ms by kind of step, for chatshop's loads: where the time goes."""
    lines = [
        "| subject | load | " + " | ".join(f"{step} p50 / p95 ms" for step in STEPS) + " |",
        "| :--- | :--- |" + " ---: |" * len(STEPS),
    ]
    for r in results:
        if not any(step in r.by_step_ms for step in STEPS):
            continue
        cells = [
            f"{_number(r.percentile(50, step), 0)} / {_number(r.percentile(95, step), 0)}"
            if step in r.by_step_ms
            else "–"
            for step in STEPS
        ]
        lines.append(f"| {r.subject} | {r.load} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def starts_table(report: Report) -> str:
    lines = [
        "| subject | start-up s | first answer ms | RSS after it MB | index ready s "
        "| index child peak MB | idle CPU ms/s | idle statements/s | idle transactions/s |",
        "| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in report.starts:
        idle = s.idle_sql_per_s
        lines.append(
            f"| {s.subject} | {s.startup_s:.2f} | {s.first_answer_ms:,.0f} | {s.rss_mb:.0f} "
            f"| {_number(s.index_ready_s, 1)} | {_number(s.index_child_peak_mb, 0)} "
            f"| {s.idle_cpu_ms_per_s:.1f} | {_number(idle[0] if idle else None)} "
            f"| {_number(idle[1] if idle else None)} |"
        )
    return "\n".join(lines)


def markdown(report: Report, options: Options, command: str) -> str:
    return "\n\n".join(
        [
            header(options, command),
            loads_table(report.results),
            starts_table(report),
            steps_table(report.results),
            "Start-up: process start → the stand-in's first getUpdates (polling) or the webhook "
            "registered (webhook). First answer: one buyer's search (chatshop) or line (echo) "
            "sent right after that. With a generated catalog, buyers then go on at 20 updates/s "
            "while the worker's search index is built by a child process (\"while the index "
            'builds"); index ready: process start → that child gone; its peak RSS is the '
            "child's own, never the worker's. CPU: the worker's own user + system time over the "
            "load, "
            "divided by its updates. Statements exclude BEGIN/COMMIT; transactions count "
            "every BEGIN (SQLAlchemy's `begin` event); both include the inbox (each update is "
            "stored, then dispatched), and the idle rate (below) times the load's duration is "
            "taken off them. CPU is not net of idle. Idle: the worker's CPU, statements and "
            "transactions a second while no buyer writes (3 s; 1.5 s in --quick): the "
            "outbox sender's poll and other background work. "
            "Harness CPU: the benchmark's own process (the stand-in and the buyers) per update; "
            "latencies are taken there, so they include its delays when it is busy.",
        ]
    )


def plot(report: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = report.results
    labels = [f"{r.subject}\n{r.load}" for r in results]
    figure, (latency, cpu) = plt.subplots(1, 2, figsize=(14, max(4, 0.45 * len(results) + 1)))
    positions = range(len(results))
    for offset, p in ((-0.27, 50), (0, 95), (0.27, 99)):
        values = [r.percentile(p) or 0 for r in results]
        latency.barh([i + offset for i in positions], values, height=0.26, label=f"p{p}")
    latency.set_xscale("log")
    latency.set_yticks(list(positions), labels, fontsize=7)
    latency.invert_yaxis()
    latency.set_xlabel("latency, ms (log)")
    latency.legend()
    cpu.barh(list(positions), [r.cpu_ms_per_update for r in results], color="tab:gray")
    cpu.set_yticks(list(positions), [""] * len(results))
    cpu.invert_yaxis()
    cpu.set_xlabel("worker CPU ms per update")
    figure.suptitle("chatshop vs a bare PTB echo bot on the Bot API stand-in")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
