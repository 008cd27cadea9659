"""Answers to users' queries, the command menu, files and what the bot may ask about chats."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from bot.standin.errors import QUERY_TOO_OLD, bad_request
from bot.standin.files import DOWNLOAD_LIMIT
from bot.standin.markup import check_callback_data, inline_only, parse_reply_markup
from bot.standin.params import Method, Params
from bot.standin.records import Member
from bot.standin.state import World

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^([a-z]{2})?$")


async def answer_callback_query(world: World, p: Params) -> bool:
    query = world.callbacks.get(p.get("callback_query_id") or "")
    if query is None or query.answered or time.monotonic() - query.created > world.callback_timeout:
        raise bad_request(QUERY_TOO_OLD)
    text = p.get("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    world.emit(
        "callback_answer",
        chat=query.message.chat,
        message=query.message,
        user_id=query.user.id,
        detail={
            "callback_query_id": query.id,
            "text": text,
            "show_alert": p.bool("show_alert"),
            "url": p.get("url"),
        },
    )
    return True


async def answer_inline_query(world: World, p: Params) -> bool:
    query = world.inline_queries.get(p.get("inline_query_id") or "")
    if query is None or query.answer.done():
        raise bad_request(QUERY_TOO_OLD)
    results = p.json("results", "Can't parse inline query results JSON object")
    if not isinstance(results, list):
        raise bad_request('Field "results" must be of type Array')
    if len(results) > 50:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or result.get("type") not in INLINE_RESULT_TYPES:
            raise bad_request("Can't parse InlineQueryResult: unsupported type")
        result_id = str(result.get("id") or "")
        if not result_id or len(result_id.encode()) > 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        markup = result.get("reply_markup")
        if markup is not None:
            check_callback_data(inline_only(parse_reply_markup(json.dumps(markup))))
    answer = {"results": results, "next_offset": p.get("next_offset") or ""}
    query.answer.set_result(answer)
    world.emit(
        "inline_answer", user_id=query.user.id, detail={"inline_query_id": query.id, **answer}
    )
    return True


# --- the command menu -----------------------------------------------------------------------


def _scope(world: World, p: Params) -> tuple[Any, ...]:
    scope = p.json("scope", "Can't parse BotCommandScope JSON object")
    if scope is None:
        return ("default",)
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("Can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return (kind,)
    if kind not in ("chat", "chat_administrators", "chat_member"):
        raise bad_request("Wrong BotCommandScope type specified")
    chat = world.chat_for(str(scope.get("chat_id") or ""))
    if kind == "chat_member":
        user_id = int(scope.get("user_id") or 0)
        if chat.type == "private" or user_id not in chat.members:
            raise bad_request("user not found")
        return (kind, chat.id, user_id)
    if kind == "chat_administrators" and chat.type == "private":
        raise bad_request("Can't change commands in private chats")
    return (kind, chat.id)


def _language(p: Params) -> str:
    language = p.get("language_code") or ""
    if not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return language


async def set_my_commands(world: World, p: Params) -> bool:
    commands = p.json("commands", "Can't parse commands JSON object")
    if not isinstance(commands, list):
        raise bad_request('Field "commands" must be of type Array')
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned: list[dict[str, str]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("Can't parse BotCommand: expected an Object")
        name = str(command.get("command") or "").removeprefix("/").lower()
        description = str(command.get("description") or "").strip()
        if not _COMMAND.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not description or len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    key = (_scope(world, p), _language(p))
    if cleaned:
        world.commands[key] = cleaned
    else:
        world.commands.pop(key, None)
    return True


async def get_my_commands(world: World, p: Params) -> list[dict[str, str]]:
    return list(world.commands.get((_scope(world, p), _language(p)), []))


async def delete_my_commands(world: World, p: Params) -> bool:
    world.commands.pop((_scope(world, p), _language(p)), None)
    return True


# --- files, chats, members ------------------------------------------------------------------


async def get_file(world: World, p: Params) -> dict[str, Any]:
    stored = world.files.get(p.get("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size is not None and stored.size > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    info: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.size is not None:
        info["file_size"] = stored.size
    info["file_path"] = world.files.path_for(stored)
    return info


async def send_chat_action(world: World, p: Params) -> bool:
    chat = world.chat_for(p.get("chat_id"), write=True)
    action = p.get("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    world.emit("chat_action", chat=chat, detail={"action": action})
    return True


async def get_chat(world: World, p: Params) -> dict[str, Any]:
    return world.chat_for(p.get("chat_id")).full_info()


async def get_chat_member(world: World, p: Params) -> dict[str, Any]:
    chat = world.chat_for(p.get("chat_id"))
    user_id = p.int("user_id")
    user = world.bot if user_id == world.bot.id else world.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if chat.type == "private":
        if user is not world.bot and user is not chat.user:
            raise bad_request("user not found")
        return Member("member").to_json(user)
    return chat.members.get(user_id, Member("left")).to_json(user)


METHODS: dict[str, Method] = {
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getFile": get_file,
    "sendChatAction": send_chat_action,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
}
