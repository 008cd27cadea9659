"""A `Reply` as JSON for the outbox row, and back: text and buttons only (no photos yet)."""

from __future__ import annotations

from typing import Any

from conversation.reply import Button, Reply


def reply_payload(reply: Reply) -> dict[str, Any]:
    if reply.photo is not None or reply.extra or reply.contact_request:
        raise ValueError("the outbox carries text and inline buttons only")
    return {
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
    return Reply(str(payload["text"]), buttons=rows)
