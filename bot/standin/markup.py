"""`reply_markup` as the Bot API reads it: one of four keyboards, validated like the real server.

Only an inline keyboard is echoed back inside a Message; reply keyboards, their removal and
force-reply change what the user's app shows, which the stand-in keeps per chat for the driver.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.standin.errors import ApiError, bad_request
from bot.standin.text import checked_link

CALLBACK_DATA_LIMIT = 64  # bytes

# Inline button kinds in the order the server tries them.
_INLINE_KINDS = (
    "url",
    "callback_data",
    "callback_game",
    "pay",
    "switch_inline_query",
    "switch_inline_query_chosen_chat",
    "switch_inline_query_current_chat",
    "login_url",
    "web_app",
    "copy_text",
)


@dataclass(frozen=True)
class Markup:
    """A parsed reply_markup: `kind` is inline, keyboard, remove or force_reply."""

    kind: str
    rows: tuple[tuple[dict[str, Any], ...], ...] = ()
    options: tuple[tuple[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The object as Telegram echoes it (for inline keyboards, inside Message.reply_markup)."""
        if self.kind == "inline":
            return {"inline_keyboard": [list(row) for row in self.rows]}
        if self.kind == "keyboard":
            return {"keyboard": [list(row) for row in self.rows], **dict(self.options)}
        if self.kind == "remove":
            return {"remove_keyboard": True, **dict(self.options)}
        return {"force_reply": True, **dict(self.options)}

    def option(self, name: str, default: Any = None) -> Any:
        return dict(self.options).get(name, default)


def parse_reply_markup(raw: str | None) -> Markup | None:
    """Parses the `reply_markup` parameter; None when absent or when it asks for nothing."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise bad_request("Can't parse reply keyboard markup JSON object") from None
    if not isinstance(value, dict):
        raise bad_request("Object expected as reply markup")
    keyboard = _rows(value, "keyboard", 'Field "keyboard" must be an Array of Arrays')
    inline = _rows(
        value,
        "inline_keyboard",
        'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
    )
    selective = bool(value.get("selective") or value.get("personal_keyboard"))
    if keyboard:
        rows = tuple(tuple(_keyboard_button(b) for b in row) for row in keyboard)
        options = {
            key: value[key]
            for key in (
                "is_persistent",
                "resize_keyboard",
                "one_time_keyboard",
                "input_field_placeholder",
            )
            if value.get(key)
        }
        if selective:
            options["selective"] = True
        return Markup("keyboard", rows, tuple(options.items()))
    if inline:
        rows = tuple(tuple(_inline_button(b) for b in row) for row in inline)
        return Markup("inline", tuple(row for row in rows if row))
    if value.get("remove_keyboard") or value.get("hide_keyboard"):
        return Markup("remove", options=(("selective", True),) if selective else ())
    if value.get("force_reply") or value.get("force_reply_keyboard"):
        options = {"selective": True} if selective else {}
        if value.get("input_field_placeholder"):
            options["input_field_placeholder"] = value["input_field_placeholder"]
        return Markup("force_reply", options=tuple(options.items()))
    return None


def inline_only(markup: Markup | None) -> Markup | None:
    """Edits and inline results accept only an inline keyboard."""
    if markup is not None and markup.kind != "inline":
        raise bad_request("Inline keyboard expected")
    return markup


def _rows(value: dict[str, Any], field: str, error: str) -> list[list[Any]]:
    rows = value.get(field)
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(error)
    return rows


def _keyboard_button(button: Any) -> dict[str, Any]:
    if isinstance(button, str):
        button = {"text": button}
    if not isinstance(button, dict):
        raise _button_error("keyboard", "KeyboardButton must be a String or an Object")
    if not isinstance(button.get("text"), str):
        raise _button_error("keyboard", 'Field "text" must be of type String')
    if not button["text"]:
        raise bad_request("Keyboard button text must be non-empty")
    return dict(button)


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise _button_error("inline keyboard", "InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _button_error("inline keyboard", 'Field "text" must be of type String')
    kind = next((k for k in _INLINE_KINDS if _present(button, k)), None)
    if kind is None:
        raise _button_error("inline keyboard", "Text buttons are unallowed in the inline keyboard")
    if not text:
        raise bad_request("Inline keyboard button text must be non-empty")
    result: dict[str, Any] = {"text": text, kind: button[kind]}
    if kind == "url":
        url = button["url"]
        link = url if url.startswith("tg://") else checked_link(url)
        if link is None:
            raise bad_request(f"Inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        result["url"] = link
    return result


def check_callback_data(markup: Markup | None) -> None:
    """Telegram's own servers refuse callback_data over 64 bytes, after TDLib accepted it."""
    if markup is None or markup.kind != "inline":
        return
    for row in markup.rows:
        for button in row:
            data = button.get("callback_data")
            if data is not None and len(str(data).encode("utf-8")) > CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")


def _present(button: dict[str, Any], kind: str) -> bool:
    if kind in ("url", "callback_data"):
        return isinstance(button.get(kind), str) and bool(button[kind])
    return kind in button


def _button_error(where: str, detail: str) -> ApiError:
    return bad_request(f"Can't parse {where} button: {detail}")
