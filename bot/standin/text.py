"""Message text as Telegram stores it: markup parsed into plain text plus entities.

Telegram never keeps the HTML a bot sends: it parses it into plain text and a list of entities
whose offsets and lengths count UTF-16 code units, trims surrounding whitespace, then adds the
entities it finds by itself (commands, mentions, links). Length limits are checked on the plain
text, counted in Unicode code points (TDLib's `utf8_length`). Parse errors use the server's
wording and UTF-8 byte offsets, so a bot's escaping bugs fail here as they would in production.
Only the HTML parse mode is modelled (the bot sends nothing else); MarkdownV2 and Markdown are
refused as unsupported rather than read as plain text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.standin.errors import ApiError, bad_request

Entity = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
RAW_TEXT_LIMIT = 1 << 15  # bytes of the request parameter, before parsing
_SPACES = " \t\r\n\v\f"

_HTML_TAGS = frozenset(
    [
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    ]
)
_SIMPLE_HTML = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# Entities inside which Telegram does not look for links, commands and mentions.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})


@dataclass
class FormattedText:
    """Plain text and its entities, exactly as a Message object carries them."""

    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what entity offsets and lengths count."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Output:
    """Collects plain text while tracking its length in UTF-16 code units."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.u16 = 0

    def add(self, chars: str) -> None:
        self.parts.append(chars)
        self.u16 += utf16_len(chars)

    def text(self) -> str:
        return "".join(self.parts)


def _entity(kind: str, offset: int, length: int, **extra: Any) -> Entity:
    return {"type": kind, "offset": offset, "length": length, **extra}


def _cant_parse(detail: str) -> ApiError:
    return bad_request(f"Can't parse entities: {detail}")


# --- HTML -----------------------------------------------------------------------------------


def _html_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decodes `&...;` at i into (character, next index); None for an entity Telegram lacks."""
    match = re.match(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);?", text[i:])
    if not match:
        return None
    name = match.group(1)
    if name.startswith("#x"):
        code = int(name[2:], 16)
    elif name.startswith("#"):
        code = int(name[1:])
    else:
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(name)
        return (named, i + match.end()) if named else None
    if code == 0 or code >= 0x10FFFF or len(name) > 8:
        return None
    return chr(code), i + match.end()


def parse_html(text: str) -> FormattedText:
    out = _Output()
    entities: list[Entity] = []
    stack: list[tuple[str, str, int]] = []  # (tag, argument, start offset)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            decoded = _html_entity(text, i)
            if decoded:
                out.add(decoded[0])
                i = decoded[1]
                continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            i = _html_end_tag(text, begin, i + 1, stack, out, entities)
        else:
            i = _html_start_tag(text, begin, i, stack, out)
    if stack:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:  # a language survives only on <pre><code class="language-...">
        if entity["type"] == "code":
            entity.pop("language", None)
    return FormattedText(out.text(), entities)


def _html_start_tag(
    text: str, begin: int, i: int, stack: list[tuple[str, str, int]], out: _Output
) -> int:
    n = len(text)
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    if i >= n:
        raise _cant_parse(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
    tag = text[begin + 1 : i].lower()
    if tag not in _HTML_TAGS:
        raise _cant_parse(
            f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
        )
    attributes: dict[str, str] = {}
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise _cant_parse(
                f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        if text[i] == ">":
            break
        name_start = i
        while i < n and not text[i].isspace() and text[i] not in "=>/\"'":
            i += 1
        name = text[name_start:i].lower()
        if not name:
            raise _cant_parse(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}'  # noqa: E501 - Telegram's exact wording
            )
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            attributes[name] = ""
            continue
        i += 1
        while i < n and text[i].isspace():
            i += 1
        value, i = _html_attribute_value(text, i, begin, tag)
        attributes[name] = value
    argument = ""
    if tag == "a":
        argument = attributes.get("href", "")
    elif tag == "code":
        argument = attributes.get("class", "").removeprefix("language-")
        if not attributes.get("class", "").startswith("language-"):
            argument = ""
    elif tag == "span":
        if attributes.get("class") != "tg-spoiler":
            raise _cant_parse(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'  # noqa: E501 - Telegram's exact wording
            )
    elif tag == "tg-emoji":
        argument = attributes.get("emoji-id", "")
    elif tag == "blockquote" and "expandable" in attributes:
        argument = "expandable"
    stack.append((tag, argument, out.u16))
    return i + 1


def _html_attribute_value(text: str, i: int, begin: int, tag: str) -> tuple[str, int]:
    n = len(text)
    if i >= n:
        raise _cant_parse(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
    if text[i] not in "\"'":
        start = i
        while i < n and (text[i].isalnum() or text[i] in ".-"):
            i += 1
        if i < n and not text[i].isspace() and text[i] != ">":
            raise _cant_parse(
                f"Unexpected end of name token at byte offset {_byte_offset(text, start)}"
            )
        return text[start:i].lower(), i
    quote = text[i]
    i += 1
    value: list[str] = []
    while i < n and text[i] != quote:
        if text[i] == "&":
            decoded = _html_entity(text, i)
            if decoded:
                value.append(decoded[0])
                i = decoded[1]
                continue
        value.append(text[i])
        i += 1
    if i >= n:
        raise _cant_parse(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
    return "".join(value), i + 1


def _html_end_tag(
    text: str,
    begin: int,
    i: int,
    stack: list[tuple[str, str, int]],
    out: _Output,
    entities: list[Entity],
) -> int:
    if not stack:
        raise _cant_parse(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
    n = len(text)
    start = i
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    name = text[start:i].lower()
    while i < n and text[i].isspace():
        i += 1
    if i >= n or text[i] != ">":
        raise _cant_parse(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
    tag, argument, offset = stack[-1]
    if name and name != tag:
        raise _cant_parse(
            f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
            f'expected "</{tag}>", found "</{name}>"'
        )
    stack.pop()
    length = out.u16 - offset
    if length > 0:
        _html_close(tag, argument, offset, length, out, entities)
    return i + 1


def _html_close(
    tag: str, argument: str, offset: int, length: int, out: _Output, entities: list[Entity]
) -> None:
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if tag in _SIMPLE_HTML:
        entities.append(_entity(_SIMPLE_HTML[tag], offset, length))
    elif tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise bad_request("Can't parse entities: Invalid custom emoji identifier specified")
        entities.append(_entity("custom_emoji", offset, length, custom_emoji_id=argument))
    elif tag == "a":
        url = argument or _tail_utf16(out.text(), offset)
        link = _link_entity(url, offset, length)
        if link:
            entities.append(link)
    elif tag == "pre":
        if same_span and last is not None and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append(_entity("pre", offset, length))
    elif tag == "code":
        if same_span and last is not None and last["type"] == "pre" and argument:
            last["language"] = argument
        else:
            entities.append(
                _entity("code", offset, length, **({"language": argument} if argument else {}))
            )
    elif tag == "blockquote":
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append(_entity(kind, offset, length))
    # tg-time without a valid date produces no entity, like the server


def _tail_utf16(text: str, offset: int) -> str:
    """The part of text that starts at a UTF-16 offset."""
    return text.encode("utf-16-le")[offset * 2 :].decode("utf-16-le")


def _link_entity(url: str, offset: int, length: int) -> Entity | None:
    user = re.fullmatch(r"tg://user\?id=(\d+)", url)
    if user:
        return _entity("text_mention", offset, length, user={"id": int(user.group(1))})
    checked = checked_link(url)
    return _entity("text_link", offset, length, url=checked) if checked else None


def checked_link(url: str) -> str | None:
    """Telegram's link normalisation: None when it refuses the URL (no dot in the host...)."""
    url = url.strip()
    match = re.fullmatch(r"(?i)(?:(https?|tg|ton)://)?([^/?#\s:]+)(:\d+)?([/?#]\S*)?", url)
    if not match:
        return None
    scheme = (match.group(1) or "http").lower()
    host = match.group(2)
    if scheme == "tg":
        return f"tg://{host}{match.group(4) or ''}"
    if "." not in host:
        return None
    rest = match.group(4) or "/"
    if not rest.startswith("/"):
        rest = "/" + rest
    return f"{scheme}://{host}{match.group(3) or ''}{rest}"


# --- entities Telegram finds by itself ------------------------------------------------------

_AUTO_PATTERNS = (
    (
        "bot_command",
        re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"),
    ),
    (
        "email",
        re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    ),
    ("url", re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'»]")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w{0,255}[^\W\d_]\w{0,255}(?![\w#])")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{1,8}(?![\w$])")),
)


def find_entities(text: str) -> list[Entity]:
    """Commands, mentions, hashtags, links and e-mails Telegram marks in any message text."""
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            offset = utf16_len(text[:start])
            found.append(_entity(kind, offset, utf16_len(match.group())))
    return found


# --- the whole pipeline ---------------------------------------------------------------------


def format_text(
    raw: str, parse_mode: str | None, entities_json: str | None, *, limit: int, what: str
) -> FormattedText:
    """Parses, trims and checks a text or caption parameter as sendMessage/sendPhoto would.

    `what` is "message" or "caption": it names the limit in the "... is too long" error.
    """
    if len(raw.encode("utf-8")) > RAW_TEXT_LIMIT:
        raise bad_request("Text is too long")
    mode = (parse_mode or "").lower()
    if raw and mode not in ("", "none"):
        if mode != "html":  # the stand-in parses what the bot sends: HTML only
            raise bad_request("Unsupported parse_mode")
        formatted = parse_html(raw)
    else:
        formatted = FormattedText(raw, _explicit_entities(entities_json))
    formatted = _trim(formatted)
    if not formatted.text:
        if what == "caption":
            return formatted
        raise bad_request("Message text is empty")
    if len(formatted.text) > limit:
        raise bad_request(
            "Message is too long" if what == "message" else "Message caption is too long"
        )
    _merge_found(formatted)
    return formatted


def _explicit_entities(entities_json: str | None) -> list[Entity]:
    if not entities_json:
        return []
    try:
        value = json.loads(entities_json)
    except ValueError:
        raise bad_request("Can't parse entities JSON object") from None
    if not isinstance(value, list):
        raise bad_request("Expected an Array of MessageEntity")
    result: list[Entity] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request("Can't parse MessageEntity: expected an Object")
        if not isinstance(item.get("offset"), int) or not isinstance(item.get("length"), int):
            raise bad_request('Can\'t parse MessageEntity: Field "offset" must be a valid Number')
        if item["length"] > 0:
            result.append(dict(item))
    return result


def _trim(formatted: FormattedText) -> FormattedText:
    text = formatted.text
    stripped_left = text.lstrip(_SPACES)
    shift = utf16_len(text) - utf16_len(stripped_left)
    plain = stripped_left.rstrip(_SPACES)
    size = utf16_len(plain)
    entities: list[Entity] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(plain, entities)


def _merge_found(formatted: FormattedText) -> None:
    opaque = [
        (e["offset"], e["offset"] + e["length"]) for e in formatted.entities if e["type"] in _OPAQUE
    ]
    for entity in find_entities(formatted.text):
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if not any(start < o_end and o_start < end for o_start, o_end in opaque):
            formatted.entities.append(entity)
    formatted.entities.sort(key=lambda e: (e["offset"], -e["length"]))
