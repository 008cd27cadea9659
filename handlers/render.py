"""Turns a channel-neutral `Reply` into Telegram calls (inline buttons: `outbox.telegram.keyboard`,
shared with the outbox)."""

from __future__ import annotations

from telegram import (
    ForceReply,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import ShopContext
from conversation.reply import Photo, Reply
from outbox.telegram import keyboard

CAPTION_LIMIT = 1024


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


def markup(reply: Reply) -> Markup | None:
    """The one markup a Telegram message can carry: inline buttons win over a reply keyboard."""
    if reply.buttons:
        return keyboard(reply)
    if reply.contact_request:
        return ReplyKeyboardMarkup(
            [[KeyboardButton(reply.contact_request, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    if reply.force_reply:
        return ForceReply(
            selective=reply.force_reply_selective or None,
            input_field_placeholder=reply.force_reply_placeholder,
        )
    return None


def _photo_input(photo: Photo) -> str | InputFile:
    if photo.channel_file_id:
        return photo.channel_file_id
    if photo.data is not None:
        return InputFile(photo.data, filename=photo.filename)
    if photo.path is not None:
        return InputFile(photo.path.read_bytes(), filename=photo.path.name)
    assert photo.url, "a Photo needs a file id, bytes, a path or a URL"
    return photo.url


async def send(update: Update, context: ShopContext, reply: Reply) -> Message | None:
    """Sends (or, for `edit` replies to a button press, edits) and answers the press."""
    query = update.callback_query
    if query is not None:
        await query.answer(reply.notice)
    chat = update.effective_chat
    assert chat is not None
    sent: Message | None = None
    editable = not reply.photo and not reply.contact_request and not reply.remove_keyboard
    if reply.edit and editable and query is not None and query.message is not None:
        sent = await _edit(query.message, reply)
    if sent is None:
        sent = await _send_new(context, chat.id, reply)
    await _send_extra(context, chat.id, reply)
    return sent


async def _send_extra(context: ShopContext, chat_id: int, reply: Reply) -> None:
    for extra in reply.extra:
        await _send_new(context, chat_id, extra)
        await _send_extra(context, chat_id, extra)


async def _edit(message: object, reply: Reply) -> Message | None:
    assert isinstance(message, Message)
    try:
        if message.photo:
            result = await message.edit_caption(
                reply.text[:CAPTION_LIMIT], parse_mode=ParseMode.HTML, reply_markup=keyboard(reply)
            )
        else:
            result = await message.edit_text(
                reply.text, parse_mode=ParseMode.HTML, reply_markup=keyboard(reply)
            )
    except BadRequest as error:
        if "not modified" in error.message:  # the same button pressed twice: nothing to do
            return message
        return None  # the message is gone or too old to edit: send a fresh one
    return result if isinstance(result, Message) else message


async def _send_new(context: ShopContext, chat_id: int, reply: Reply) -> Message:
    if reply.photo is not None and len(reply.text) <= CAPTION_LIMIT:
        return await context.bot.send_photo(
            chat_id,
            _photo_input(reply.photo),
            caption=reply.text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(reply),
        )
    return await context.bot.send_message(
        chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=markup(reply)
    )
