"""The end-to-end benchmark (`python -m benchmarks.bot`) with tiny numbers: it runs a real
chatshop worker and the echo bot against the stand-in and reports a row per subject and load.

Timings are never asserted: only that buyers were served and every row is there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bot import main


def _rows(table: str) -> dict[tuple[str, str], list[str]]:
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 13 and cells[2].isdigit():
            rows[(cells[0], cells[1])] = cells
    return rows


@pytest.mark.slow
def test_the_quick_benchmark_reports_every_subject_and_load(tmp_path: Path) -> None:
    argv = ["--quick", "--rates", "4", "--duration", "1", "--buyers", "2", "--burst", "3"]

    assert main([*argv, "--out", str(tmp_path)]) == 0

    rows = _rows((tmp_path / "bot.md").read_text(encoding="utf-8"))
    subjects = ("echo bot (PTB)", "chatshop polling sqlite demo")
    assert set(rows) == {(s, load) for s in subjects for load in ("paced 4/s", "burst 3")}
    for (subject, load), cells in rows.items():
        updates, lost = int(cells[2]), int(cells[3])
        assert updates > 0 and lost == 0, (subject, load, cells)
    shop = rows[("chatshop polling sqlite demo", "paced 4/s")]
    assert float(shop[6]) > 0, "the worker's SQL statements are counted"
    assert (tmp_path / "bot.png").stat().st_size > 0
