"""Turns a channel-neutral `Reply` into Telegram calls (markup: `outbox.telegram.markup`, shared
with the outbox).

`send` talks to Telegram at once. `owe` writes the reply into the outbox inside the use case's
transaction instead, for a reply that must survive a crash: the state it answers commits with it,
so a worker killed after that commit still delivers it (`delivered` then wakes the sender).
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import ShopContext
from conversation.reply import Photo, Reply
from outbox import enqueue
from outbox.telegram import deliver_owed, keyboard, markup

CAPTION_LIMIT = 1024


def stale_file_id(error: BadRequest) -> bool:
    """Telegram does not know the photo id a reply was sent with: an id kept from another bot
    (a new token) or from a demo's earlier stand-in. Sending the file itself again works."""
    message = error.message.lower()
    return "file identifier" in message or "file_id" in message


def _photo_input(photo: Photo) -> str | InputFile:
    if photo.channel_file_id:
        return photo.channel_file_id
    if photo.data is not None:
        return InputFile(photo.data, filename=photo.filename)
    if photo.path is not None:
        return InputFile(photo.path.read_bytes(), filename=photo.path.name)
    assert photo.url, "a Photo needs a file id, bytes, a path or a URL"
    return photo.url


async def send(
    update: Update, context: ShopContext, reply: Reply, *, answer_press: bool = True
) -> Message | None:
    """Sends (or, for `edit` replies to a button press, edits) and answers the press (unless
    `answer_press` is False: it was answered already, and Telegram takes one answer)."""
    query = update.callback_query
    if query is not None and answer_press:
        await query.answer(reply.notice)
    chat = update.effective_chat
    assert chat is not None
    sent: Message | None = None
    if reply.edit and _editable(reply) and query is not None and query.message is not None:
        sent = await _edit(query.message, reply)
    if sent is None:
        sent = await _send_new(context, chat.id, reply)
    await _send_extra(context, chat.id, reply)
    return sent


async def owe(session: AsyncSession, update: Update, reply: Reply) -> None:
    """Owes `reply` and its `extra` messages to the update's chat, in `session`'s transaction.
    An `edit` reply to a button press edits the pressed message (a new one if it is gone)."""
    chat = update.effective_chat
    assert chat is not None
    assert reply.photo is None, "the outbox carries text messages only"
    pressed = update.callback_query.message if update.callback_query is not None else None
    edit_id = None
    if reply.edit and _editable(reply) and isinstance(pressed, Message) and not pressed.photo:
        edit_id = pressed.message_id
    # A random key: the row commits only with the update's done mark (`inbox.fence`), so a
    # replayed update never finds one of its own to collide with.
    key = uuid.uuid4().hex
    for index, message in enumerate(_one_by_one(reply)):
        await enqueue(
            session,
            dedupe_key=f"reply:{key}:{index}",
            chat_id=chat.id,
            reply=message,
            edit_message_id=edit_id if index == 0 else None,
        )


async def delivered(update: Update, context: ShopContext, reply: Reply) -> None:
    """After the transaction that owed `reply` committed: answers the press, wakes the sender."""
    if update.callback_query is not None:
        await update.callback_query.answer(reply.notice)
    await deliver_owed(context.application)


def _one_by_one(reply: Reply) -> list[Reply]:
    """The reply and its extras, in the order `send` sends them, each without extras."""
    messages = [replace(reply, extra=())]
    for extra in reply.extra:
        messages += _one_by_one(extra)
    return messages


def _editable(reply: Reply) -> bool:
    return not reply.photo and not reply.contact_request and not reply.remove_keyboard


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
