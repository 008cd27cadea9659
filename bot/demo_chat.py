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
import re
import secrets
import sys
import threading
from dataclasses import replace
from html import unescape
from pathlib import Path
from typing import TextIO

import httpx
from sqlalchemy import delete

from bot.app import build_application
from bot.bootstrap import bootstrap
from bot.database import SessionFactory, transaction
from bot.pending_work import watch_bot
from bot.runner import polling
from bot.services import directory_from_settings
from bot.settings import DEMO_TOKEN, Settings, load_settings
from bot.standin.driver import BotEvent, Chat, Message, User
from bot.standin.server import StandIn
from bot.web.app import create_web_app
from bot.web.local_server import loopback_socket, serve_on_loopback, url_of
from inbox.models import InboxUpdate
from merchants.settings import shop_by_slug
from merchants.staff import add_staff

BANNER = """chatshop demo: you are a Telegram user whose app speaks {language}.
Type /start, or what you are looking for ("wireles headphnes under 50").
Numbers press the buttons shown as [1] [2] ...; start a line with ' to send it as text.
A Pay link opens the sandbox payment page: open it in a browser, or press its number here.
Paid orders reach the shop's chat; its buttons are pressed by its staff member Mia, and a line
starting with ! is Mia typing there (the carrier and tracking number when shipping).
/quit or Ctrl-C ends the demo.
"""
QUIT = {"/quit", "/exit"}
DEMO_PHONE = "+12025550143"  # what "Share my phone number" shares in the demo
ANSWER_TIMEOUT = 30  # seconds to wait for the bot's first answer to a line


def demo_settings(*, fresh: bool, web_url: str) -> Settings:
    """The environment's settings, on the demo's own SQLite file and with no network jobs.

    Payments go to the sandbox provider, whose checkout pages our own web server shows at
    `web_url` (open the Pay link in a browser, or press it here: the demo clicks for you).
    """
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
        public_url=web_url,
        sandbox_secret=secrets.token_urlsafe(24),
        stripe_api_key=None,
    )


async def run_demo(
    *, language: str, fresh: bool, stdin: TextIO | None = None, out: TextIO | None = None
) -> None:
    from bot.demo.seed import seed_demo_catalog  # the catalog files load only for the demo

    stdin, out = stdin or sys.stdin, out or sys.stdout
    sock = loopback_socket()
    settings = demo_settings(fresh=fresh, web_url=url_of(sock))
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN, username="chatshop_demo_bot", first_name="chatshop")
        services, engine = await bootstrap(settings)
        payments = directory_from_settings(settings)
        services = replace(services, payments=payments)
        try:
            await seed_demo_catalog(services.sessions)
            await forget_previous_telegram(services.sessions)
            application = build_application(services, token=DEMO_TOKEN, api_url=standin.api_url)
            web = create_web_app(services, application, payments=payments)
            buyer = standin.user("You", language_code=language)
            staff = await open_shop_chats(standin, services.sessions)
            terminal = Terminal(
                standin, buyer, out, photos=settings.data_dir / "demo-photos", staff=staff
            )
            out.write(BANNER.format(language=language))
            watch_bot(standin, services.sessions)  # a piped line waits for what the bot owes
            async with polling(application), serve_on_loopback(web, sock) as web_url:
                terminal.web_url = web_url
                await terminal.converse(stdin)
        finally:
            await payments.aclose()
            await engine.dispose()


async def forget_previous_telegram(sessions: SessionFactory) -> None:
    """The stand-in is a new Telegram at every start and numbers its updates from 1 again, so the
    inbox's memory of the last run's update ids would swallow this run's first messages."""
    async with transaction(sessions) as session:
        await session.execute(delete(InboxUpdate))


async def open_shop_chats(standin: StandIn, sessions: SessionFactory) -> dict[int, User]:
    """A group per demo shop where its order notices arrive, with one staff member each.

    Returns the staff member of each group (by chat id): they press the buttons there.
    """
    from bot.demo.shops import SHOPS

    staff: dict[int, User] = {}
    async with transaction(sessions) as session:
        shops = [await shop_by_slug(session, shop.slug) for shop in SHOPS]
        for shop in shops:  # the previous run's chats first, so the new ids are free
            if shop is not None:
                shop.settings.notify_chat_id = None
        await session.flush()
        for shop in shops:
            if shop is None:
                continue
            member = standin.user("Mia", language_code=shop.merchant.language, username="mia")
            group = standin.group(
                f"{shop.merchant.name} orders",
                members={member: "creator"},
                bot_status="administrator",
            )
            shop.settings.notify_chat_id = group.id
            await add_staff(
                session, merchant_id=shop.merchant.id, user_id=member.id, name="Mia (@mia)"
            )
            staff[group.id] = member
    return staff


class Terminal:
    """Prints what the bot does and turns typed lines into messages and button presses.

    Lines go to the bot from the buyer; a line starting with `!` is said by the staff member in
    the shop chat that spoke last (the shipping dialog asks for the carrier there). Numbers
    press the buttons last shown, in whichever chat, as that chat's person.
    """

    def __init__(
        self,
        standin: StandIn,
        buyer: User,
        out: TextIO,
        *,
        photos: Path,
        staff: dict[int, User] | None = None,
    ) -> None:
        self.standin = standin
        self.buyer = buyer
        self.staff = staff or {}
        self.shop_chat: Chat | None = None
        self.out = out
        self.photos = photos
        self.numbered: list[tuple[Message, tuple[int, int]]] = []
        self.web_url = ""
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
            message, (row, column) = self.numbered[int(number) - 1]
            _, target = message.buttons[row][column]
            if target and target.startswith(self.web_url + "/pay/"):
                await self.pay_in_browser(target)
            else:
                presser = self.staff.get(message.record.chat.id, self.buyer)
                await presser.press(message, (row, column))
        elif line.startswith("!") and self.shop_chat is not None:
            await self.staff[self.shop_chat.id].send(line[1:].strip(), self.shop_chat)
        elif self._requests_contact(line.strip()):
            await self.buyer.send_contact(DEMO_PHONE)
        else:
            await self.buyer.send(line.removeprefix("'"))

    def _requests_contact(self, label: str) -> bool:
        """Typing a keyboard button's label presses it; a share-contact one shares a number."""
        for message in reversed(self.buyer.chat.messages):
            markup = message.record.sent_markup
            if markup is not None and markup.kind == "keyboard":
                return any(
                    button.get("text") == label and button.get("request_contact")
                    for row in markup.rows
                    for button in row
                )
        return False

    async def pay_in_browser(self, url: str) -> None:
        """What a browser would do on the sandbox checkout page: show it, then press Pay."""
        async with httpx.AsyncClient(follow_redirects=True, timeout=30) as browser:
            page = await browser.get(url)
            self._print(f"  [browser] {_page_text(page.text)}")
            paid = await browser.post(f"{url}/pay")
            self._print(f"  [browser] {_page_text(paid.text)}")

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
        if event.chat.id in self.staff:
            self.shop_chat = event.chat
        if event.chat.id == self.buyer.chat.id or event.chat.id in self.staff:
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
            if data
        ]
        number = 0
        for row in rows:
            shown = []
            for text, data in row:
                number += 1
                if data and data.startswith(("http://", "https://")):
                    shown.append(f"[{number}] {text} <{data}>")
                else:
                    shown.append(f"[{number}] {text}")
            self._print("  " + "  ".join(shown))

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def _page_text(html: str) -> str:
    """A web page's words on one line: what the person would read in the browser."""
    body = html.split("<body", 1)[-1].split(">", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())[:400]


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
