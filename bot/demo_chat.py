"""`chatshop demo`: the real bot, the local Bot API stand-in and a buyer typing in this terminal.

Nothing leaves the machine: the bot talks to `bot.standin` on loopback, the database is an
embedded SQLite file seeded with the bundled demo catalog. The person at the keyboard is a
Telegram user; what the bot sends anywhere (the buyer's chat, a merchant's group) is printed as
it arrives. Inline buttons are numbered, and typing a number presses one. Without a terminal on
standard input it reads one message per line and stops at the end, so it can be scripted.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from pathlib import Path
from typing import TextIO

from bot.app import build_application
from bot.bootstrap import bootstrap
from bot.runner import polling
from bot.settings import DEMO_TOKEN, Settings, load_settings
from bot.standin.driver import BotEvent, Chat, Message, User
from bot.standin.server import StandIn

BANNER = """chatshop demo: you are a Telegram user whose app speaks {language}.
Type /start, or what you are looking for ("wireles headphnes under 50").
Numbers press the buttons shown as [1] [2] ...; start a line with ' to send it as text.
/quit or Ctrl-C ends the demo.
"""
QUIT = {"/quit", "/exit"}
ANSWER_TIMEOUT = 30  # seconds to wait for the bot's first answer to a line


def demo_settings(*, fresh: bool) -> Settings:
    """The environment's settings, on the demo's own SQLite file and with no network jobs."""
    data_dir = load_settings().data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / "demo.sqlite"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    return load_settings(
        telegram_token=DEMO_TOKEN,
        database_url=f"sqlite+aiosqlite:///{database}",
        fx_refresh_hours=0,  # offline: the bundled exchange rates
    )


async def run_demo(
    *, language: str, fresh: bool, stdin: TextIO | None = None, out: TextIO | None = None
) -> None:
    from bot.demo.seed import seed_demo_catalog  # the catalog files load only for the demo

    stdin, out = stdin or sys.stdin, out or sys.stdout
    settings = demo_settings(fresh=fresh)
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN, username="chatshop_demo_bot", first_name="chatshop")
        services, engine = await bootstrap(settings)
        try:
            await seed_demo_catalog(services.sessions)
            application = build_application(services, token=DEMO_TOKEN, api_url=standin.api_url)
            buyer = standin.user("You", language_code=language)
            terminal = Terminal(standin, buyer, out, photos=settings.data_dir / "demo-photos")
            out.write(BANNER.format(language=language))
            async with polling(application):
                await terminal.converse(stdin)
        finally:
            await engine.dispose()


class Terminal:
    """Prints what the bot does and turns typed lines into messages and button presses."""

    def __init__(self, standin: StandIn, buyer: User, out: TextIO, *, photos: Path) -> None:
        self.standin = standin
        self.buyer = buyer
        self.out = out
        self.photos = photos
        self.numbered: list[tuple[Message, tuple[int, int]]] = []
        self.answered = asyncio.Event()
        standin.subscribe(self.show)

    async def converse(self, stdin: TextIO) -> None:
        lines = _read_lines(stdin)
        interactive = stdin.isatty()
        while True:
            if interactive:
                self.out.write("> ")
                self.out.flush()
            line = await lines.get()
            if line is None or line.strip() in QUIT:
                return
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if not interactive:
                self.out.write(f"> {line}\n")
            answered = self.answered = asyncio.Event()
            await self.act(line)
            # The bot may think longer than the stand-in's quiet period (the first search builds
            # its index), so wait for its first answer before waiting for it to fall silent.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(answered.wait(), ANSWER_TIMEOUT)
            await self.standin.settle()

    async def act(self, line: str) -> None:
        number = line.strip()
        if number.isdigit() and 1 <= int(number) <= len(self.numbered):
            message, position = self.numbered[int(number) - 1]
            await self.buyer.press(message, position)
        else:
            await self.buyer.send(line.removeprefix("'"))

    # --- what the bot does --------------------------------------------------------------------

    def show(self, event: BotEvent) -> None:
        self.answered.set()
        if event.kind == "callback_answer" and event.detail.get("text"):
            self._print(f"  ({event.detail['text']})")
        if event.kind not in {"new", "edit"} or event.message is None or event.chat is None:
            return
        where = self._where(event.chat)
        label = "bot (edited)" if event.kind == "edit" else "bot"
        self._print(f"{where}{label}: " + self._body(event.message))
        if event.chat.id == self.buyer.chat.id:
            self._number_buttons(event.message)

    def _where(self, chat: Chat) -> str:
        if chat.id == self.buyer.chat.id:
            return ""
        return f"[to the chat «{chat.title or chat.id}»] "

    def _body(self, message: Message) -> str:
        lines = [message.text or ""]
        if message.photo is not None:
            lines.insert(0, f"[photo: {self._photo_path(message)}]")
        if message.document is not None:
            lines.insert(0, f"[file: {message.document.file_name or message.document.file_id}]")
        for row in message.reply_keyboard:
            lines.append("  keyboard: " + " | ".join(row))
        return "\n".join(line for line in lines if line)

    def _photo_path(self, message: Message) -> str:
        photo = message.photo
        assert photo is not None
        if photo.data is None:
            return photo.url or photo.file_id
        self.photos.mkdir(parents=True, exist_ok=True)
        path = self.photos / f"{photo.file_unique_id}.{_extension(photo.data)}"
        if not path.exists():
            path.write_bytes(photo.data)
        return str(path)

    def _number_buttons(self, message: Message) -> None:
        rows = message.buttons
        if not rows:
            return
        self.numbered = [
            (message, (r, c))
            for r, row in enumerate(rows)
            for c, (_, data) in enumerate(row)
            if data is not None and not str(data).startswith(("http://", "https://"))
        ]
        number = 0
        for row in rows:
            shown = []
            for text, data in row:
                if data is not None and str(data).startswith(("http://", "https://")):
                    shown.append(f"[{text}: {data}]")
                else:
                    number += 1
                    shown.append(f"[{number}] {text}")
            self._print("  " + "  ".join(shown))

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def _extension(data: bytes) -> str:
    return "png" if data.startswith(b"\x89PNG") else "jpg"


def _read_lines(stdin: TextIO) -> asyncio.Queue[str | None]:
    """Lines typed, read by a daemon thread so Ctrl-C never waits for a blocked read."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="demo-stdin", daemon=True).start()
    return lines
