"""Our web app on a loopback port the OS picks, on the caller's event loop (demo and tests)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Generator

import uvicorn
from starlette.types import ASGIApp


class QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C belongs to whoever runs the server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def loopback_socket() -> socket.socket:
    """A socket on 127.0.0.1 with a port the OS picked, bound before the app is built, so the
    app (its payment pages' links) can know its own address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextlib.asynccontextmanager
async def serve_on_loopback(app: ASGIApp, sock: socket.socket) -> AsyncIterator[str]:
    """Serves `app` on `sock` until the block ends; yields its URL."""
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = QuietServer(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if serving.done():
                serving.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield url_of(sock)
    finally:
        server.should_exit = True
        await serving
        sock.close()
