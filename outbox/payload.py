"""A `Reply` as JSON for the outbox row, and back: its text and every kind of markup a text
message carries (inline buttons, the share-my-phone keyboard, its removal, a forced reply).
Photos and `extra` messages are not carried: each further message is a row of its own."""

from __future__ import annotations

from typing import Any

from conversation.reply import Button, Reply

# The markup fields besides the buttons, stored only when set (rows stay small).
_FLAGS = ("contact_request", "remove_keyboard", "force_reply", "force_reply_selective",
          "force_reply_placeholder")  # fmt: skip


def reply_payload(reply: Reply) -> dict[str, Any]:
    if reply.photo is not None or reply.extra:
        raise ValueError("the outbox carries one text message a row, without photos")
    payload: dict[str, Any] = {
        "text": reply.text,
        "buttons": [
            [
                {
                    key: value
                    for key, value in (
                        ("text", b.text),
                        ("action", b.action),
                        ("url", b.url),
                        ("switch_inline_query", b.switch_inline_query),
                    )
                    if value is not None
                }
                for b in row
            ]
            for row in reply.buttons
        ],
    }
    for name in _FLAGS:
        value = getattr(reply, name)
        if value:
            payload[name] = value
    return payload


def reply_from_payload(payload: dict[str, Any]) -> Reply:
    rows = tuple(
        tuple(
            Button(
                str(b["text"]),
                action=b.get("action"),
                url=b.get("url"),
                switch_inline_query=b.get("switch_inline_query"),
            )
            for b in row
        )
        for row in payload.get("buttons") or ()
    )
    return Reply(
        str(payload["text"]),
        buttons=rows,
        contact_request=payload.get("contact_request"),
        remove_keyboard=bool(payload.get("remove_keyboard")),
        force_reply=bool(payload.get("force_reply")),
        force_reply_selective=bool(payload.get("force_reply_selective")),
        force_reply_placeholder=payload.get("force_reply_placeholder"),
    )
