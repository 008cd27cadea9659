"""Sending, editing and deleting messages: the methods that change what a chat shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.standin.errors import NOT_MODIFIED, bad_request
from bot.standin.files import StoredFile, Upload
from bot.standin.markup import Markup, check_callback_data, inline_only, parse_reply_markup
from bot.standin.params import Method, Params
from bot.standin.records import ChatRecord, MessageRecord, now
from bot.standin.state import World
from bot.standin.text import CAPTION_LIMIT, TEXT_LIMIT, FormattedText, format_text


def _markup(p: Params) -> Markup | None:
    markup = parse_reply_markup(p.get("reply_markup"))
    check_callback_data(markup)
    return markup


def _reply_to(world: World, chat: ChatRecord, p: Params) -> MessageRecord | None:
    """reply_parameters (or the older reply_to_message_id) as a message of this chat."""
    parameters = p.json("reply_parameters", "Can't parse reply parameters JSON object")
    if isinstance(parameters, dict):
        message_id = str(parameters.get("message_id") or "")
        lenient = bool(parameters.get("allow_sending_without_reply"))
    else:
        message_id = p.get("reply_to_message_id") or ""
        lenient = p.bool("allow_sending_without_reply")
    if not message_id:
        return None
    message = chat.messages.get(int(message_id)) if message_id.lstrip("-").isdigit() else None
    if message is None or message.deleted:
        if lenient:
            return None
        raise bad_request("message to be replied not found")
    return message


def _with_text(content: dict[str, Any], formatted: FormattedText, field: str) -> dict[str, Any]:
    entities_field = "entities" if field == "text" else "caption_entities"
    if formatted.text:
        content[field] = formatted.text
        if formatted.entities:
            content[entities_field] = formatted.entities
    return content


def _caption(p: Params) -> FormattedText:
    return format_text(
        p.get("caption") or "",
        p.get("parse_mode"),
        p.get("caption_entities"),
        limit=CAPTION_LIMIT,
        what="caption",
    )


def _post(
    world: World, chat: ChatRecord, p: Params, content: dict[str, Any], markup: Markup | None
) -> dict[str, Any]:
    message = world.post(
        chat,
        world.bot,
        content,
        markup=markup if markup is not None and markup.kind == "inline" else None,
        sent_markup=markup,
        parse_mode=p.get("parse_mode"),
        reply_to=_reply_to(world, chat, p),
    )
    return message.to_json()


async def send_message(world: World, p: Params) -> dict[str, Any]:
    chat = world.chat_for(p.get("chat_id"), write=True)
    markup = _markup(p)
    formatted = format_text(
        p.get("text") or "",
        p.get("parse_mode"),
        p.get("entities"),
        limit=TEXT_LIMIT,
        what="message",
    )
    return _post(world, chat, p, _with_text({}, formatted, "text"), markup)


async def send_photo(world: World, p: Params) -> dict[str, Any]:
    chat = world.chat_for(p.get("chat_id"), write=True)
    markup = _markup(p)
    caption = _caption(p)
    photo = p.file("photo")
    if photo is None:
        raise bad_request("there is no photo in the request")
    if isinstance(photo, Upload):
        sizes = world.files.add_photo(photo.data)
    elif _is_url(photo):
        sizes = world.files.add_photo(None, url=photo)  # offline: the picture is not fetched
    else:
        sizes = world.files.photo_sizes(photo)
    content: dict[str, Any] = {"photo": [size.photo_size() for size in sizes]}
    if p.bool("has_spoiler"):
        content["has_media_spoiler"] = True
    return _post(world, chat, p, _with_text(content, caption, "caption"), markup)


async def send_document(world: World, p: Params) -> dict[str, Any]:
    chat = world.chat_for(p.get("chat_id"), write=True)
    markup = _markup(p)
    caption = _caption(p)
    document = p.file("document")
    if document is None:
        raise bad_request("there is no document in the request")
    stored: StoredFile
    if isinstance(document, Upload):
        stored = world.files.add_document(document)
    elif _is_url(document):
        name = urlsplit(document).path.rsplit("/", 1)[-1] or "file"
        stored = world.files.add("document", None, file_name=name, url=document)
    else:
        stored = world.files.resolve(document, "document")
    content = {"document": stored.document()}
    return _post(world, chat, p, _with_text(content, caption, "caption"), markup)


# --- edits ----------------------------------------------------------------------------------


def _edit_target(world: World, p: Params) -> MessageRecord:
    inline_id = p.get("inline_message_id")
    if inline_id:
        message = world.inline_messages.get(inline_id)
        if message is None or message.deleted:
            raise bad_request("MESSAGE_ID_INVALID")
        return message
    chat = world.chat_for(p.get("chat_id"))
    message = world.message_in(chat, p.get("message_id"), "message to edit")
    if message.sender is not world.bot and message.via_bot is not world.bot:
        raise bad_request("message can't be edited")
    return message


def _apply_edit(
    world: World,
    message: MessageRecord,
    content: dict[str, Any],
    markup: Markup | None,
    p: Params,
) -> dict[str, Any] | bool:
    content = world.resolve_mentions(content)
    if content == message.content and markup == message.markup:
        raise bad_request(NOT_MODIFIED)
    message.history.append(message.snapshot())
    message.content = content
    message.markup = markup
    message.edit_date = now()
    world.emit("edit", chat=message.chat, message=message)
    return True if p.get("inline_message_id") else message.to_json()


def _media_part(message: MessageRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in message.content.items()
        if key not in ("text", "entities", "caption", "caption_entities", "link_preview_options")
    }


async def edit_message_text(world: World, p: Params) -> dict[str, Any] | bool:
    markup = inline_only(_markup(p))
    message = _edit_target(world, p)
    if "text" not in message.content:
        raise bad_request("there is no text in the message to edit")
    formatted = format_text(
        p.get("text") or "",
        p.get("parse_mode"),
        p.get("entities"),
        limit=TEXT_LIMIT,
        what="message",
    )
    # Like Telegram, an edit without reply_markup removes the inline keyboard.
    return _apply_edit(world, message, _with_text({}, formatted, "text"), markup, p)


async def edit_message_caption(world: World, p: Params) -> dict[str, Any] | bool:
    markup = inline_only(_markup(p))
    message = _edit_target(world, p)
    if "text" in message.content:
        raise bad_request("there is no caption in the message to edit")
    content = _with_text(_media_part(message), _caption(p), "caption")
    return _apply_edit(world, message, content, markup, p)


async def edit_message_reply_markup(world: World, p: Params) -> dict[str, Any] | bool:
    markup = inline_only(_markup(p))
    message = _edit_target(world, p)
    return _apply_edit(world, message, dict(message.content), markup, p)


async def delete_message(world: World, p: Params) -> bool:
    chat = world.chat_for(p.get("chat_id"))
    message = world.message_in(chat, p.get("message_id"), "message to delete")
    allowed = message.sender is world.bot or chat.type == "private" or world.bot_is_admin(chat)
    if not allowed:
        raise bad_request("message can't be deleted")
    message.deleted = True
    world.emit("delete", chat=chat, message=message)
    return True


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


METHODS: dict[str, Method] = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
}
