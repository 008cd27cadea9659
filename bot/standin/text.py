"""Message text as Telegram stores it: markup parsed into plain text plus entities.

Telegram never keeps the HTML or MarkdownV2 a bot sends: it parses it into plain text and a list
of entities whose offsets and lengths count UTF-16 code units, trims surrounding whitespace, then
adds the entities it finds by itself (commands, mentions, links). Length limits are checked on the
plain text, counted in Unicode code points (TDLib's `utf8_length`). Parse errors use the server's
wording and UTF-8 byte offsets, so a bot's escaping bugs fail here as they would in production.
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
_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
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


# --- MarkdownV2 -----------------------------------------------------------------------------


@dataclass
class _Open:
    kind: str
    offset: int  # UTF-16 offset in the output
    byte_offset: int  # where the marker is in the input, for error messages
    start: int  # index in the output parts where the content begins
    argument: str = ""


def parse_markdown_v2(text: str) -> FormattedText:
    out = _Output()
    entities: list[Entity] = []
    stack: list[_Open] = []
    in_quote = False
    line_start = True
    i, n = 0, len(text)

    def reserved(char: str) -> ApiError:
        return _cant_parse(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )

    while i < n:
        char = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if char == "\\" and nxt and 0 < ord(nxt) <= 126:
            out.add(nxt)
            line_start = nxt == "\n"
            i += 2
            continue
        top = stack[-1].kind if stack else None
        if char == "\n" and in_quote and not text.startswith(">", i + 1):
            _close_quote(stack, out, entities)
            in_quote = False
            out.add(char)
            line_start = True
            i += 1
            continue
        literal = char not in _MD2_RESERVED
        if top in ("code", "pre"):
            literal = char != "`"
        if literal:
            out.add(char)
            if char != "\r":
                line_start = char == "\n"
            i += 1
            continue
        closing = _md2_closes(top, text, i)
        if closing:
            i = _md2_close(text, i, stack, out, entities)
            line_start = False
            continue
        at = _byte_offset(text, i)
        if char == "_" and nxt == "_":
            stack.append(_Open("underline", out.u16, at, len(out.parts)))
            i += 2
        elif char == "_":
            stack.append(_Open("italic", out.u16, at, len(out.parts)))
            i += 1
        elif char == "*":
            stack.append(_Open("bold", out.u16, at, len(out.parts)))
            i += 1
        elif char == "~":
            stack.append(_Open("strikethrough", out.u16, at, len(out.parts)))
            i += 1
        elif char == "|" and nxt == "|":
            stack.append(_Open("spoiler", out.u16, at, len(out.parts)))
            i += 2
        elif char == "[":
            stack.append(_Open("text_link", out.u16, at, len(out.parts)))
            i += 1
        elif char == "!" and nxt == "[":
            stack.append(_Open("custom_emoji", out.u16, at, len(out.parts)))
            i += 2
        elif char == "`" and text.startswith("```", i):
            i, language = _md2_pre_header(text, i + 3)
            stack.append(_Open("pre", out.u16, at, len(out.parts), language))
        elif char == "`":
            stack.append(_Open("code", out.u16, at, len(out.parts)))
            i += 1
        elif char == ">" and line_start:
            if not in_quote:
                stack.append(_Open("blockquote", out.u16, at, len(out.parts)))
                in_quote = True
            i += 1
        else:
            raise reserved(char)
        line_start = False
    if in_quote and stack and stack[-1].kind == "blockquote":
        _close_quote(stack, out, entities)
    if stack:
        opened = stack[-1]
        raise _cant_parse(
            f"Can't find end of {_MD2_NAMES[opened.kind]} entity at byte offset {opened.byte_offset}"  # noqa: E501 - Telegram's exact wording
        )
    return FormattedText(out.text(), entities)


def _md2_closes(top: str | None, text: str, i: int) -> bool:
    char = text[i]
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return {
        "bold": char == "*",
        "italic": char == "_" and nxt != "_",
        "underline": char == "_" and nxt == "_",
        "strikethrough": char == "~",
        "spoiler": char == "|" and nxt == "|",
        "code": char == "`",
        "pre": text.startswith("```", i),
        "text_link": char == "]",
        "custom_emoji": char == "]",
    }.get(top or "", False)


def _md2_pre_header(text: str, i: int) -> tuple[int, str]:
    """Skips ```language and the newline after it; returns (index of the content, language)."""
    end = i
    while end < len(text) and not text[end].isspace() and text[end] != "`":
        end += 1
    language = ""
    if end != i and end < len(text) and text[end] != "`":
        language = text[i:end]
        i = end
    if text.startswith("\r\n", i) or text.startswith("\n\r", i):
        i += 2
    elif text[i : i + 1] in ("\n", "\r"):
        i += 1
    return i, language


def _md2_close(text: str, i: int, stack: list[_Open], out: _Output, entities: list[Entity]) -> int:
    opened = stack.pop()
    length = out.u16 - opened.offset
    kind = opened.kind
    extra: dict[str, Any] = {}
    i += {"underline": 2, "spoiler": 2, "pre": 3}.get(kind, 1)
    if kind in ("text_link", "custom_emoji"):
        if text[i : i + 1] == "(":
            url, i = _md2_url(text, i + 1)
        elif kind == "custom_emoji":
            raise _cant_parse("The entity must contain a tg://emoji or tg://time URL")
        else:
            url = "".join(out.parts[opened.start :])
        if kind == "custom_emoji":
            emoji = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
            if not emoji:
                raise _cant_parse("Invalid tg://emoji or tg://time URL specified")
            extra["custom_emoji_id"] = emoji.group(1)
        elif length > 0:
            link = _link_entity(url, opened.offset, length)
            if link:
                entities.append(link)
            return i
    if kind == "pre" and opened.argument:
        extra["language"] = opened.argument
    if length > 0 and kind != "text_link":
        entities.append(_entity(kind, opened.offset, length, **extra))
    return i


def _md2_url(text: str, i: int) -> tuple[str, int]:
    start = i
    url: list[str] = []
    while i < len(text) and text[i] != ")":
        if text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
            url.append(text[i + 1])
            i += 2
            continue
        url.append(text[i])
        i += 1
    if i >= len(text):
        raise _cant_parse(f"Can't find end of a URL at byte offset {_byte_offset(text, start)}")
    return "".join(url), i + 1


def _close_quote(stack: list[_Open], out: _Output, entities: list[Entity]) -> None:
    if not stack or stack[-1].kind != "blockquote":
        opened = stack[-1]
        raise _cant_parse(
            f"Can't find end of {_MD2_NAMES[opened.kind]} entity at byte offset {opened.byte_offset}"  # noqa: E501 - Telegram's exact wording
        )
    opened = stack.pop()
    if out.u16 > opened.offset:
        entities.append(_entity("blockquote", opened.offset, out.u16 - opened.offset))


# --- legacy Markdown ------------------------------------------------------------------------


def parse_markdown(text: str) -> FormattedText:
    """The legacy `Markdown` mode: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _Output()
    entities: list[Entity] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        begin = i
        is_pre = text.startswith("```", i)
        end_marker = "```" if is_pre else ("]" if char == "[" else char)
        i += 3 if is_pre else 1
        language = ""
        if is_pre:
            i, language = _md2_pre_header(text, i)
        end = text.find(end_marker, i)
        if end < 0:
            raise _cant_parse(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        offset = out.u16
        out.add(text[i:end])
        length = out.u16 - offset
        i = end + len(end_marker)
        if char == "[":
            url = ""
            if text[i : i + 1] == "(":
                close = text.find(")", i)
                if close >= 0:
                    url, i = text[i + 1 : close], close + 1
            link = _link_entity(url, offset, length) if url and length else None
            if link:
                entities.append(link)
            continue
        if length:
            kind = {"*": "bold", "_": "italic", "`": "pre" if is_pre else "code"}[char]
            extra = {"language": language} if is_pre and language else {}
            entities.append(_entity(kind, offset, length, **extra))
    return FormattedText(out.text(), entities)


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
        parser = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}
        if mode not in parser:
            raise bad_request("Unsupported parse_mode")
        formatted = parser[mode](raw)
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
