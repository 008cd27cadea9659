"""The stand-in's HTTP side: `{api_url}/bot{token}/{method}` and `{api_url}/file/bot{token}/{path}`.

`StandIn.start()` runs uvicorn on the caller's event loop, so the server, the driver and the bot
under test share one loop and the in-memory world needs no locks. Requests are read the way the
real Bot API server reads them (query string, form, multipart or JSON, every value as text) and
answered `{"ok": true, "result": ...}` or Telegram's error object.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.standin import chat_api, messages_api, updates_api
from bot.standin.driver import BotEvent, Chat, User
from bot.standin.errors import ApiError, StandInError, too_many_requests
from bot.standin.faults import Fault, Faults, FloodControl
from bot.standin.files import Upload
from bot.standin.params import Answer, Method, Params
from bot.standin.records import ChatRecord, Event, Member, UserRecord
from bot.standin.state import World
from bot.standin.webhook import deliver_forever

log = logging.getLogger(__name__)

METHODS: dict[str, Method] = {
    name.lower(): method
    for table in (updates_api.METHODS, messages_api.METHODS, chat_api.METHODS)
    for name, method in table.items()
}
UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C belongs to whoever runs the stand-in."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class StandIn:
    """A local Telegram Bot API server with a driver for the people on the other side."""

    def __init__(self, *, callback_timeout: float = 15.0, flood_limit: int | None = None) -> None:
        """`flood_limit`: answer 429 to sends beyond this many per second, as Telegram does."""
        self.worlds: dict[str, World] = {}
        self.faults = Faults()
        self.flood = FloodControl(flood_limit) if flood_limit is not None else None
        self.api_url = ""
        self.callback_timeout = callback_timeout
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._call, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
            ]
        )
        self._ids = itertools.count(1)
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._retry_after: dict[str, float] = {}  # a bot told to retry after a 429 is not done
        self._subscribers: list[Callable[[BotEvent], object]] = []
        self._busy_probes: list[Callable[[], Awaitable[bool]]] = []
        self._chats: dict[tuple[str, int], Chat] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    # --- lifecycle ------------------------------------------------------------------------

    @classmethod
    @contextlib.asynccontextmanager
    async def start(
        cls, host: str = "127.0.0.1", port: int = 0, **options: Any
    ) -> AsyncIterator[StandIn]:
        """Serves on host:port (0 picks a free port) until the block ends."""
        standin = cls(**options)
        config = uvicorn.Config(
            standin.app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        server = _QuietServer(config)
        serving = asyncio.create_task(server.serve())
        while not server.started:
            if serving.done():
                serving.result()  # re-raises why it could not start (port taken...)
                raise StandInError("the stand-in's HTTP server stopped before it started")
            await asyncio.sleep(0.01)
        bound = server.servers[0].sockets[0].getsockname()
        standin.api_url = f"http://{host}:{bound[1]}"
        try:
            yield standin
        finally:
            for token in list(standin.worlds):
                await standin.remove_bot(token)
            server.should_exit = True
            await serving

    # --- the world --------------------------------------------------------------------------

    def add_bot(
        self,
        token: str,
        *,
        username: str = "chatshop_demo_bot",
        first_name: str = "Chatshop",
        privacy_mode: bool = True,
        inline_mode: bool = True,
        inline_feedback: bool = False,
    ) -> World:
        """Registers a bot the server accepts; its updates are delivered by polling or webhook."""
        world = World(
            token,
            bot_username=username,
            bot_name=first_name,
            privacy_mode=privacy_mode,
            inline_mode=inline_mode,
            inline_feedback=inline_feedback,
            callback_timeout=self.callback_timeout,
        )
        if token in self.worlds:
            raise StandInError(f"a bot with token {token!r} is already registered")
        self.worlds[token] = world
        world.listeners.append(lambda event: self._publish(world, event))
        self._tasks[token] = asyncio.create_task(deliver_forever(world, self._touch))
        return world

    async def remove_bot(self, token: str) -> None:
        """Forgets a bot and everything it saw; its token is refused from now on."""
        world = self.worlds.pop(token)
        world.closing = True
        world.stop_polling("closing")
        world.webhook_changed.set()
        task = self._tasks.pop(token)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        self._chats = {key: chat for key, chat in self._chats.items() if key[0] != token}
        self._retry_after.pop(token, None)

    def _world(self, bot: str | None) -> World:
        if bot is not None:
            return self.worlds[bot]
        if not self.worlds:
            raise StandInError("add a bot with add_bot(token) first")
        return next(iter(self.worlds.values()))

    def user(
        self,
        first_name: str = "Ana",
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
        bot: str | None = None,
    ) -> User:
        """A user with a private chat with the bot (the first bot unless `bot` names one)."""
        world = self._world(bot)
        record = world.add_user(
            UserRecord(
                100_000_000 + next(self._ids),
                first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
            )
        )
        return User(self, world, record)

    def group(
        self,
        title: str,
        *,
        members: dict[User, str],
        bot_status: str = "member",
        supergroup: bool = False,
        username: str | None = None,
        bot: str | None = None,
    ) -> Chat:
        """A group of these members ({user: "creator"|"administrator"|"member"...}) and the bot."""
        world = self._world(bot)
        number = next(self._ids)
        chat_id = -(1_000_000_000_000 + number) if supergroup else -(4_000_000_000 + number)
        record = ChatRecord(
            chat_id, "supergroup" if supergroup else "group", title=title, username=username
        )
        for user, status in members.items():
            record.members[user.id] = Member(status)
        world.add_group(record, bot_status)
        return self.chat_view(world, record)

    def chat_view(self, world: World, record: ChatRecord) -> Chat:
        key = (world.token, record.id)
        if key not in self._chats:
            self._chats[key] = Chat(self, world, record)
        return self._chats[key]

    def inject_fault(
        self,
        method: str | None = None,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        chat: Chat | int | None = None,
        delay: float = 0.0,
        description: str | None = None,
    ) -> Fault:
        """Make `method` fail (429 with retry_after, 5xx...) or answer late; see `Faults.inject`."""
        chat_id = chat.id if isinstance(chat, Chat) else chat
        return self.faults.inject(
            method,
            status=status,
            retry_after=retry_after,
            times=times,
            chat_id=chat_id,
            delay=delay,
            description=description,
        )

    # --- following the bot ------------------------------------------------------------------

    def subscribe(self, callback: Callable[[BotEvent], object]) -> Callable[[], None]:
        """Calls back (sync or async) on every bot message, edit, deletion and answer.

        Returns a function that unsubscribes.
        """
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def _publish(self, world: World, event: Event) -> None:
        if not self._subscribers:
            return
        bot_event = BotEvent.wrap(self, world, event)
        for callback in list(self._subscribers):
            try:
                result = callback(bot_event)
                if asyncio.iscoroutine(result):
                    asyncio.get_running_loop().create_task(result)
            except Exception:
                log.exception("a stand-in subscriber failed on %s", event.kind)

    async def settle(self, quiet: float = 0.3, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Returns once the bot fetched every queued update and made no request for `quiet` s."""
        deadline = time.monotonic() + timeout
        while True:
            moment = time.monotonic()
            pending = sum(world.unfetched for world in self.worlds.values())
            idle = (
                moment - self._last_activity >= quiet
                and moment >= max(self._retry_after.values(), default=0.0) + quiet
            )
            if not pending and not self._in_flight and idle:
                if not await self._bot_busy():
                    return
                self._touch()  # quiet on the wire but busy inside: look again after `quiet`
            if moment >= deadline:
                raise TimeoutError(
                    f"the bot did not settle within {timeout} s: {pending} update(s) not fetched, "
                    f"{self._in_flight} request(s) in progress"
                )
            await asyncio.sleep(min(0.02, quiet / 4))

    def watch_bot(self, busy: Callable[[], Awaitable[bool]]) -> Callable[[], None]:
        """`settle` also waits while `busy()` says the bot holds work it has not done.

        A bot may spend longer than `quiet` between two requests (a loaded machine, a slow
        query), and from the wire alone that looks settled; a bot running beside the stand-in
        can say so (updates stored but not processed, messages owed but never tried)."""
        self._busy_probes.append(busy)
        return lambda: self._busy_probes.remove(busy) if busy in self._busy_probes else None

    async def _bot_busy(self) -> bool:
        for busy in list(self._busy_probes):
            if await busy():
                return True
        return False

    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    # --- HTTP -------------------------------------------------------------------------------

    async def _call(self, request: Request) -> Response:
        world = self.worlds.get(request.path_params["token"])
        if world is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        name = request.path_params["method"]
        method = METHODS.get(name.lower())
        if method is None:
            return JSONResponse(NOT_FOUND, status_code=404)
        polling = name.lower() == "getupdates"
        if not polling:
            self._in_flight += 1
        try:
            params = await _read_params(request)
            peer = request.client.port if request.client else None
            fault = self.faults.take(name, params.get("chat_id"), peer)
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                failure = fault.response()
                if failure is not None:
                    if failure.status_code == 429:
                        retry_after = fault.retry_after if fault.retry_after is not None else 1
                        self._retry_after[world.token] = time.monotonic() + retry_after
                    return failure
            flood = self.flood
            if (
                flood is not None
                and flood.counts(name, params.get("chat_id"))
                and not flood.admit(time.monotonic())
            ):
                self._retry_after[world.token] = time.monotonic() + 1
                return JSONResponse(too_many_requests(1).payload(), status_code=429)
            try:
                result = await method(world, params)
            except ApiError as error:
                return JSONResponse(error.payload(), status_code=error.status)
            except Exception:
                log.exception("the stand-in failed on %s", name)
                body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
                return JSONResponse(body, status_code=500)
            body = {"ok": True}
            if isinstance(result, Answer):
                body["result"] = result.result
                if result.description:
                    body["description"] = result.description
            else:
                body["result"] = result
            if polling and result:
                self._touch()  # updates handed over: the bot is about to work
            return JSONResponse(body)
        finally:
            if not polling:
                self._in_flight -= 1
                self._touch()

    async def _download(self, request: Request) -> Response:
        world = self.worlds.get(request.path_params["token"])
        if world is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        stored = world.files.by_path(request.path_params["path"])
        if stored is None or stored.data is None:
            return JSONResponse(NOT_FOUND, status_code=404)
        self._touch()
        return Response(stored.data, media_type=stored.mime_type or "application/octet-stream")


async def _read_params(request: Request) -> Params:
    """Query string plus body, whatever its encoding; file parts become `Upload`s."""
    values = dict(request.query_params)
    uploads: dict[str, Upload] = {}
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            values.update(Params.from_json(body).values)
    elif request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        async with request.form(max_part_size=60 << 20) as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    uploads[key] = Upload(value.filename, value.content_type, data)
                else:
                    values[key] = value
    return Params(values, uploads)
