"""Real `chatshop serve` processes for the fault suite and the send-rate benchmark.

`Worker` runs one `serve` process on a loopback port (started, SIGKILLed, started again);
`RoundRobin` is the load balancer in front of several, skipping a dead one; `owner_of_port`
says which process holds a local TCP port (to learn which worker made a request the stand-in
is holding).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RoundRobin:
    """Forwards each request to the next worker; a worker that is down is skipped."""

    backends: list[str]
    turn: int = 0
    client: httpx.AsyncClient = field(
        default_factory=lambda: httpx.AsyncClient(timeout=20, trust_env=False)
    )
    # chat id -> the backend (index) each of its Telegram updates was handed to, in order
    routes: dict[int, list[int]] = field(default_factory=dict)

    async def forward(self, request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        for _ in range(len(self.backends)):
            index = self.turn % len(self.backends)
            self.turn += 1
            try:
                answer = await self.client.request(
                    request.method,
                    self.backends[index] + request.url.path,
                    content=body,
                    headers=headers,
                )
            except httpx.TransportError:
                continue
            if answer.is_success and (chat := _chat_of(body)) is not None:
                self.routes.setdefault(chat, []).append(index)
            return Response(answer.content, status_code=answer.status_code)
        return Response(b"no worker", status_code=502)

    def server(self, port: int) -> uvicorn.Server:
        app = Starlette(routes=[Route("/{path:path}", self.forward, methods=["POST", "GET"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
        return _QuietServer(config)


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C belongs to the test run."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _chat_of(body: bytes) -> int | None:
    """The chat of a Telegram update (a message or a button press), if the body is one."""
    try:
        update = json.loads(body)
        message = update.get("message") or update.get("callback_query", {}).get("message")
        return int(message["chat"]["id"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


@dataclass
class Worker:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from bot.cli import main; raise SystemExit(main(['serve']))",
                ],
                env={**self.env, "CHATSHOP_WEB_PORT": str(self.port)},
                cwd=self.log.parent,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    async def ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(trust_env=False) as client:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.poll() is None, (
                    self.log.read_text()
                )
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.url}/healthz")).is_success:
                        return
                await asyncio.sleep(0.1)
        raise AssertionError(f"worker on {self.port} never got ready: {self.log.read_text()}")


def worker_env(
    *, token: str, api_url: str, database: str, public_url: str, data_dir: Path, **extra: str
) -> dict[str, str]:
    """What `serve` needs in its environment, and nothing of the caller's (no stray settings)."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "CHATSHOP_TELEGRAM_TOKEN": token,
        "CHATSHOP_TELEGRAM_API_URL": api_url,
        "CHATSHOP_DATABASE_URL": database,
        "CHATSHOP_PUBLIC_URL": public_url,
        "CHATSHOP_FX_REFRESH_HOURS": "0",
        "CHATSHOP_DATA_DIR": str(data_dir),
        **extra,
    }


def owner_of_port(pids: list[int], port: int) -> int | None:
    """The process among `pids` with a TCP socket bound locally to `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        return pid
    return None
