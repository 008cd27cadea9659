"""Fault injection: real `chatshop serve` workers on PostgreSQL, SIGKILLed at every step.

Two worker processes serve one bot behind a small round-robin proxy; the Bot API stand-in
delivers their webhook through it. One pair of workers serves the whole module (start-up is the
expensive part); each case kills one worker with SIGKILL at its moment and starts it again at
once. The moments: after each answer of the checkout (country, name, phone, the address parts,
the "save?" question, Confirm), inside the payment webhook (before the settlement commits: the
test holds the order's row lock so the worker is caught mid-settlement; and right after the
provider got its 200), and while the outbox is sending a notice (the stand-in holds that
sendMessage, and the worker whose connection it is gets killed).

Cases: 10 checkout moments, 2 in the payment webhook, 2 mid-send (to the shop's group, to the
buyer). After each kill: every update processed exactly once and in order per chat (each buyer's
summary holds exactly their answers, one order each, every stored update done), every owed message
within 30 s of the restart (every checkout reply is owed: the next question comes even when the
worker died right after taking the answer), duplicates counted at the stand-in: at most the one
reply in flight to each chat, and only one that was sent again, stock and ledger consistent. The
workers are named (`CHATSHOP_WORKER_NAME`), so the restarted one releases at start-up the rows its
killed process held instead of waiting out their leases (10 s in the inbox, 15 s in the outbox).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url

from bot.database import SessionFactory, create_engine, session_factory, transaction, upgrade
from bot.demo.seed import seed_demo_catalog
from bot.settings import DEMO_TOKEN
from bot.standin import Chat, Message, StandIn, User
from catalog.models import Merchant, Variant
from db import utcnow
from inbox.models import InboxState, InboxUpdate
from merchants.signup import issue_claim_code
from orders import cart
from orders.customers import Customer
from orders.models import Order, OrderLine, OrderStatus
from outbox.models import OutboxMessage, OutboxState
from payments import SandboxProvider, open_checkout
from payments.checkout_links import checkout_request_for
from payments.models import PaymentEventRecord
from tests.e2e.test_webhook_mode import free_loopback_port
from tests.e2e.workers import RoundRobin, Worker, owner_of_port, worker_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.xdist_group("faults"),  # one pair of workers for the module, on one test process
]

SECRET = "faults-secret_0123456789"
SANDBOX_SECRET = "faults-sandbox-secret-0123456789"
OWED_WITHIN = 30.0  # seconds after the restart
DUPLICATE_WINDOW = 1.0  # seconds to wait for a message sent twice to show
STOCK = 1000  # of the one variant every buyer orders
KILL_AFTER = 0.05  # seconds between a buyer's message and the SIGKILL: while it is processed
NAMES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel")


def _address(n: int) -> list[str]:
    # The checkout asks the country first; a US address then takes its state and ZIP code.
    return ["US", f"Ana {NAMES[n % 8]}", f"+1 212 555 01{n % 100:02d}", f"{n} Main Street",
            "New York", "NY", f"100{n % 100 + 1:02d}", "no"]  # fmt: skip


# The message each checkout step answers, in order; a case kills a worker right after one.
STEPS = ("checkout", "country", "name", "phone", "street", "city", "state", "zip", "save")


@dataclass
class Cluster:
    standin: StandIn
    sessions: SessionFactory
    workers: list[Worker]
    proxy: RoundRobin
    public_url: str
    group: Chat  # the demo-us shop's group, where its order notices go
    variant: int
    sandbox: SandboxProvider
    buyers: int = 0

    async def buyer(self) -> tuple[int, User]:
        """A new buyer with the variant in their cart; returns (number, user)."""
        n = self.buyers
        self.buyers += 1
        user = self.standin.user(f"Buyer{n}", language_code="en")
        async with transaction(self.sessions) as session:
            customer = Customer(telegram_user_id=user.id, locale="en", currency="USD")
            session.add(customer)
            await session.flush()
            await cart.add_to_cart(session, customer_id=customer.id, variant_id=self.variant)
        return n, user

    def restart(self, worker: Worker) -> float:
        """SIGKILL, then start again at once; returns the moment of the restart."""
        worker.kill()
        worker.start()
        return time.monotonic()

    async def all_ready(self) -> None:
        await asyncio.gather(*(worker.ready() for worker in self.workers))


@pytest.fixture(scope="module")
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


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    """Two `serve` workers behind the proxy, the demo shops, demo-us claimed by its group."""
    tmp_path = tmp_path_factory.mktemp("faults")
    engine = create_engine(database)
    sessions = session_factory(engine)
    await upgrade(engine)
    await seed_demo_catalog(sessions)
    async with transaction(sessions) as session:
        merchant = await session.scalar(select(Merchant.id).where(Merchant.slug == "demo-us"))
        assert merchant is not None
        variant = await session.scalar(
            select(Variant.id).where(Variant.merchant_id == merchant).order_by(Variant.id).limit(1)
        )
        assert variant is not None
        await session.execute(update(Variant).where(Variant.id == variant).values(stock=STOCK))
        code = await issue_claim_code(session, merchant_id=merchant)
    async with StandIn.start() as standin:
        world = standin.add_bot(DEMO_TOKEN, username="chatshop_test_bot")
        mia = standin.user("Mia", language_code="en", username="mia")
        group = standin.group(
            "demo-us orders", members={mia: "administrator"}, bot_status="administrator"
        )
        ports = [free_loopback_port(), free_loopback_port()]
        proxy = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
        proxy_port = free_loopback_port()
        public_url = f"http://127.0.0.1:{proxy_port}"
        server = proxy.server(proxy_port)
        serving = asyncio.create_task(server.serve())
        env = worker_env(
            token=DEMO_TOKEN,
            api_url=standin.api_url,
            database=database,
            public_url=public_url,
            data_dir=tmp_path,
            CHATSHOP_WEBHOOK_SECRET=SECRET,
            CHATSHOP_SANDBOX_SECRET=SANDBOX_SECRET,
        )
        workers = [
            Worker(port, {**env, "CHATSHOP_WORKER_NAME": f"web-{i}"}, tmp_path / f"worker{i}.log")
            for i, port in enumerate(ports)
        ]
        cluster = Cluster(
            standin, sessions, workers, proxy, public_url, group, variant,
            SandboxProvider(SANDBOX_SECRET, public_url),
        )  # fmt: skip
        try:
            started = time.monotonic()
            for worker in workers:
                worker.start()
            await cluster.all_ready()
            print(f"two workers ready in {time.monotonic() - started:.1f} s")
            await _until(lambda: world.webhook is not None, 30, "the webhook")
            await mia.send(f"/setup demo-us {code}", group)
            await group.wait_for(lambda m: "now receives" in (m.text or ""), timeout=30)
            yield cluster
        finally:
            for worker in workers:
                worker.stop()
            server.should_exit = True
            await serving
            await proxy.client.aclose()
            await engine.dispose()


async def _until(condition: Callable[[], object], seconds: float, what: str) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"still waiting for {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - start


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


def _placed(user: User) -> list[Message]:
    return [m for m in user.chat.bot_messages if m.text and "is placed" in m.text]


async def _pay_token(cluster: Cluster, number: str) -> str:
    """The order's sandbox checkout, opened as the Pay button opens it; its page's token."""
    async with transaction(cluster.sessions) as session:
        request = await checkout_request_for(
            session, number=number, locale="en", public_url=cluster.public_url
        )
    link = await open_checkout(cluster.sessions, cluster.sandbox, request, now=utcnow())
    return link.url.rsplit("/pay/sandbox/", 1)[1]


def _about(chat: Chat, number: str) -> list[Message]:
    return [m for m in chat.bot_messages if number in (m.text or "")]


def duplicates(chat: Chat, since: int = 0) -> int:
    """Messages the bot sent into `chat` (from its `since`-th on) with a text it already sent."""
    texts = Counter(m.text for m in chat.messages[since:] if m.from_bot and m.text)
    return sum(count - 1 for count in texts.values())


async def _confirm(user: User) -> None:
    summary = _summary_of(user)
    assert summary is not None
    button = _confirm_button(summary)
    assert button is not None
    await user.press(summary, button, timeout=0.01)


async def _check_summary(n: int, user: User) -> None:
    summary = _summary_of(user)
    assert summary is not None and summary.text is not None
    # exactly their own answers, each at its step: nothing lost, repeated or swapped
    for answer in (f"Ana {NAMES[n % 8]}", f"{n} Main Street", f"100{n % 100 + 1:02d}"):
        assert answer in summary.text, (n, summary.text)


async def _show(cluster: Cluster, users: list[User]) -> None:
    for user in users:
        print(user.id, [m.text[:60] for m in user.chat.messages if m.text])
    for worker in cluster.workers:
        print(worker.log.read_text()[-3000:])


async def drained(cluster: Cluster) -> float:
    """Waits until nothing is owed (no outbox row pending or sending); returns how long.

    A row whose worker died mid-send is sent again once its lease runs out: only then can the
    duplicates be counted."""

    async def owed() -> int:
        async with cluster.sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.state.in_([OutboxState.PENDING.value, OutboxState.SENDING.value])
                )
            )
        return int(count or 0)

    start = time.monotonic()
    while await owed():
        assert time.monotonic() - start < OWED_WITHIN, "the outbox still owes messages"
        await asyncio.sleep(0.1)
    await asyncio.sleep(DUPLICATE_WINDOW)  # the last send's message reaches its chat
    return time.monotonic() - start


async def assert_consistent(cluster: Cluster, users: list[User]) -> None:
    """Every update done; one order per buyer; stock and ledger add up; nothing failed."""

    async def all_done() -> bool:
        async with cluster.sessions() as session:
            waiting = await session.scalar(
                select(func.count())
                .select_from(InboxUpdate)
                .where(InboxUpdate.state != InboxState.DONE.value)
            )
        return waiting == 0

    deadline = time.monotonic() + 10
    while not await all_done():
        assert time.monotonic() < deadline, "stored updates still not done"
        await asyncio.sleep(0.1)
    async with cluster.sessions() as session:
        ids = [u.id for u in users]
        per_buyer = (
            await session.execute(
                select(Customer.telegram_user_id, func.count(Order.id))
                .join(Order, Order.customer_id == Customer.id)
                .where(Customer.telegram_user_id.in_(ids))
                .group_by(Customer.telegram_user_id)
            )
        ).all()
        stock = await session.scalar(select(Variant.stock).where(Variant.id == cluster.variant))
        held = await session.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity), 0))
            .join(Order, Order.id == OrderLine.order_id)
            .where(
                OrderLine.variant_id == cluster.variant,
                Order.status.not_in([OrderStatus.CANCELLED.value, OrderStatus.EXPIRED.value]),
            )
        )
        paid_events = (
            await session.execute(
                select(PaymentEventRecord.order_number, func.count())
                .where(PaymentEventRecord.kind == "paid")
                .group_by(PaymentEventRecord.order_number)
            )
        ).all()
        paid_orders = set(
            await session.scalars(
                select(Order.number).where(Order.status == OrderStatus.PAID.value)
            )
        )
        failed = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.FAILED.value)
        )
    assert sorted(count for _, count in per_buyer) == [1] * len(users), per_buyer
    assert stock is not None and stock + int(held or 0) == STOCK  # nothing oversold, nothing leaked
    assert all(count == 1 for _, count in paid_events), paid_events  # one ledger row a payment
    assert {number for number, _ in paid_events} == paid_orders  # and every paid order has one
    assert failed == 0


def _delivered(proxy: RoundRobin, chat: int, count: int) -> Callable[[], bool]:
    """Whether `count` updates of `chat` reached a worker through the proxy."""
    return lambda: len(proxy.routes.get(chat, ())) >= count


async def _checkout(
    cluster: Cluster, users: list[tuple[int, User]], kill_at: str | None
) -> float | None:
    """The buyers type their checkout without waiting. Right after the first buyer's answer to
    `kill_at` reached a worker (which then processes it: the worker that stores an update
    claims it at once, the other only polls), that worker is killed and started again.
    Returns the moment of the restart, if there was one."""
    restarted = None
    answers = {user.id: ["/checkout", *_address(n)] for n, user in users}
    first = users[0][1]
    for step, name in enumerate(STEPS):
        await asyncio.gather(*(u.send(answers[u.id][step]) for _, u in users))
        if name == kill_at:
            await _until(_delivered(cluster.proxy, first.id, step + 1), 10, "the delivery")
            await asyncio.sleep(KILL_AFTER)
            restarted = cluster.restart(cluster.workers[cluster.proxy.routes[first.id][step]])
        await asyncio.sleep(0.02)
    return restarted


async def _place(cluster: Cluster, users: list[tuple[int, User]]) -> list[str]:
    """Checkout and Confirm without faults; the order numbers, once every buyer was told."""
    await _checkout(cluster, users, None)
    await _until(lambda: all(_summary_of(u) for _, u in users), 30, "every summary")
    await asyncio.gather(*(_confirm(u) for _, u in users))
    await _until(lambda: all(_placed(u) for _, u in users), 30, "every order placed")
    numbers = []
    for _, user in users:
        async with cluster.sessions() as session:
            number = await session.scalar(
                select(Order.number)
                .join(Customer, Customer.id == Order.customer_id)
                .where(Customer.telegram_user_id == user.id)
            )
        assert number is not None
        numbers.append(number)
    return numbers


@pytest.mark.parametrize("step", [*STEPS, "confirm"])
async def test_a_worker_killed_at_a_checkout_step(cluster: Cluster, step: str) -> None:
    """Three buyers type without waiting; the worker processing the first one's answer to
    `step` dies (Confirm: the worker the first press went to)."""
    await cluster.all_ready()
    users = [await cluster.buyer() for _ in range(3)]
    restarted = await _checkout(cluster, users, step)
    try:
        await _until(lambda: all(_summary_of(u) for _, u in users), OWED_WITHIN, "every summary")
        for n, user in users:
            await _check_summary(n, user)
        await asyncio.gather(*(_confirm(u) for _, u in users))
        if step == "confirm":
            first = users[0][1].id
            await _until(_delivered(cluster.proxy, first, len(STEPS) + 1), 10, "the press")
            await asyncio.sleep(KILL_AFTER)
            restarted = cluster.restart(cluster.workers[cluster.proxy.routes[first][-1]])
        assert restarted is not None
        waited = OWED_WITHIN - (time.monotonic() - restarted)
        await _until(lambda: all(_placed(u) for _, u in users), waited, "every order placed")
        print(f"{step}: owed messages within {time.monotonic() - restarted:.1f} s of the restart")
    except AssertionError:
        await _show(cluster, [u for _, u in users])
        raise
    await drained(cluster)  # anything sent twice would show by now
    per_chat = [duplicates(u.chat) for _, u in users]
    chats = [u.id for _, u in users]
    async with cluster.sessions() as session:
        # claimed again after the kill: the update the dead worker held (none when it had
        # already finished, or not yet claimed, what it was sent)
        again = await session.scalar(
            select(func.count())
            .select_from(InboxUpdate)
            .where(InboxUpdate.chat_key.in_(chats), InboxUpdate.attempts > 1)
        )
        # the replies the dead worker was sending (one a chat at a time): sent again after it
        resent = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_id.in_(chats), OutboxMessage.attempts > 1)
        )
    print(f"{step}: duplicates {per_chat}, updates taken over from the dead worker {again}, "
          f"replies sent again {resent}")  # fmt: skip
    # A reply is sent twice only when the worker died between Telegram taking it and the
    # "sent" mark: at most the one in flight to each chat, and only one that was sent again.
    assert max(per_chat) <= 1 and sum(per_chat) <= int(resent or 0)
    await assert_consistent(cluster, [u for _, u in users])


async def _provider_posts(url: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
        return await client.post(url, content=body, headers=headers)


async def _until_provider_hears_200(cluster: Cluster, token: str) -> None:
    """The provider's retries (Stripe retries any answer but 2xx), through the proxy."""
    deadline = time.monotonic() + OWED_WITHIN
    while True:
        headers, body = cluster.sandbox.signed_event(token)
        try:
            answer = await _provider_posts(f"{cluster.public_url}/payments/sandbox", headers, body)
            if answer.status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the payment webhook never answered 200"
        await asyncio.sleep(0.5)


async def _waiting_on_a_lock(cluster: Cluster) -> bool:
    async with cluster.sessions() as session:
        # a session of this database waiting for a lock (the server may be shared)
        waiting = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return bool(waiting)


@pytest.mark.parametrize("moment", ["before settlement", "after settlement"])
async def test_a_worker_killed_during_the_payment_webhook(cluster: Cluster, moment: str) -> None:
    await cluster.all_ready()
    n, user = await cluster.buyer()
    [number] = await _place(cluster, [(n, user)])
    token = await _pay_token(cluster, number)
    victim = cluster.workers[n % 2]
    headers, body = cluster.sandbox.signed_event(token)
    if moment == "before settlement":
        # Hold the order's row: the worker's settlement waits on it, uncommitted, and dies there.
        async with cluster.sessions() as holder, holder.begin():
            await holder.execute(select(Order.id).where(Order.number == number).with_for_update())
            posting = asyncio.create_task(
                _provider_posts(f"{victim.url}/payments/sandbox", headers, body)
            )
            deadline = time.monotonic() + 10
            while not await _waiting_on_a_lock(cluster):
                assert time.monotonic() < deadline, "the settlement never reached the order"
                await asyncio.sleep(0.05)
            restarted = cluster.restart(victim)
        with pytest.raises(httpx.TransportError):
            await posting  # the provider heard nothing: it retries
        await _until_provider_hears_200(cluster, token)
    else:
        answer = await _provider_posts(f"{victim.url}/payments/sandbox", headers, body)
        assert answer.status_code == 200
        restarted = cluster.restart(victim)
        await _until_provider_hears_200(cluster, token)  # a replay: must change nothing
    left = OWED_WITHIN - (time.monotonic() - restarted)
    await _until(lambda: _about(user.chat, number)[1:], left, "the buyer told of the payment")
    await _until(lambda: _about(cluster.group, number), left, "the shop's notice")
    print(f"{moment}: owed messages within {time.monotonic() - restarted:.1f} s of the restart")
    await drained(cluster)
    counted = duplicates(user.chat) + len(_about(cluster.group, number)) - 1
    print(f"{moment}: duplicates {counted}")
    assert counted <= 1
    await assert_consistent(cluster, [user])


@pytest.mark.parametrize("target", ["shop group", "buyer"])
async def test_a_worker_killed_while_sending_a_notice(cluster: Cluster, target: str) -> None:
    await cluster.all_ready()
    n, user = await cluster.buyer()
    [number] = await _place(cluster, [(n, user)])
    chat = cluster.group if target == "shop group" else user.chat
    # Telegram is slow to answer this send: the worker sending it is killed meanwhile.
    held = cluster.standin.inject_fault("sendMessage", chat=chat, delay=2.0)
    await _until_provider_hears_200(cluster, await _pay_token(cluster, number))
    await _until(lambda: held.hits, 10, "the notice's send")
    pids = [w.process.pid for w in cluster.workers if w.process is not None]
    sender = owner_of_port(pids, held.peers[0])
    assert sender is not None, "no worker holds the connection of the held send"
    victim = next(w for w in cluster.workers if w.process and w.process.pid == sender)
    async with cluster.sessions() as session:
        # in flight when it dies: the held send, and any other of its round (the other chat's
        # notice may have reached Telegram with its "sent" not yet recorded)
        in_flight = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.SENDING.value)
        )
    restarted = cluster.restart(victim)
    await _until(lambda: _about(user.chat, number)[1:], OWED_WITHIN, "the buyer told")
    await _until(lambda: _about(cluster.group, number), OWED_WITHIN, "the shop's notice")
    print(f"{target}: owed messages within {time.monotonic() - restarted:.1f} s of the restart")
    await drained(cluster)  # the held send lands, and the row is sent again once released
    # (the restarted worker has started by now: its start-up line, if it released anything)
    released = [line for line in victim.log.read_text().splitlines() if "released" in line]
    print(f"{target}: {released[-1] if released else 'the restarted worker released nothing'}")
    per_chat = [duplicates(user.chat), len(_about(cluster.group, number)) - 1]
    print(f"{target}: duplicates {per_chat} (buyer, shop group), in flight at the kill {in_flight}")
    assert sum(per_chat) >= 1  # the held send reached its chat and was sent again
    assert max(per_chat) <= 1 and sum(per_chat) <= int(in_flight or 0)  # nothing beyond those
    await assert_consistent(cluster, [user])
