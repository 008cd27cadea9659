"""A catalog file sent in the merchant's chat: only staff, only into the chat's own shop, the
whole file or nothing (unless asked to skip bad rows), and hostile files refused harmlessly."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.database import SessionFactory, transaction
from catalog.importing import ImportLimits, ImportProblem
from catalog.importing.problems import MESSAGES
from catalog.models import Product, Variant
from conversation.views.merchant_upload import SHOWN_PROBLEMS, report
from i18n import translator
from merchants import upload
from merchants.settings import change_settings, settings_of
from merchants.staff import add_staff
from merchants.upload import Uploader, UploadRefusal, UploadRefused, UploadResult
from tests.orders.factories import seed_shop

MUGS_CHAT, TEA_CHAT, NO_SHOP_CHAT = -4101, -4102, -4199
MUGS_STAFF, TEA_STAFF, STRANGER = 801, 802, 803

GOOD = (
    b"handle,title,price,sku,stock\n"
    b"kettle,Electric kettle,39.90,KT-1,5\n"
    b"headphones,Wireless headphones,49.00,HP-1,3\n"
)


@pytest.fixture
async def shops(sessions: SessionFactory) -> dict[str, int]:
    """Mugs & Co (USD) and Tea House (CNY), each with its chat and one staff member."""
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        for merchant, chat, staff in (
            (shop.usd_merchant, MUGS_CHAT, MUGS_STAFF),
            (shop.cny_merchant, TEA_CHAT, TEA_STAFF),
        ):
            change_settings(await settings_of(session, merchant), notify_chat_id=chat)
            await add_staff(session, merchant_id=merchant, user_id=staff)
    return {"mugs": shop.usd_merchant, "tea": shop.cny_merchant}


async def send_file(
    sessions: SessionFactory,
    data: bytes,
    *,
    chat: int = MUGS_CHAT,
    user: int = MUGS_STAFF,
    skip: bool = False,
    limits: ImportLimits = upload.CHAT_LIMITS,
) -> UploadResult:
    return await upload.import_upload(
        sessions, chat_id=chat, user_id=user, data=data, skip_bad_rows=skip, limits=limits
    )


async def handles(sessions: SessionFactory, merchant_id: int) -> set[str]:
    async with transaction(sessions) as session:
        found = await session.scalars(
            select(Product.handle).where(Product.merchant_id == merchant_id)
        )
        return set(found)


async def price_of(sessions: SessionFactory, sku: str) -> int | None:
    async with transaction(sessions) as session:
        return await session.scalar(select(Variant.price_minor).where(Variant.sku == sku))


async def test_staff_import_a_file_into_their_chats_shop(
    sessions: SessionFactory, shops: dict[str, int]
) -> None:
    result = await send_file(sessions, GOOD)

    assert result.report.ok and (result.report.created, result.report.updated) == (1, 1)
    assert result.uploader == Uploader("mugs", "Mugs & Co", "en")
    assert "kettle" in await handles(sessions, shops["mugs"])
    assert "kettle" not in await handles(sessions, shops["tea"])
    assert await price_of(sessions, "HP-1") == 4900

    again = await send_file(sessions, GOOD)  # the same file twice: nothing new
    assert (again.report.created, again.report.updated, again.report.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(
    ("chat", "user", "refusal"),
    [
        (MUGS_CHAT, STRANGER, UploadRefusal.NOT_STAFF),
        (MUGS_CHAT, TEA_STAFF, UploadRefusal.NOT_STAFF),  # staff of another shop
        (NO_SHOP_CHAT, MUGS_STAFF, UploadRefusal.NOT_A_SHOP_CHAT),
    ],
)
async def test_only_the_shops_staff_in_its_chat_may_upload(
    sessions: SessionFactory, shops: dict[str, int], chat: int, user: int, refusal: UploadRefusal
) -> None:
    async with transaction(sessions) as session:
        with pytest.raises(UploadRefused) as before:
            await upload.uploader(session, chat_id=chat, user_id=user)
    with pytest.raises(UploadRefused) as during:
        await send_file(sessions, GOOD, chat=chat, user=user)
    assert before.value.refusal is refusal and during.value.refusal is refusal
    assert "kettle" not in await handles(sessions, shops["mugs"]) | await handles(
        sessions, shops["tea"]
    )


async def test_the_chat_not_the_file_decides_the_shop(
    sessions: SessionFactory, shops: dict[str, int]
) -> None:
    data = (
        b"merchant,handle,title,price,sku\n"
        b"tea,kettle,Electric kettle,39.90,KT-1\n"  # names the other shop: left out
        b"mugs,saucer,Saucer,4.00,SC-1\n"
    )
    result = await send_file(sessions, data)
    assert result.report.applied and result.report.other_merchant_rows == 1
    assert "saucer" in await handles(sessions, shops["mugs"])
    assert {"kettle", "saucer"}.isdisjoint(await handles(sessions, shops["tea"]))


async def test_a_file_with_errors_imports_nothing_unless_asked_to_skip_them(
    sessions: SessionFactory, shops: dict[str, int]
) -> None:
    data = (
        b"handle,title,price,sku\n"
        b"kettle,Electric kettle,39.90,KT-1\n"
        b"toaster,Toaster,cheap,TO-1\n"
        b"headphones,Wireless headphones,49.00,HP-1\n"
    )
    result = await send_file(sessions, data)
    assert not result.report.applied and result.skip_would_help and not result.rejected
    assert [(p.code, p.line) for p in result.report.errors] == [("bad_price", 3)]
    assert "kettle" not in await handles(sessions, shops["mugs"])
    assert await price_of(sessions, "HP-1") == 5500  # not a partial import

    skipped = await send_file(sessions, data, skip=True)
    assert skipped.report.applied and skipped.report.skipped == 1
    assert (skipped.report.created, skipped.report.updated) == (1, 1)
    assert {"kettle", "headphones"} <= await handles(sessions, shops["mugs"])
    assert "toaster" not in await handles(sessions, shops["mugs"])


async def test_formulas_in_cells_are_refused_not_stored(
    sessions: SessionFactory, shops: dict[str, int]
) -> None:
    data = (
        b"handle,title,price,sku\n"
        b'kettle,"=HYPERLINK(""http://evil.example"",""Click"")",39.90,KT-1\n'
        b"saucer,@SUM(A1:A9),4.00,SC-1\n"
    )
    result = await send_file(sessions, data)
    assert not result.report.applied
    assert [p.code for p in result.report.errors] == ["formula_cell", "formula_cell"]
    assert {"kettle", "saucer"}.isdisjoint(await handles(sessions, shops["mugs"]))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "not_csv"),
        (b"PK\x03\x04" + bytes(64), "spreadsheet_not_csv"),
        ("handle,title,price\ncafe,Café crème,3.50\n".encode("cp1252"), "bad_encoding"),
        (b"", "empty_file"),
        (b'handle,title,price\nmug,"Mug,3.50\n', "unclosed_quote"),
        (b"name,cost\nmug,3.50\n", "missing_column"),
    ],
)
async def test_files_that_are_not_a_sane_csv_are_rejected_whole(
    sessions: SessionFactory, shops: dict[str, int], data: bytes, code: str
) -> None:
    before = await handles(sessions, shops["mugs"])
    result = await send_file(sessions, data)
    assert not result.report.applied and result.rejected and not result.skip_would_help
    assert [p.code for p in result.report.errors] == [code]
    assert await handles(sessions, shops["mugs"]) == before


async def test_a_million_rows_are_refused_after_reading_only_the_limit(
    sessions: SessionFactory, shops: dict[str, int]
) -> None:
    data = b"handle,title,price\n" + b"p,P,1\n" * 1_000_000  # 6 MB of rows
    assert len(data) < upload.CHAT_LIMITS.max_bytes  # so the row limit is what refuses it
    result = await send_file(sessions, data)
    assert result.rejected and [p.code for p in result.report.errors] == ["too_many_rows"]
    async with transaction(sessions) as session:
        count = await session.scalar(
            select(func.count()).select_from(Product).where(Product.merchant_id == shops["mugs"])
        )
    assert count == 2  # the seeded mug and headphones only


async def test_a_file_over_the_size_limit_is_refused_before_and_after_download(
    sessions: SessionFactory, shops: dict[str, int]
) -> None:
    limits = ImportLimits(max_bytes=len(GOOD) - 1, max_rows=100)
    with pytest.raises(UploadRefused) as told:
        upload.check_size(len(GOOD), limits=limits)
    assert told.value.refusal is UploadRefusal.TOO_LARGE and told.value.limit == len(GOOD) - 1
    upload.check_size(None, limits=limits)  # unknown: measured again on the bytes
    upload.check_size(len(GOOD) - 1, limits=limits)
    with pytest.raises(UploadRefused):
        await send_file(sessions, GOOD, limits=limits)
    assert "kettle" not in await handles(sessions, shops["mugs"])


@pytest.mark.parametrize(
    ("caption", "skip"),
    [
        ("skip", True),
        ("Skip bad rows", True),
        ("/skip", True),
        (None, False),
        ("", False),
        ("new prices, don't skip", False),
        ("skipper", False),
        ("пропустить ошибки", True),
        ("跳过", True),
        ("Überspringen", True),
        ("تخطي الأخطاء", True),
    ],
)
def test_the_caption_skip_asks_to_leave_bad_rows_out(caption: str | None, skip: bool) -> None:
    assert upload.wants_skip(caption) is skip


def test_whole_file_problems_are_known_codes() -> None:
    assert set(MESSAGES) >= upload.WHOLE_FILE_PROBLEMS


def _result(problems: list[ImportProblem], *, applied: bool = False) -> UploadResult:
    from catalog.importing import ImportReport

    report = ImportReport(merchant="mugs", applied=applied, problems=problems)
    return UploadResult(Uploader("mugs", "Mugs <&> Co", "en"), report, skip_bad_rows=False)


def test_the_report_lists_the_first_errors_by_line_and_counts_the_rest() -> None:
    problems = [
        ImportProblem("bad_price", line=n, column="price", params={"value": f"<b>{n}</b>"})
        for n in range(2, 2 + SHOWN_PROBLEMS + 7)
    ]
    text = report(translator("en"), _result(problems)).text
    assert "line 2, price" in text and f"line {SHOWN_PROBLEMS + 1}, price" in text
    assert f"line {SHOWN_PROBLEMS + 2}," not in text
    assert "… and 7 more" in text
    assert "<b>2</b>" not in text and "&lt;b&gt;2&lt;/b&gt;" in text  # the file's text escaped
    assert "skip" in text  # how to import the good rows


def test_the_report_fits_one_message_however_long_the_cells() -> None:
    problems = [
        ImportProblem("bad_price", line=n, column="price", params={"value": "9" * 3000})
        for n in range(2, 500)
    ]
    text = report(translator("en"), _result(problems)).text
    assert len(text) <= 4096 and "more" in text


def test_the_applied_report_counts_and_names_the_shop() -> None:
    text = report(translator("en"), _result([], applied=True)).text
    assert "Mugs &lt;&amp;&gt; Co" in text and "New products: 0" in text and "Errors" not in text


def test_a_refused_file_names_the_limit_in_megabytes() -> None:
    from conversation.views.merchant_upload import refused

    text = refused(translator("en"), UploadRefusal.TOO_LARGE, limit=10 * 1024 * 1024).text
    assert "10 MB" in text


def test_an_import_the_catalog_kept_changing_under_says_to_send_it_again() -> None:
    text = report(translator("de"), _result([ImportProblem("catalog_changed")])).text
    assert text.count("sende sie noch einmal") == 1  # in the shop's language, said once
    assert "skip" not in text and "Fehler" not in text  # the file has nothing to fix
