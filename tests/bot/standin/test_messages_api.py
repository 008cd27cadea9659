"""Sending, editing and deleting messages, with Telegram's shapes and refusals."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden

from bot.standin import StandIn, User, tiny_png


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def test_send_message_with_html(bot: Bot, ana: User) -> None:
    sent = await bot.send_message(ana.id, "<b>Price</b> 10 &lt;USD&gt;", parse_mode="HTML")
    assert sent.text == "Price 10 <USD>"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 5)]
    assert sent.from_user is not None and sent.from_user.is_bot
    assert ana.chat.last is not None and ana.chat.last.text == "Price 10 <USD>"


async def test_empty_text_is_refused(http: httpx.AsyncClient, bot: Bot, ana: User) -> None:
    raw = await http.post("sendMessage", data={"chat_id": ana.id, "text": ""})
    assert raw.status_code == 400
    assert raw.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ana.id, "<b> </b>", parse_mode="HTML")


async def test_text_over_4096_characters_is_refused(http: httpx.AsyncClient, ana: User) -> None:
    fits = await http.post("sendMessage", data={"chat_id": ana.id, "text": "é" * 4096})
    assert fits.json()["ok"] is True
    raw = await http.post("sendMessage", data={"chat_id": ana.id, "text": "é" * 4097})
    assert raw.json()["description"] == "Bad Request: message is too long"


async def test_callback_data_over_64_bytes_is_refused(bot: Bot, ana: User) -> None:
    await bot.send_message(ana.id, "ok", reply_markup=_keyboard("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ana.id, "too long", reply_markup=_keyboard("é" * 33))


async def test_unknown_chat_and_a_user_who_never_wrote(standin: StandIn, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hi")
    silent = standin.user("Dan")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(silent.id, "hi")


async def test_blocked_bot_is_forbidden(bot: Bot, ana: User) -> None:
    await ana.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ana.id, "still there?")


async def test_send_photo_upload_then_file_id_then_url(bot: Bot, ana: User) -> None:
    uploaded = await bot.send_photo(
        ana.id, tiny_png(400, 300), caption="<i>Red</i>", parse_mode="HTML"
    )
    assert uploaded.caption == "Red"
    assert [(p.width, p.height) for p in uploaded.photo] == [(90, 68), (320, 240), (400, 300)]
    again = await bot.send_photo(ana.id, uploaded.photo[-1].file_id)
    assert [p.file_id for p in again.photo] == [p.file_id for p in uploaded.photo]
    by_url = await bot.send_photo(ana.id, "https://shop.example/p/1.jpg", caption="Mug")
    assert by_url.photo
    assert ana.chat.last is not None and ana.chat.last.photo is not None
    assert ana.chat.last.photo.url == "https://shop.example/p/1.jpg"


async def test_upload_that_is_not_an_image_fails(bot: Bot, ana: User) -> None:
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(ana.id, b"not a picture")


async def test_send_document_and_download_it(bot: Bot, ana: User) -> None:
    sent = await bot.send_document(
        ana.id, InputFile(b"id,name\n1,mug\n", filename="catalog.csv"), caption="Catalog"
    )
    assert sent.document is not None and sent.document.file_name == "catalog.csv"
    assert sent.document.mime_type == "text/csv"
    remote = await bot.get_file(sent.document.file_id)
    assert remote.file_path is not None and remote.file_path.endswith(".csv")
    assert bytes(await remote.download_as_bytearray()) == b"id,name\n1,mug\n"
    assert ana.chat.last is not None and ana.chat.last.document is not None


async def test_edit_text_keeps_history_and_drops_keyboard(bot: Bot, ana: User) -> None:
    sent = await bot.send_message(ana.id, "Cart: 1", reply_markup=_keyboard("add"))
    edited = await bot.edit_message_text("Cart: 2", chat_id=ana.id, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.text == "Cart: 2"
    assert edited.edit_date is not None and edited.reply_markup is None
    view = ana.chat.last
    assert view is not None and view.edited and view.buttons == []
    assert [v.content["text"] for v in view.record.history] == ["Cart: 1"]


async def test_edit_with_same_content_is_not_modified(bot: Bot, ana: User) -> None:
    sent = await bot.send_message(ana.id, "Same", reply_markup=_keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Same", chat_id=ana.id, message_id=sent.message_id, reply_markup=_keyboard("a")
        )
    changed = await bot.edit_message_reply_markup(
        chat_id=ana.id, message_id=sent.message_id, reply_markup=_keyboard("b")
    )
    assert isinstance(changed, Message) and changed.reply_markup == _keyboard("b")


async def test_edit_missing_or_foreign_message(bot: Bot, ana: User) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ana.id, message_id=999)
    users_own = ana.chat.messages[0]
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", chat_id=ana.id, message_id=users_own.id)


async def test_edit_caption_of_a_photo_only(bot: Bot, ana: User) -> None:
    photo = await bot.send_photo(ana.id, tiny_png(), caption="old")
    edited = await bot.edit_message_caption(
        chat_id=ana.id, message_id=photo.message_id, caption="new"
    )
    assert isinstance(edited, Message) and edited.caption == "new" and edited.photo
    text = await bot.send_message(ana.id, "plain")
    with pytest.raises(BadRequest, match=r"(?i)no caption"):
        await bot.edit_message_caption(chat_id=ana.id, message_id=text.message_id, caption="c")
    with pytest.raises(BadRequest, match=r"(?i)no text"):
        await bot.edit_message_text("t", chat_id=ana.id, message_id=photo.message_id)


async def test_delete_message(bot: Bot, ana: User) -> None:
    sent = await bot.send_message(ana.id, "bye")
    assert await bot.delete_message(ana.id, sent.message_id)
    assert all(m.id != sent.message_id for m in ana.chat.messages)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ana.id, sent.message_id)


async def test_group_message_deletion_needs_admin(standin: StandIn, bot: Bot, ana: User) -> None:
    group = standin.group("Buyers", members={ana: "member"}, bot_status="member")
    said = await ana.send("/help@chatshop_demo_bot", chat=group)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(group.id, said.id)


async def test_reply_to_a_missing_message(bot: Bot, ana: User) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ana.id, "re", reply_to_message_id=999)
    first = ana.chat.messages[0]
    reply = await bot.send_message(ana.id, "re", reply_to_message_id=first.id)
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "/start"
