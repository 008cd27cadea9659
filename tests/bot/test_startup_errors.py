"""`chatshop run` ends with one clear sentence, not a traceback, when it cannot start."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from bot.settings import DEMO_TOKEN
from bot.standin.server import StandIn

pytestmark = pytest.mark.slow
CHATSHOP = str(Path(sys.executable).with_name("chatshop"))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _run(tmp_path: Path, **env: str) -> tuple[int, str]:
    """Runs `chatshop run` with these settings; its exit status and what it printed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHATSHOP_")}
    process = await asyncio.create_subprocess_exec(
        CHATSHOP,
        "run",
        env={**clean, "CHATSHOP_DATA_DIR": str(tmp_path), **env},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


def _one_sentence(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {output}"
    assert lines[0].startswith("chatshop: ") and lines[0].endswith(".")
    return lines[0]


async def test_a_missing_token_names_the_variable(tmp_path: Path) -> None:
    status, output = await _run(tmp_path)
    assert status == 2
    assert "CHATSHOP_TELEGRAM_TOKEN is not set" in _one_sentence(output)


async def test_a_malformed_setting_names_the_variable(tmp_path: Path) -> None:
    status, output = await _run(
        tmp_path, CHATSHOP_TELEGRAM_TOKEN=DEMO_TOKEN, CHATSHOP_DEFAULT_CURRENCY="dollars"
    )
    assert status == 2
    assert "CHATSHOP_DEFAULT_CURRENCY is invalid" in _one_sentence(output)


async def test_an_unreachable_database_is_one_sentence(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://nobody@127.0.0.1:{_closed_port()}/shop"
    status, output = await _run(
        tmp_path, CHATSHOP_TELEGRAM_TOKEN=DEMO_TOKEN, CHATSHOP_DATABASE_URL=url
    )
    assert status == 2
    assert "database at CHATSHOP_DATABASE_URL cannot be reached" in _one_sentence(output)


async def test_a_refused_token_is_one_sentence(tmp_path: Path) -> None:
    async with StandIn.start() as standin:
        standin.add_bot("999:another-bot-token-entirely")  # ours is not registered
        status, output = await _run(
            tmp_path, CHATSHOP_TELEGRAM_TOKEN=DEMO_TOKEN, CHATSHOP_TELEGRAM_API_URL=standin.api_url
        )
    assert status == 2
    assert "refused the token" in _one_sentence(output)


async def test_an_unreachable_bot_api_is_one_sentence(tmp_path: Path) -> None:
    status, output = await _run(
        tmp_path,
        CHATSHOP_TELEGRAM_TOKEN=DEMO_TOKEN,
        CHATSHOP_TELEGRAM_API_URL=f"http://127.0.0.1:{_closed_port()}",
    )
    assert status == 2
    assert "CHATSHOP_TELEGRAM_API_URL cannot be reached" in _one_sentence(output)
