"""A reply as plain data: text, an optional photo, and rows of buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    action: str | None = None  # a callback payload from `conversation.callbacks`
    url: str | None = None
    switch_inline_query: str | None = None


@dataclass(frozen=True, slots=True)
class Photo:
    """A picture by URL, a local file, an id the channel already holds, or bytes in memory."""

    url: str | None = None
    path: Path | None = None
    channel_file_id: str | None = None
    data: bytes | None = None  # e.g. a chart drawn for this reply (PNG)
    filename: str = "image.png"  # the upload's name when sent from `data`


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: Photo | None = None
    # Edit the message the button was pressed on instead of sending a new one.
    edit: bool = False
    notice: str | None = None  # a short toast answering a button press
    extra: tuple[Reply, ...] = field(default=())  # further messages sent after this one
    # Ask the person to share their phone number with one tap (a keyboard under the input
    # field, labelled with this text). A channel without such a button shows the text only.
    # It cannot share a message with `buttons`: put those in an `extra` reply.
    contact_request: str | None = None
    # Take a `contact_request` keyboard away again (also needs a message without `buttons`).
    remove_keyboard: bool = False
    # Ask for an answer as a reply to this message (a bot in a group with privacy mode on sees
    # only replies to its own messages). A channel without replies shows the text only.
    force_reply: bool = False
    # With `force_reply`: only the people the text mentions are asked (not the whole group), and
    # the hint shown in their empty input field (at most 64 characters).
    force_reply_selective: bool = False
    force_reply_placeholder: str | None = None
