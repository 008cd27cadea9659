"""The in-memory Telegram behind the stand-in: who exists, what was said, what the bot may see.

Everything runs on one asyncio loop (the HTTP server, the driver and the bot under test), so state
changes happen between awaits and need no locks. Telegram's rules that decide *whether* something
happens live here (who the bot may write to, which group messages privacy mode hides, which
updates are queued); the HTTP methods (`*_api.py`) only read parameters and call these.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.standin.errors import WEBHOOK_ACTIVE, ApiError, bad_request, forbidden
from bot.standin.files import FileStore
from bot.standin.markup import Markup
from bot.standin.records import ChatRecord, Event, Member, MessageRecord, Update, UserRecord, now

log = logging.getLogger(__name__)

UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# Telegram's default when allowed_updates was never given (or given as []).
DEFAULT_ALLOWED = frozenset(UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


@dataclass
class Webhook:
    url: str
    secret_token: str
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class PendingCallback:
    id: str
    user: UserRecord
    message: MessageRecord
    data: str | None
    created: float = field(default_factory=time.monotonic)
    answered: bool = False


@dataclass
class PendingInline:
    id: str
    user: UserRecord
    query: str
    created: float
    answer: asyncio.Future[dict[str, Any]]


class _Poll:
    """A waiting getUpdates call and why it was woken."""

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.reason: str | None = None

    def stop(self, reason: str) -> None:
        self.reason = reason
        self.wake.set()


class World:
    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_name: str,
        privacy_mode: bool,
        inline_mode: bool,
        inline_feedback: bool,
        callback_timeout: float,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like 123456:secret")
        self.token = token
        self.bot = UserRecord(int(bot_id), bot_name, username=bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.inline_mode = inline_mode
        self.inline_feedback = inline_feedback
        self.callback_timeout = callback_timeout
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.inline_messages: dict[str, MessageRecord] = {}
        self.files = FileStore()
        self.commands: dict[tuple[tuple[Any, ...], str], list[dict[str, str]]] = {}
        self.updates: list[Update] = []
        self.next_update_id = 1
        self.fetched_up_to = 0  # the last update_id getUpdates returned or the webhook delivered
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED
        self.webhook: Webhook | None = None
        self.webhook_set_at = float("-inf")
        self.webhook_changed = asyncio.Event()
        self.callbacks: dict[str, PendingCallback] = {}
        self.inline_queries: dict[str, PendingInline] = {}
        self.events: list[Event] = []
        self.listeners: list[Callable[[Event], object]] = []
        self.tick = asyncio.Event()
        self.closing = False
        self._poll: _Poll | None = None
        self._counter = 0

    # --- identities -------------------------------------------------------------------------

    def new_id(self, prefix: str = "") -> str:
        """A unique id for callback queries, inline queries and inline messages."""
        self._counter += 1
        return f"{prefix}{self.bot.id}{self._counter:08d}"

    def add_user(self, user: UserRecord) -> UserRecord:
        self.users[user.id] = user
        self.chats[user.id] = ChatRecord(user.id, "private", user=user)
        return user

    def add_group(self, chat: ChatRecord, bot_status: str) -> ChatRecord:
        chat.members[self.bot.id] = Member(bot_status)
        self.chats[chat.id] = chat
        return chat

    # --- access rules -----------------------------------------------------------------------

    def chat_for(self, chat_id: str | None, *, write: bool = False) -> ChatRecord:
        """The chat a method names, refused as Telegram refuses it."""
        if not chat_id:
            raise bad_request("chat_id is empty")
        chat: ChatRecord | None = None
        if chat_id.startswith("@"):
            name = chat_id[1:].lower()
            chat = next(
                (
                    c
                    for c in self.chats.values()
                    if c.type != "private" and (c.username or "").lower() == name
                ),
                None,
            )
        elif _is_int(chat_id):
            chat = self.chats.get(int(chat_id))
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private":
            user = chat.user
            assert user is not None
            if not user.known_to_bot:
                raise bad_request("chat not found")
            if write and user.blocked_bot:
                raise forbidden("bot was blocked by the user")
            if write and not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return chat
        kind = "supergroup" if chat.type == "supergroup" else "group"
        status = chat.members[self.bot.id].status
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if status == "left" and (write or chat.type == "supergroup"):
            raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    def message_in(self, chat: ChatRecord, message_id: str | None, what: str) -> MessageRecord:
        """A live message of the chat; `what` names it in the error (message to edit, ...)."""
        message = chat.messages.get(int(message_id)) if message_id and _is_int(message_id) else None
        if message is None or message.deleted:
            raise bad_request(f"{what} not found")
        return message

    def bot_is_admin(self, chat: ChatRecord) -> bool:
        member = chat.members.get(self.bot.id)
        return member is not None and member.status in ("administrator", "creator")

    def bot_sees(self, message: MessageRecord) -> bool:
        """Whether a user's message reaches the bot, privacy mode included."""
        chat = message.chat
        if chat.type == "private":
            return True
        member = chat.members.get(self.bot.id)
        if member is None or not member.present:
            return False
        if not self.privacy_mode or self.bot_is_admin(chat):
            return True
        if message.via_bot is self.bot:
            return True
        if message.reply_to is not None and message.reply_to.sender is self.bot:
            return True
        return self._addressed_to_bot(message.content)

    def _addressed_to_bot(self, content: dict[str, Any]) -> bool:
        text = content.get("text") or content.get("caption") or ""
        username = (self.bot.username or "").lower()
        for entity in content.get("entities", []) + content.get("caption_entities", []):
            part = text[entity["offset"] : entity["offset"] + entity["length"]]
            if entity["type"] == "bot_command" and entity["offset"] == 0:
                _, _, target = part.partition("@")
                return not target or target.lower() == username
            if entity["type"] == "mention" and part[1:].lower() == username:
                return True
        return False

    # --- messages ---------------------------------------------------------------------------

    def post(
        self,
        chat: ChatRecord,
        sender: UserRecord,
        content: dict[str, Any],
        **details: Any,
    ) -> MessageRecord:
        content = self.resolve_mentions(content)
        message = MessageRecord(chat.allocate_id(), chat, sender, now(), content, **details)
        chat.messages[message.message_id] = message
        if sender is self.bot:
            self._apply_reply_keyboard(chat, details.get("sent_markup"))
            self.emit("message", chat=chat, message=message)
        return message

    def resolve_mentions(self, content: dict[str, Any]) -> dict[str, Any]:
        """Like Telegram, a `tg://user?id=` mention carries the whole user, and one of a user
        the server does not know is dropped (its text stays, unlinked)."""
        for key in ("entities", "caption_entities"):
            if not content.get(key):
                continue
            kept = []
            for entity in content[key]:
                if entity.get("type") == "text_mention":
                    user = self.users.get(int(entity["user"]["id"]))
                    if user is None:
                        continue
                    entity = {**entity, "user": user.to_json()}
                kept.append(entity)
            content = {**content, key: kept} if kept else {
                k: v for k, v in content.items() if k != key
            }  # fmt: skip
        return content

    def _apply_reply_keyboard(self, chat: ChatRecord, markup: Markup | None) -> None:
        if markup is None:
            return
        if markup.kind == "keyboard":
            chat.reply_keyboard = markup
        elif markup.kind == "remove":
            chat.reply_keyboard = None

    def user_posted(self, message: MessageRecord) -> Update | None:
        """Queues the update for a user's new message if the bot can see it."""
        user = message.sender
        if message.chat.type == "private":
            user.started = True
            user.blocked_bot = False
        if not self.bot_sees(message):
            return None
        user.known_to_bot = True
        return self.enqueue("message", message.to_json())

    # --- updates ----------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any]) -> Update | None:
        """Queues an update unless allowed_updates excludes its type (then Telegram drops it)."""
        if kind not in self.allowed_updates:
            return None
        update = Update(self.next_update_id, kind, json.loads(json.dumps(payload)))
        self.next_update_id += 1
        self.updates.append(update)
        if self._poll is not None:
            self._poll.stop("updates")
        self.webhook_changed.set()
        return update

    def set_allowed_updates(self, raw: str | None) -> None:
        """allowed_updates of getUpdates/setWebhook; absent keeps the previous setting."""
        if raw is None or raw == "":
            return
        try:
            value = json.loads(raw)
        except ValueError:
            return
        if isinstance(value, list):
            wanted = {v for v in value if isinstance(v, str) and v in UPDATE_TYPES}
            self.allowed_updates = frozenset(wanted) if wanted else DEFAULT_ALLOWED

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: every update below it is confirmed and forgotten."""
        if offset < 0:
            del self.updates[: max(0, len(self.updates) + offset)]
        elif offset > 0:
            self.updates = [u for u in self.updates if u.update_id >= offset]

    def drop_pending(self) -> None:
        self.updates.clear()

    @property
    def unfetched(self) -> int:
        """Updates queued that the bot has not been given yet."""
        return sum(1 for update in self.updates if update.update_id > self.fetched_up_to)

    async def long_poll(self, timeout: float) -> str | None:  # noqa: ASYNC109 - getUpdates' own timeout
        """Waits for an update; returns why it woke (None on timeout).

        A newer getUpdates ends the waiting one with 409, as only one bot instance may poll.
        """
        if self._poll is not None:
            self._poll.stop("superseded")
        poll = self._poll = _Poll()
        try:
            await asyncio.wait_for(poll.wake.wait(), timeout)
        except TimeoutError:
            return None
        finally:
            if self._poll is poll:
                self._poll = None
        return poll.reason

    def stop_polling(self, reason: str) -> None:
        if self._poll is not None:
            self._poll.stop(reason)

    def check_no_webhook(self) -> None:
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)

    # --- what the bot did -------------------------------------------------------------------

    def emit(self, kind: str, **details: Any) -> Event:
        """Records a bot action and wakes everyone waiting on the driver."""
        message: MessageRecord | None = details.get("message")
        event = Event(
            len(self.events) + 1,
            kind,
            version=message.snapshot() if message is not None else None,
            **details,
        )
        self.events.append(event)
        self.tick.set()
        self.tick = asyncio.Event()
        for listener in list(self.listeners):
            try:
                result = listener(event)
                if asyncio.iscoroutine(result):
                    asyncio.get_running_loop().create_task(result)
            except Exception:
                log.exception("a stand-in listener failed on %s", event.kind)
        return event

    @property
    def seq(self) -> int:
        return len(self.events)

    # --- commands ---------------------------------------------------------------------------

    def visible_commands(self, user: UserRecord, chat: ChatRecord) -> list[dict[str, str]]:
        """The command menu a user's app shows in a chat: narrowest scope, then language."""
        member = chat.members.get(user.id)
        is_admin = member is not None and member.status in ("administrator", "creator")
        scopes: list[tuple[Any, ...]] = []
        if chat.type == "private":
            scopes += [("chat", chat.id), ("all_private_chats",)]
        else:
            scopes.append(("chat_member", chat.id, user.id))
            if is_admin:
                scopes.append(("chat_administrators", chat.id))
            scopes.append(("chat", chat.id))
            if is_admin:
                scopes.append(("all_chat_administrators",))
            scopes.append(("all_group_chats",))
        scopes.append(("default",))
        language = (user.language_code or "").split("-")[0].lower()
        for scope in scopes:
            for lang in (language, ""):
                commands = self.commands.get((scope, lang))
                if commands:
                    return commands
        return []


def _is_int(value: str) -> bool:
    return value.lstrip("-").isdigit()
