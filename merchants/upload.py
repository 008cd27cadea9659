"""A catalog file sent in the merchant's chat: who may send one, how big, and importing it.

The chat decides the merchant (`shop_for_chat`), never the file: a `merchant` column naming
another shop only leaves those rows out (`catalog.importing`). The sender must be the shop's
staff. Size is checked against `CHAT_LIMITS` from what Telegram says before anything is
downloaded, and again on the bytes. The import stages its batches in short transactions of its
own (buyers keep being served between them) and swaps them in at the end; it writes nothing
when the file has errors, unless the sender asked to skip bad rows (`wants_skip`): then the
good products are imported and the bad ones left out whole.

Shopify's translation export (titles, option names and values in other languages) may be sent
the same way: it is told apart by its header and imported by `import_translations_upload`.

Plain Python: the handler downloads, this decides and imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.importing import ImportLimits, ImportReport, Sessions, import_catalog
from catalog.importing.problems import ImportProblem, ImportRejected
from catalog.importing.shopify_translations import (
    TranslationReport,
    import_translation_export,
    is_translation_export,
)
from merchants.settings import Shop, shop_for_chat
from merchants.staff import is_staff

# Smaller than the command line's limits: an upload is parsed inside the running bot (in a
# thread, but it shares the process's CPU with buyers' updates), and Telegram lets a bot
# download at most 20 MB anyway. Bigger catalogs go through `chatshop catalog import`.
CHAT_LIMITS: Final = ImportLimits(max_bytes=10 * 1024 * 1024, max_rows=10_000)

# Problems that reject the file as a whole: leaving bad rows out cannot help with these.
WHOLE_FILE_PROBLEMS: Final = frozenset(
    {
        "file_too_large", "empty_file", "no_rows", "not_csv", "spreadsheet_not_csv",
        "bad_encoding", "unclosed_quote", "bad_quoting", "cell_too_large", "too_many_rows",
        "missing_column", "duplicate_column", "bad_merchant", "unknown_currency",
        "currency_required", "currency_mismatch", "currency_conflict", "catalog_changed",
    }
)  # fmt: skip

# The caption that imports the good rows of a file with errors: "skip", "skip bad rows".
# "skip" in every shipped language, so a merchant may caption the file in their own words.
_SKIP = re.compile(
    r"^\s*/?(skip|omitir|pular|ignorer|sauter|überspringen|пропустить|跳过|تخطي|تجاوز)(?!\w)",
    re.IGNORECASE,
)


class UploadRefusal(StrEnum):
    NOT_A_SHOP_CHAT = "not_a_shop_chat"
    NOT_STAFF = "not_staff"
    TOO_LARGE = "too_large"


class UploadRefused(Exception):
    def __init__(self, refusal: UploadRefusal, *, limit: int = 0) -> None:
        super().__init__(refusal.value)
        self.refusal, self.limit = refusal, limit


@dataclass(frozen=True, slots=True)
class Uploader:
    """The shop a file sent in this chat is for, read before downloading it."""

    merchant_slug: str
    merchant_name: str
    language: str  # the shop's: the report is written in it


@dataclass(frozen=True, slots=True)
class UploadResult:
    uploader: Uploader
    report: ImportReport
    skip_bad_rows: bool

    @property
    def rejected(self) -> bool:
        """The file as a whole could not be read: nothing imported, skipping would not help."""
        return any(problem.code in WHOLE_FILE_PROBLEMS for problem in self.report.errors)

    @property
    def skip_would_help(self) -> bool:
        """Only some products have errors: sending it again with "skip" imports the others."""
        report = self.report
        return not report.applied and bool(report.errors) and not self.rejected


def wants_skip(caption: str | None) -> bool:
    """The file's caption asks to import the good rows and leave the bad ones out."""
    return bool(caption and _SKIP.match(caption))


async def uploader(session: AsyncSession, *, chat_id: int, user_id: int) -> Uploader:
    """The chat's shop, if the sender is on its staff; raises `UploadRefused` otherwise."""
    shop = await _staff_shop(session, chat_id=chat_id, user_id=user_id)
    return _uploader(shop)


def check_size(file_size: int | None, *, limits: ImportLimits | None = None) -> None:
    """Refuses a file Telegram says is too big, before it is downloaded.

    An unknown size passes: the bytes are measured again before they are read.
    """
    limits = limits or CHAT_LIMITS
    if file_size is not None and file_size > limits.max_bytes:
        raise UploadRefused(UploadRefusal.TOO_LARGE, limit=limits.max_bytes)


async def import_upload(
    sessions: Sessions,
    *,
    chat_id: int,
    user_id: int,
    data: bytes,
    skip_bad_rows: bool = False,
    limits: ImportLimits | None = None,
) -> UploadResult:
    """Imports `data` into the chat's shop's catalog (in short transactions of its own).

    Checked again here (the sender may have left the staff while the file downloaded). Never
    raises for a bad file: the report says what is wrong, and then nothing was written.
    """
    async with sessions() as session, session.begin():
        shop = await _staff_shop(session, chat_id=chat_id, user_id=user_id)
    limits = limits or CHAT_LIMITS
    check_size(len(data), limits=limits)
    report = await import_catalog(
        sessions,
        data,
        merchant_slug=shop.merchant.slug,
        skip_bad_rows=skip_bad_rows,
        limits=limits,
    )
    return UploadResult(_uploader(shop), report, skip_bad_rows)


@dataclass(frozen=True, slots=True)
class TranslationsResult:
    """Shopify's translation export sent in the chat: what changed, or why nothing did."""

    uploader: Uploader
    report: TranslationReport | None
    rejected: ImportProblem | None = None


def is_translations(data: bytes) -> bool:
    """The file is Shopify's translation export rather than a catalog."""
    return is_translation_export(data)


async def import_translations_upload(
    session: AsyncSession, *, chat_id: int, user_id: int, data: bytes
) -> TranslationsResult:
    """Applies Shopify's translation export to the chat's shop (staff only, as for catalogs)."""
    shop = await _staff_shop(session, chat_id=chat_id, user_id=user_id)
    check_size(len(data))
    try:
        report = await import_translation_export(session, data, merchant_slug=shop.merchant.slug)
    except ImportRejected as rejected:
        return TranslationsResult(_uploader(shop), None, rejected.problem)
    return TranslationsResult(_uploader(shop), report)


async def _staff_shop(session: AsyncSession, *, chat_id: int, user_id: int) -> Shop:
    shop = await shop_for_chat(session, chat_id)
    if shop is None:
        raise UploadRefused(UploadRefusal.NOT_A_SHOP_CHAT)
    if not await is_staff(session, merchant_id=shop.merchant.id, user_id=user_id):
        raise UploadRefused(UploadRefusal.NOT_STAFF)
    return shop


def _uploader(shop: Shop) -> Uploader:
    return Uploader(shop.merchant.slug, shop.merchant.name, shop.language)
