"""The send-rate benchmark, run tiny: two real workers on PostgreSQL deliver a small burst and
the table has a row for each worker count, with every owed message delivered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import send_rate

pytestmark = pytest.mark.slow


def test_a_tiny_burst_prints_a_row_per_worker_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = os.environ.get("CHATSHOP_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("the benchmark's workers need PostgreSQL: set CHATSHOP_TEST_POSTGRES_URL")
    plot = tmp_path / "send_rate.png"

    code = send_rate.main(["--database-url", url, "--chats", "4", "--per-chat", "2",
                           "--workers", "1,2", "--plot", str(plot)])  # fmt: skip

    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert code == 0
    assert [row.split("|")[1].strip() for row in rows] == ["workers", "1", "2"]
    assert all(row.split("|")[2].strip() == "8/8" for row in rows[1:])  # delivered/owed
    assert plot.stat().st_size > 0
