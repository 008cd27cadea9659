"""The stand-in's Telegram world: users, chats, messages, and their Bot API JSON shapes.

Shapes follow https://core.telegram.org/bots/api (Bot API 9.x/10.0, what PTB 22.8 parses):
optional fields are left out rather than sent as null, as the real server does.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from bot.standin.markup import Markup

ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


def now() -> int:
    return int(time.time())


@dataclass
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    is_premium: bool = False
    # How the bot and this user stand: Telegram refuses to let a bot write first.
    known_to_bot: bool = False
    started: bool = False
    blocked_bot: bool = False

    def to_json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code and not self.is_bot:
            user["language_code"] = self.language_code
        if self.is_premium:
            user["is_premium"] = True
        return user


@dataclass
class Member:
    status: str
    rights: dict[str, bool] = field(default_factory=dict)

    def to_json(self, user: UserRecord) -> dict[str, Any]:
        """A ChatMember of the right subtype for its status."""
        member: dict[str, Any] = {"status": self.status, "user": user.to_json()}
        if self.status == "creator":
            member["is_anonymous"] = False
        elif self.status == "administrator":
            member["can_be_edited"] = False
            member["is_anonymous"] = False
            for right in ADMIN_RIGHTS:
                member[right] = self.rights.get(right, right not in ("can_promote_members",))
        elif self.status == "restricted":
            member.update(
                is_member=True,
                until_date=0,
                **{
                    name: self.rights.get(name, False)
                    for name in (
                        "can_send_messages",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_manage_topics",
                    )
                },
            )
        elif self.status == "kicked":
            member["until_date"] = 0
        return member

    @property
    def present(self) -> bool:
        return self.status in ("creator", "administrator", "member", "restricted")


@dataclass
class ChatRecord:
    id: int
    type: str  # private, group, supergroup
    title: str | None = None
    username: str | None = None
    user: UserRecord | None = None  # the other side of a private chat
    members: dict[int, Member] = field(default_factory=dict)
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: Markup | None = None  # what the user's app shows under the input field
    actions: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            chat["first_name"] = self.user.first_name
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
            if self.user.username:
                chat["username"] = self.user.username
        else:
            chat["title"] = self.title or ""
            if self.username:
                chat["username"] = self.username
        return chat

    def full_info(self) -> dict[str, Any]:
        """ChatFullInfo, as getChat answers."""
        info = self.to_json()
        info.update(
            accent_color_id=abs(self.id) % 7,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if self.type != "private":
            info["permissions"] = {"can_send_messages": True, "can_send_photos": True}
        return info

    def allocate_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class Version:
    """A message as it looked before an edit."""

    date: int
    content: dict[str, Any]
    markup: Markup | None


@dataclass
class MessageRecord:
    message_id: int
    chat: ChatRecord
    sender: UserRecord
    date: int
    content: dict[str, Any]  # text/entities, photo/caption, document, sticker, contact...
    markup: Markup | None = None  # inline keyboards only; reply keyboards live on the chat
    sent_markup: Markup | None = None  # whatever reply_markup came with it, for the driver
    parse_mode: str | None = None
    reply_to: MessageRecord | None = None
    via_bot: UserRecord | None = None
    edit_date: int | None = None
    deleted: bool = False
    history: list[Version] = field(default_factory=list)
    inline_message_id: str | None = None
    media_group_id: str | None = None

    def to_json(self, *, nested: bool = False) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_json(),
            "chat": self.chat.to_json(),
            "date": self.date,
        }
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.reply_to is not None and not nested:
            message["reply_to_message"] = self.reply_to.to_json(nested=True)
        if self.via_bot is not None:
            message["via_bot"] = self.via_bot.to_json()
        if self.media_group_id:
            message["media_group_id"] = self.media_group_id
        message.update(copy.deepcopy(self.content))
        if self.markup is not None:
            message["reply_markup"] = self.markup.to_json()
        return message

    @property
    def text(self) -> str | None:
        return self.content.get("text", self.content.get("caption"))

    def snapshot(self) -> Version:
        return Version(self.edit_date or self.date, copy.deepcopy(self.content), self.markup)


@dataclass
class Update:
    update_id: int
    kind: str
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


@dataclass
class Event:
    """Something the bot did, for the driver to wait on and the demo to print."""

    seq: int
    kind: str  # message, edit, delete, callback_answer, inline_answer, chat_action
    chat: ChatRecord | None = None
    message: MessageRecord | None = None
    version: Version | None = None  # the message right after this event
    detail: dict[str, Any] = field(default_factory=dict)
    user_id: int | None = None  # for answers to a user's callback or inline query
