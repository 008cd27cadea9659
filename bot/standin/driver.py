"""The people on the other side of the bot: what tests and the terminal demo use.

A `User` types, taps buttons, uploads files and asks inline queries; a `Chat` shows what was said
there (edits applied, deletions gone) and waits for the bot. Every input becomes the update
Telegram would send; `StandIn.settle()` then waits until the bot has dealt with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.standin.errors import StandInError
from bot.standin.files import StoredFile, Upload, tiny_png
from bot.standin.markup import check_callback_data, parse_reply_markup
from bot.standin.records import ChatRecord, Event, MessageRecord, UserRecord, now
from bot.standin.state import PendingCallback, PendingInline, World
from bot.standin.text import CAPTION_LIMIT, TEXT_LIMIT, format_text

if TYPE_CHECKING:
    from bot.standin.server import StandIn

Button = str | tuple[int, int]


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press (answerCallbackQuery)."""

    text: str | None
    show_alert: bool
    url: str | None


class Message:
    """A message in a chat, always showing its latest version."""

    def __init__(self, world: World, record: MessageRecord) -> None:
        self._world = world
        self.record = record

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else self.record.sender.first_name
        return f"<Message {self.id} from {who}: {self.text!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and other.record is self.record

    def __hash__(self) -> int:
        return id(self.record)

    @property
    def id(self) -> int:
        return self.record.message_id

    @property
    def text(self) -> str | None:
        """The text, or the caption of a photo or document."""
        return self.record.text

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows of (text, callback_data or url)."""
        markup = self.record.markup
        if markup is None:
            return []
        return [
            [(b["text"], b.get("callback_data", b.get("url"))) for b in row] for row in markup.rows
        ]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """The reply keyboard this message brought, as button texts."""
        markup = self.record.sent_markup
        if markup is None or markup.kind != "keyboard":
            return []
        return [[b["text"] for b in row] for row in markup.rows]

    @property
    def photo(self) -> StoredFile | None:
        """The largest size of the photo (bytes in `.data`; `.url` when sent by URL)."""
        sizes = self.record.content.get("photo")
        return self._world.files.get(sizes[-1]["file_id"]) if sizes else None

    @property
    def document(self) -> StoredFile | None:
        document = self.record.content.get("document")
        return self._world.files.get(document["file_id"]) if document else None

    @property
    def from_bot(self) -> bool:
        return self.record.sender is self._world.bot

    @property
    def edited(self) -> bool:
        return self.record.edit_date is not None

    @property
    def deleted(self) -> bool:
        return self.record.deleted

    @property
    def entities(self) -> list[dict[str, Any]]:
        content = self.record.content
        return list(content.get("entities", content.get("caption_entities", [])))

    def to_json(self) -> dict[str, Any]:
        """The Message object as the Bot API shows it."""
        return self.record.to_json()


class Chat:
    """A chat as a user's app shows it; get one from `user.chat` or `standin.group(...)`."""

    def __init__(self, standin: StandIn, world: World, record: ChatRecord) -> None:
        self._standin = standin
        self._world = world
        self.record = record
        self.since = 0  # the world's event count when a user last did something here

    def __repr__(self) -> str:
        return f"<Chat {self.id} {self.type} {self.title or ''}>"

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def type(self) -> str:
        return self.record.type

    @property
    def title(self) -> str | None:
        return self.record.title

    @property
    def messages(self) -> list[Message]:
        """Everyone's messages in order, edits applied, deleted ones left out."""
        return [Message(self._world, m) for m in self.record.messages.values() if not m.deleted]

    @property
    def bot_messages(self) -> list[Message]:
        return [m for m in self.messages if m.from_bot]

    @property
    def last(self) -> Message | None:
        """The bot's latest message here."""
        messages = self.bot_messages
        return messages[-1] if messages else None

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """The reply keyboard the user's app currently shows, as button texts."""
        markup = self.record.reply_keyboard
        return [[b["text"] for b in row] for row in markup.rows] if markup else []

    @property
    def actions(self) -> list[str]:
        """Chat actions (typing, upload_photo...) the bot sent here, in order."""
        return list(self.record.actions)

    async def wait_for(
        self,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> Message:
        """The first bot message sent or edited here since the user's last input that matches.

        Raises TimeoutError naming what the chat holds when none comes in time.
        """
        deadline = time.monotonic() + timeout
        while True:
            for event in self._world.events[self.since :]:
                if event.chat is not self.record or event.kind not in ("message", "edit"):
                    continue
                assert event.message is not None
                if event.message.deleted:
                    continue
                message = Message(self._world, event.message)
                if predicate is None or predicate(message):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching bot message in {self!r}; it holds {self.messages}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._world.tick.wait(), remaining)


@dataclass
class BotEvent:
    """Something the bot did, for `StandIn.subscribe` callbacks.

    kind: "new", "edit", "delete", "callback_answer", "inline_answer" or "chat_action".
    """

    kind: str
    chat: Chat | None
    message: Message | None
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def wrap(cls, standin: StandIn, world: World, event: Event) -> BotEvent:
        kind = "new" if event.kind == "message" else event.kind
        chat = standin.chat_view(world, event.chat) if event.chat is not None else None
        message = Message(world, event.message) if event.message is not None else None
        return cls(kind, chat, message, dict(event.detail))


class User:
    """A person using Telegram; `chat` is their private chat with the bot."""

    def __init__(self, standin: StandIn, world: World, record: UserRecord) -> None:
        self._standin = standin
        self._world = world
        self.record = record
        self.chat = standin.chat_view(world, world.chats[record.id])

    def __repr__(self) -> str:
        return f"<User {self.id} {self.record.first_name}>"

    @property
    def id(self) -> int:
        return self.record.id

    # --- messages ---------------------------------------------------------------------------

    def _post(
        self, chat: Chat | None, content: dict[str, Any], reply_to: Message | None = None
    ) -> Message:
        target = chat or self.chat
        if target.type != "private":
            member = target.record.members.get(self.id)
            if member is None or not member.present:
                raise StandInError(f"{self!r} is not a member of {target!r}")
        target.since = self._world.seq
        record = self._world.post(
            target.record,
            self.record,
            content,
            reply_to=reply_to.record if reply_to is not None else None,
        )
        self._world.user_posted(record)
        return Message(self._world, record)

    async def send(
        self, text: str, chat: Chat | None = None, *, reply_to: Message | None = None
    ) -> Message:
        """Types a message; commands, mentions and links get their entities as in Telegram."""
        formatted = format_text(text, None, None, limit=TEXT_LIMIT, what="message")
        content: dict[str, Any] = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        return self._post(chat, content, reply_to)

    async def send_contact(
        self, phone_number: str, chat: Chat | None = None, *, own: bool = True
    ) -> Message:
        """Shares a phone number (their own, as a request_contact button does, by default)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": self.record.first_name,
        }
        if own:
            contact["user_id"] = self.id
        return self._post(chat, {"contact": contact})

    async def send_photo(
        self, data: bytes | None = None, caption: str | None = None, chat: Chat | None = None
    ) -> Message:
        """Uploads a picture (a small generated PNG by default)."""
        sizes = self._world.files.add_photo(data if data is not None else tiny_png())
        content: dict[str, Any] = {"photo": [size.photo_size() for size in sizes]}
        return self._post(chat, self._captioned(content, caption))

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        chat: Chat | None = None,
        reply_to: Message | None = None,
    ) -> Message:
        stored = self._world.files.add_document(Upload(filename, mime_type, data))
        content = self._captioned({"document": stored.document()}, caption)
        return self._post(chat, content, reply_to)

    async def send_sticker(self, emoji: str = "👍", chat: Chat | None = None) -> Message:
        stored = self._world.files.add(
            "sticker", b"RIFF\x00\x00\x00\x00WEBP", mime_type="image/webp"
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post(chat, {"sticker": sticker})

    def _captioned(self, content: dict[str, Any], caption: str | None) -> dict[str, Any]:
        if caption:
            formatted = format_text(caption, None, None, limit=CAPTION_LIMIT, what="caption")
            content["caption"] = formatted.text
            if formatted.entities:
                content["caption_entities"] = formatted.entities
        return content

    # --- buttons ----------------------------------------------------------------------------

    async def press(
        self,
        message: Message,
        button: Button,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> CallbackAnswer | None:
        """Taps an inline button (by text or (row, column)); returns the bot's answer or None."""
        if message.deleted:
            raise StandInError(f"{message!r} was deleted")
        rows = message.record.markup.rows if message.record.markup else ()
        found = _find_button(rows, button)
        if found is None:
            raise StandInError(f"no button {button!r} on {message!r}; it has {message.buttons}")
        data = found.get("callback_data")
        if data is None:
            raise StandInError(f"button {button!r} is not a callback button: {found}")
        world = self._world
        query = PendingCallback(world.new_id(), self.record, message.record, data)
        world.callbacks[query.id] = query
        chat = self._standin.chat_view(world, message.record.chat)
        chat.since = world.seq
        payload: dict[str, Any] = {
            "id": query.id,
            "from": self.record.to_json(),
            "chat_instance": _chat_instance(self.id, message.record.chat.id),
            "data": data,
        }
        if message.record.inline_message_id:
            payload["inline_message_id"] = message.record.inline_message_id
        else:
            payload["message"] = message.record.to_json()
        start = world.seq
        world.enqueue("callback_query", payload)
        deadline = time.monotonic() + timeout
        while True:
            for event in world.events[start:]:
                if (
                    event.kind == "callback_answer"
                    and event.detail.get("callback_query_id") == query.id
                ):
                    return CallbackAnswer(
                        event.detail.get("text"),
                        bool(event.detail.get("show_alert")),
                        event.detail.get("url"),
                    )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            start = world.seq
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(world.tick.wait(), remaining)

    # --- inline mode ------------------------------------------------------------------------

    async def inline(
        self,
        query: str,
        chat_type: str = "sender",
        offset: str = "",
        timeout: float = 5,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        """Types `@bot query`; returns the results the bot answered ([] if it did not)."""
        world = self._world
        if not world.inline_mode:
            raise StandInError("the bot has no inline mode")
        pending = PendingInline(
            world.new_id(),
            self.record,
            query,
            time.monotonic(),
            asyncio.get_running_loop().create_future(),
        )
        world.inline_queries[pending.id] = pending
        world.enqueue(
            "inline_query",
            {
                "id": pending.id,
                "from": self.record.to_json(),
                "query": query,
                "offset": offset,
                "chat_type": chat_type,
            },
        )
        try:
            answer = await asyncio.wait_for(asyncio.shield(pending.answer), timeout)
        except TimeoutError:
            return []
        return list(answer["results"])

    async def choose_inline(
        self, result: dict[str, Any], query: str = "", chat: Chat | None = None
    ) -> Message:
        """Picks an article or photo result: it is posted into `chat` via the bot."""
        world = self._world
        content: dict[str, Any]
        if result["type"] == "article":
            body = result.get("input_message_content") or {}
            formatted = format_text(
                str(body.get("message_text") or ""),
                body.get("parse_mode"),
                None,
                limit=TEXT_LIMIT,
                what="message",
            )
            content = {"text": formatted.text}
            if formatted.entities:
                content["entities"] = formatted.entities
        elif result["type"] == "photo":
            if "photo_file_id" in result:
                sizes = world.files.photo_sizes(result["photo_file_id"])
            else:
                sizes = world.files.add_photo(None, url=result.get("photo_url"))
            content = self._captioned(
                {"photo": [s.photo_size() for s in sizes]}, result.get("caption")
            )
        else:
            raise StandInError(f"choosing a {result['type']!r} result is not supported")
        markup = None
        if result.get("reply_markup"):
            markup = parse_reply_markup(json.dumps(result["reply_markup"]))
            check_callback_data(markup)
        target = chat or self.chat
        target.since = world.seq
        record = world.post(target.record, self.record, content, markup=markup, via_bot=world.bot)
        inline_id = None
        if markup is not None:
            inline_id = record.inline_message_id = world.new_id("inl")
            world.inline_messages[inline_id] = record
        world.user_posted(record)
        if world.inline_feedback:
            chosen: dict[str, Any] = {
                "result_id": str(result["id"]),
                "from": self.record.to_json(),
                "query": query,
            }
            if inline_id:
                chosen["inline_message_id"] = inline_id
            world.enqueue("chosen_inline_result", chosen)
        return Message(world, record)

    # --- the relationship -------------------------------------------------------------------

    async def block_bot(self) -> None:
        """Blocks the bot: its messages to this user now fail with 403."""
        self.record.blocked_bot = True
        bot = self._world.bot.to_json()
        self._world.enqueue(
            "my_chat_member",
            {
                "chat": self.chat.record.to_json(),
                "from": self.record.to_json(),
                "date": now(),
                "old_chat_member": {"status": "member", "user": bot},
                "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
            },
        )


def _find_button(
    rows: tuple[tuple[dict[str, Any], ...], ...], button: Button
) -> dict[str, Any] | None:
    if isinstance(button, tuple):
        row, column = button
        try:
            return rows[row][column]
        except IndexError:
            return None
    return next((b for row in rows for b in row if b["text"] == button), None)


def _chat_instance(user_id: int, chat_id: int) -> str:
    digest = hashlib.sha256(f"{user_id}:{chat_id}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big") >> 1)
