"""Fault injection: real `chatshop serve` workers on PostgreSQL, SIGKILLed mid-checkout.

Two worker processes serve one bot behind a small round-robin proxy; the Bot API stand-in
delivers their webhook through it. Buyers type their six delivery answers without waiting while
a worker is killed with SIGKILL and restarted, then all press Confirm and the other worker is
killed right after. Every update must be processed exactly once and in order per chat (each
buyer reaches a summary with exactly their own answers), each buyer's "order placed" must
arrive within 30 s of the restart, one order per buyer, every stored update done.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.database import create_engine, session_factory, transaction, upgrade
from bot.demo.seed import seed_demo_catalog
from bot.settings import DEMO_TOKEN
from bot.standin import Message, StandIn, User
from catalog.models import Variant
from inbox.models import InboxState, InboxUpdate
from orders import cart
from orders.customers import Customer
from orders.models import Order
from tests.e2e.test_webhook_mode import free_loopback_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "faults-secret_0123456789"
BUYERS = 6
OWED_WITHIN = 30.0  # seconds after the restart


@dataclass
class RoundRobin:
    """Forwards each request to the next worker; a worker that is down is skipped."""

    backends: list[str]
    turn: int = 0
    client: httpx.AsyncClient = field(
        default_factory=lambda: httpx.AsyncClient(timeout=20, trust_env=False)
    )

    async def forward(self, request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        for _ in range(len(self.backends)):
            backend = self.backends[self.turn % len(self.backends)]
            self.turn += 1
            try:
                answer = await self.client.request(
                    request.method, backend + request.url.path, content=body, headers=headers
                )
            except httpx.TransportError:
                continue
            return Response(answer.content, status_code=answer.status_code)
        return Response(b"no worker", status_code=502)


@dataclass
class Worker:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

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

    async def ready(self) -> None:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(trust_env=False) as client:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.poll() is None, (
                    self.log.read_text()
                )
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"http://127.0.0.1:{self.port}/healthz")).is_success:
                        return
                await asyncio.sleep(0.2)
        raise AssertionError(f"worker on {self.port} never got ready: {self.log.read_text()}")


@pytest.fixture
def database() -> Iterator[str]:
    """A database of its own (the workers cannot be given a schema), dropped afterwards."""
    url = os.environ.get("CHATSHOP_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("two workers need PostgreSQL: set CHATSHOP_TEST_POSTGRES_URL")
    name = f"faults_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield make_url(url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _until(condition: object, seconds: float, what: str) -> float:
    start = time.monotonic()
    while not condition():  # type: ignore[operator]
        if time.monotonic() - start > seconds:
            raise AssertionError(f"still waiting for {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - start


NAMES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel")


def _address(n: int) -> list[str]:
    # The checkout asks the country first; a US address then takes its state and ZIP code.
    return ["US", f"Ana {NAMES[n]}", f"+1 212 555 01{n:02d}", f"{n} Main Street", "New York",
            "NY", f"100{n + 1:02d}", "no"]  # fmt: skip


def _confirm_button(message: Message) -> tuple[int, int] | None:
    for r, row in enumerate(message.buttons):
        for c, (_, data) in enumerate(row):
            if data and data.startswith("1:step:summary:") and len(data) > 20:
                return (r, c)
    return None


def _summary_of(user: User) -> Message | None:
    """The order summary with its Confirm button (not the "save these details?" question)."""
    for message in reversed(user.chat.bot_messages):
        if message.text and "Main Street" in message.text and _confirm_button(message):
            return message
    return None


async def test_sigkilled_workers_lose_nothing_and_repeat_nothing(
    database: str, tmp_path: Path
) -> None:
    engine = create_engine(database)
    sessions = session_factory(engine)
    await upgrade(engine)
    await seed_demo_catalog(sessions)
    async with StandIn.start() as standin:
        world = standin.add_bot(DEMO_TOKEN, username="chatshop_test_bot")
        buyers = [standin.user(f"Buyer{n}", language_code="en") for n in range(BUYERS)]
        async with transaction(sessions) as session:
            variant = await session.scalar(
                select(Variant.id).where(Variant.stock >= 50).order_by(Variant.id).limit(1)
            )
            assert variant is not None
            for user in buyers:
                customer = Customer(telegram_user_id=user.id, locale="en", currency="USD")
                session.add(customer)
                await session.flush()
                await cart.add_to_cart(session, customer_id=customer.id, variant_id=variant)

        ports = [free_loopback_port(), free_loopback_port()]
        proxy = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
        proxy_port = free_loopback_port()
        server = uvicorn.Server(uvicorn.Config(
            Starlette(routes=[Route("/{path:path}", proxy.forward, methods=["POST", "GET"])]),
            host="127.0.0.1", port=proxy_port, log_config=None, lifespan="off",
        ))  # fmt: skip
        serving = asyncio.create_task(server.serve())
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "CHATSHOP_TELEGRAM_TOKEN": DEMO_TOKEN,
            "CHATSHOP_TELEGRAM_API_URL": standin.api_url,
            "CHATSHOP_DATABASE_URL": database,
            "CHATSHOP_PUBLIC_URL": f"http://127.0.0.1:{proxy_port}",
            "CHATSHOP_WEBHOOK_SECRET": SECRET,
            "CHATSHOP_FX_REFRESH_HOURS": "0",
            "CHATSHOP_DATA_DIR": str(tmp_path),
        }
        workers = [Worker(port, env, tmp_path / f"worker{i}.log") for i, port in enumerate(ports)]
        try:
            for worker in workers:
                worker.start()
            await asyncio.gather(*(worker.ready() for worker in workers))
            await _until(lambda: world.webhook is not None, 30, "the webhook")

            # 1. Everyone types their checkout without waiting; worker 0 dies in the middle.
            async def type_checkout(n: int, user: User) -> None:
                await user.send("/checkout")
                for answer in _address(n):
                    await user.send(answer)
                    await asyncio.sleep(0.02)

            typing = asyncio.gather(*(type_checkout(n, u) for n, u in enumerate(buyers)))
            await asyncio.sleep(0.15)
            workers[0].kill()
            await typing
            await asyncio.sleep(0.5)
            workers[0].start()
            await workers[0].ready()
            try:
                await _until(lambda: all(_summary_of(u) for u in buyers), 60, "every summary")
            except AssertionError:
                for user in buyers:
                    print(user.id, [m.text[:60] for m in user.chat.messages if m.text])
                for worker in workers:
                    print(worker.log.read_text()[-3000:])
                raise
            for n, user in enumerate(buyers):
                summary = _summary_of(user)
                assert summary is not None and summary.text is not None
                # exactly their own answers, each at its step: nothing lost, repeated or swapped
                for answer in (f"Ana {NAMES[n]}", f"{n} Main Street", f"100{n + 1:02d}"):
                    assert answer in summary.text, (n, summary.text)

            # 2. Everyone presses Confirm; worker 1 dies right after.
            async def confirm(user: User) -> None:
                summary = _summary_of(user)
                assert summary is not None
                button = _confirm_button(summary)
                assert button is not None
                await user.press(summary, button, timeout=0.01)

            await asyncio.gather(*(confirm(u) for u in buyers))
            await asyncio.sleep(0.08)
            workers[1].kill()
            await asyncio.sleep(0.5)
            workers[1].start()
            await workers[1].ready()

            def placed(user: User) -> list[Message]:
                return [m for m in user.chat.bot_messages if m.text and "is placed" in m.text]

            waited = await _until(
                lambda: all(placed(u) for u in buyers), OWED_WITHIN, "every order placed message"
            )
            await asyncio.sleep(2)  # anything sent twice would show by now
            duplicates = sum(len(placed(u)) - 1 for u in buyers)
            print(
                f"owed messages arrived {waited:.1f} s after the restart; duplicates: {duplicates}"
            )
            assert duplicates <= 1  # at most the one in flight when a worker was killed

            async with sessions() as session:
                per_buyer = (
                    await session.execute(
                        select(Order.customer_id, func.count()).group_by(Order.customer_id)
                    )
                ).all()
                states = set(await session.scalars(select(InboxUpdate.state)))
                stored = await session.scalar(select(func.count()).select_from(InboxUpdate))
            assert len(per_buyer) == BUYERS and all(count == 1 for _, count in per_buyer)
            assert states == {InboxState.DONE.value}
            assert stored == BUYERS * (len(_address(0)) + 2)  # every update stored once
        finally:
            for worker in workers:
                if worker.process is not None and worker.process.poll() is None:
                    worker.process.terminate()
                    try:
                        worker.process.wait(10)
                    except subprocess.TimeoutExpired:
                        worker.kill()
            server.should_exit = True
            await serving
            await proxy.client.aclose()
            await engine.dispose()
