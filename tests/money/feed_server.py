"""A real HTTP server on loopback that plays the ECB feed, well and badly, for the fetch tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DAILY = (Path(__file__).parent / "data" / "eurofxref-daily.xml").read_bytes()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0  # seconds before answering


ROUTES: dict[str, Route] = {
    "/eurofxref-daily.xml": Route(body=DAILY, headers={"Content-Type": "text/xml"}),
    "/moved": Route(status=302, headers={"Location": "/eurofxref-daily.xml"}),
    "/empty": Route(body=b""),
    "/html": Route(body=b"<html><body>Maintenance</body></html>"),
    "/truncated": Route(body=DAILY[: len(DAILY) // 2]),
    "/bad-rate": Route(body=DAILY.replace(b"rate='1.113'", b"rate='1,113'")),
    "/error": Route(status=503, body=b"Service Unavailable"),
    "/huge": Route(body=b"<" + b"x" * (3 * 1024 * 1024)),
    "/slow": Route(body=DAILY, delay=2),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        route = ROUTES.get(self.path, Route(status=404, body=b"not found"))
        time.sleep(route.delay)
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        # The client may hang up first (the size limit, the timeout): that is the test passing.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(route.body)

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


@contextmanager
def serve() -> Iterator[str]:
    """Yields the server's base URL, http://127.0.0.1:<port>; stops it afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """An address on loopback where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/eurofxref-daily.xml"
