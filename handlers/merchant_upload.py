"""A catalog file sent as a document in the merchant's group: checked, downloaded, imported.

Every document in a group is read as a catalog upload. The order of the checks is the point:
the chat and the sender first (nothing is downloaded for a stranger), then the size Telegram
reports, then the download, then the import: the whole file or nothing, in short transactions that
let buyers through between them. The
caption `skip` imports the good products of a file with errors (see `merchants.upload`).
Shopify's translation export, told apart by its header, adds the catalog's translations.
"""

from __future__ import annotations

import logging

from telegram import Document, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from bot.context import ShopContext, ShopHandler
from bot.database import transaction
from conversation.views import merchant_upload as views
from handlers.render import send
from i18n import negotiate_locale, translator
from merchants import upload

log = logging.getLogger(__name__)


def handlers() -> list[ShopHandler]:
    documents = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & filters.Document.ALL
    return [MessageHandler(documents, catalog_file)]


async def catalog_file(update: Update, context: ShopContext) -> None:
    """A staff member's CSV or Shopify export: imported into the chat's shop, then reported."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert chat is not None and user is not None and message is not None
    document = message.document
    assert document is not None
    try:
        async with transaction(context.services.sessions) as session:
            uploader = await upload.uploader(session, chat_id=chat.id, user_id=user.id)
        upload.check_size(document.file_size)
    except upload.UploadRefused as refused:
        await send(update, context, views.refused(context.i18n, refused.refusal,
                                                  limit=refused.limit))  # fmt: skip
        return
    shop_t = translator(negotiate_locale(uploader.language))
    await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    try:
        data = await _download(context, document)
        if data is None:
            await send(update, context, views.download_failed(shop_t))
            return
        if upload.is_translations(data):
            async with transaction(context.services.sessions) as session:
                translated = await upload.import_translations_upload(
                    session, chat_id=chat.id, user_id=user.id, data=data
                )
            await send(update, context, views.translations_report(shop_t, translated))
            return
        result = await upload.import_upload(
            context.services.sessions, chat_id=chat.id, user_id=user.id, data=data,
            skip_bad_rows=upload.wants_skip(message.caption),
        )  # fmt: skip
    except upload.UploadRefused as refused:  # too big after all, or left the staff meanwhile
        await send(update, context, views.refused(context.i18n, refused.refusal,
                                                  limit=refused.limit))  # fmt: skip
        return
    await send(update, context, views.report(shop_t, result))


async def _download(context: ShopContext, document: Document) -> bytes | None:
    """The file's bytes, or None when Telegram cannot give them; raises `UploadRefused` when
    getFile reports a size over the limit (still before downloading)."""
    try:
        file = await context.bot.get_file(document.file_id)
        upload.check_size(file.file_size)
        return bytes(await file.download_as_bytearray())
    except TelegramError as error:  # "file is too big" (over 20 MB), a network failure
        log.info("catalog download failed: %s", error)
        return None
