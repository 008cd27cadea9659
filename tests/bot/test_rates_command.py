"""`chatshop rates refresh` against a real HTTP feed on loopback: stores, or keeps the last good."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.money.feed_server import closed_port_url, serve


@pytest.fixture
def feed_url() -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.fixture(autouse=True)
def embedded_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATSHOP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHATSHOP_DATABASE_URL", raising=False)


def test_refresh_stores_the_feeds_rates(
    feed_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHATSHOP_FX_RATES_URL", f"{feed_url}/eurofxref-daily.xml")
    assert main(["rates", "refresh"]) == 0
    assert "currencies" in capsys.readouterr().out


@pytest.mark.parametrize("path", ["/empty", "/html", "/truncated", "/error"])
def test_a_bad_feed_keeps_the_last_good_rates(
    feed_url: str, path: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHATSHOP_FX_RATES_URL", f"{feed_url}{path}")
    assert main(["rates", "refresh"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Exchange rates not refreshed (") and "stay in use" in out


def test_an_unreachable_feed_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHATSHOP_FX_RATES_URL", closed_port_url())
    assert main(["rates", "refresh"]) == 1
    assert capsys.readouterr().out.count("\n") == 1
