"""Callback and inline answers, the command menu, chat actions, chats and members."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest

from bot.standin import CallbackAnswer, StandIn, User


async def _next_update(bot: Bot) -> Update:
    updates = await bot.get_updates(timeout=2)
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates[-1]


async def test_press_and_answer_callback_query(bot: Bot, ana: User) -> None:
    await _next_update(bot)  # /start
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Add", callback_data="cart:add:7:1")]])
    sent = await bot.send_message(ana.id, "Mug", reply_markup=markup)
    message = ana.chat.last
    assert message is not None
    pressing = asyncio.create_task(ana.press(message, "Add"))
    update = await _next_update(bot)
    query = update.callback_query
    assert query is not None and query.data == "cart:add:7:1"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await query.answer("Added", show_alert=True)
    assert await pressing == CallbackAnswer("Added", True, None)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("twice")


async def test_press_unanswered_returns_none(ana: User, bot: Bot) -> None:
    await bot.send_message(
        ana.id,
        "x",
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("A", callback_data="a"),
                    InlineKeyboardButton("B", callback_data="b"),
                ]
            ]
        ),
    )
    message = ana.chat.last
    assert message is not None
    assert await ana.press(message, (0, 1), timeout=0.05) is None
    updates = await bot.get_updates(timeout=0)
    assert updates[-1].callback_query is not None and updates[-1].callback_query.data == "b"


async def test_inline_query_answer_and_choice(standin: StandIn, bot: Bot) -> None:
    bea = standin.user("Bea")
    asking = asyncio.create_task(bea.inline("mug"))
    update = await _next_update(bot)
    assert update.inline_query is not None and update.inline_query.query == "mug"
    article = InlineQueryResultArticle(
        "p7", "Mug", InputTextMessageContent("<b>Mug</b> 9 USD", parse_mode="HTML")
    )
    assert await update.inline_query.answer([article])
    results = await asking
    assert [r["id"] for r in results] == ["p7"]
    posted = await bea.choose_inline(results[0])
    assert posted.text == "Mug 9 USD" and posted.record.via_bot is not None
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await update.inline_query.answer([article])


async def test_inline_duplicate_result_ids(standin: StandIn, bot: Bot) -> None:
    bea = standin.user("Bea")
    asking = asyncio.create_task(bea.inline("x", timeout=1))
    update = await _next_update(bot)
    assert update.inline_query is not None
    same = InlineQueryResultArticle("1", "A", InputTextMessageContent("a"))
    with pytest.raises(BadRequest, match=r"(?i)RESULT_ID_DUPLICATE"):
        await update.inline_query.answer([same, same])
    asking.cancel()


async def test_commands_by_scope_and_language(standin: StandIn, bot: Bot, ana: User) -> None:
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("start", "Começar")], language_code="pt")
    group_scope = BotCommandScopeAllGroupChats()
    await bot.set_my_commands([BotCommand("help", "Help")], scope=group_scope)
    assert [c.description for c in await bot.get_my_commands()] == ["Start"]
    assert [c.description for c in await bot.get_my_commands(language_code="pt")] == ["Começar"]
    assert [c.command for c in await bot.get_my_commands(scope=group_scope)] == ["help"]
    world = standin.worlds[bot.token]
    assert world.visible_commands(ana.record, ana.chat.record)[0]["description"] == "Começar"
    assert await bot.delete_my_commands(language_code="pt")
    assert await bot.get_my_commands(language_code="pt") == ()
    chat_scope = BotCommandScopeChat(ana.id)
    await bot.set_my_commands([BotCommand("orders", "Orders")], scope=chat_scope)
    assert [c.command for c in await bot.get_my_commands(scope=chat_scope)] == ["orders"]


async def test_invalid_command_is_refused(http: httpx.AsyncClient) -> None:
    raw = await http.post(
        "setMyCommands", data={"commands": '[{"command": "Not Valid", "description": "x"}]'}
    )
    assert raw.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"


async def test_chat_action(bot: Bot, ana: User) -> None:
    assert await bot.send_chat_action(ana.id, "typing")
    assert ana.chat.actions == ["typing"]
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(ana.id, "dancing")


async def test_get_chat_and_members(standin: StandIn, bot: Bot, ana: User) -> None:
    bea = standin.user("Bea")
    group = standin.group(
        "Shop staff", members={ana: "administrator", bea: "member"}, bot_status="administrator"
    )
    info = await bot.get_chat(group.id)
    assert (info.type, info.title) == ("group", "Shop staff")
    assert (await bot.get_chat(ana.id)).first_name == "Ana"
    assert isinstance(await bot.get_chat_member(group.id, ana.id), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(group.id, bea.id), ChatMemberMember)
    stranger = standin.user("Cid")
    assert isinstance(await bot.get_chat_member(group.id, stranger.id), ChatMemberLeft)
    assert isinstance(await bot.get_chat_member(group.id, bot.id), ChatMemberAdministrator)
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.get_chat_member(group.id, 31337)


async def test_unknown_file_id(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_downloads_need_the_right_token(standin: StandIn, bot: Bot, ana: User) -> None:
    photo = await ana.send_photo()
    file_id = photo.record.content["photo"][-1]["file_id"]
    remote = await bot.get_file(file_id)
    assert remote.file_path is not None  # PTB makes it the full download URL
    path = remote.file_path.removeprefix(f"{standin.api_url}/file/bot{bot.token}/")
    assert path.startswith("photos/") and path.endswith(".jpg")
    async with httpx.AsyncClient(base_url=standin.api_url) as client:
        good = await client.get(f"/file/bot{bot.token}/{path}")
        wrong = await client.get(f"/file/bot1:wrong/{path}")
        missing = await client.get(f"/file/bot{bot.token}/photos/none.jpg")
    assert photo.photo is not None and good.content == photo.photo.data
    assert (wrong.status_code, missing.status_code) == (401, 404)
