"""An import in batches: others write between them, readers see the old catalog or the new one
whole, and an import that fails or is aborted leaves the catalog and the staging area as before.

"Another connection" is a real second connection, opened in a thread from the import's progress
callback, which runs between batches: if the import still held the database (SQLite's write
lock), that connection could not write and the test fails.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.database import SessionFactory, create_engine
from catalog.importing.staged import (
    STALE_AFTER,
    CatalogImport,
    StagedImage,
    StagedProduct,
    StagedVariant,
)
from catalog.models import Variant
from catalog.version import catalog_version
from db import utcnow
from tests.catalog.importing.helpers import catalog_state, run_import

Database = tuple[str, str | None]


class Aborted(Exception):
    pass


HEADER = "handle,title,sku,price\n"


def catalog_file(price: str, *, products: int = 6, title: str = "Mug") -> str:
    return HEADER + "".join(f"p{i},{title} {i},S{i},{price}\n" for i in range(products))


def elsewhere(database: Database, *statements: str) -> list[Any]:
    """Runs `statements` in one transaction on a connection of its own, from a thread, and
    returns each one's first value (None when it returns no rows)."""
    url, schema = database
    results: list[Any] = []
    failures: list[BaseException] = []

    async def run() -> None:
        engine = create_engine(url, search_path=schema)
        try:
            async with engine.begin() as connection:
                for statement in statements:
                    result = await connection.execute(text(statement))
                    results.append(result.scalar() if result.returns_rows else None)
        finally:
            await engine.dispose()

    def thread() -> None:
        try:
            asyncio.run(run())
        except BaseException as error:  # handed to the test below
            failures.append(error)

    worker = threading.Thread(target=thread, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "another connection could not get in between two batches"
    if failures:
        raise failures[0]
    return results


async def staging_rows(sessions: SessionFactory) -> int:
    async with sessions() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (CatalogImport, StagedProduct, StagedVariant, StagedImage)
        ]
    return sum(count or 0 for count in counts)


async def prices(sessions: SessionFactory) -> set[int]:
    async with sessions() as session, session.begin():
        return set(await session.scalars(select(Variant.price_minor)))


async def test_batches_commit_separately_and_others_write_between_them(
    sessions: SessionFactory, database_url: Database
) -> None:
    seen: list[list[Any]] = []

    def between_batches(done: int, total: int) -> None:
        if done < total:
            seen.append(
                elsewhere(
                    database_url,
                    "SELECT count(*) FROM staged_products",
                    "SELECT count(*) FROM products",
                    "UPDATE catalog_imports SET merchant_slug = merchant_slug",  # a write
                )
            )

    report = await run_import(
        sessions, catalog_file("1.00"), progress=between_batches, batch_size=2
    )
    assert report.ok and report.created == 6
    # Two batches were committed before the last one: staged, visible to another connection,
    # and not yet in the catalog buyers read.
    assert [(staged, products) for staged, products, _ in seen] == [(2, 0), (4, 0)]
    assert await staging_rows(sessions) == 0
    async with sessions() as session:
        assert await catalog_version(session) == 1  # one version for the whole import


async def test_a_reader_sees_the_old_catalog_or_the_new_one_whole(
    sessions: SessionFactory,
) -> None:
    await run_import(sessions, catalog_file("1.00"))
    during: list[set[int]] = []
    batches: list[int] = []
    stop = asyncio.Event()

    async def reader() -> None:  # a buyer's short transactions, on a connection of its own
        while not stop.is_set():
            during.append(await prices(sessions))
            await asyncio.sleep(0)

    task = asyncio.create_task(reader())
    report = await run_import(
        sessions, catalog_file("2.00"), progress=lambda done, _: batches.append(done), batch_size=1
    )
    stop.set()
    await task
    assert report.ok and report.updated == 6 and len(batches) == 6
    assert {100} in during  # it read while the batches staged
    assert all(found in ({100}, {200}) for found in during), during
    assert await prices(sessions) == {200}


async def test_an_aborted_import_leaves_the_catalog_and_no_staged_rows(
    sessions: SessionFactory,
) -> None:
    await run_import(sessions, catalog_file("1.00"))
    before = await catalog_state(sessions)

    def abort_after_two_batches(done: int, total: int) -> None:
        if done >= 4:
            raise Aborted  # a worker stopping, a caller giving up

    with pytest.raises(Aborted):
        await run_import(
            sessions,
            catalog_file("2.00", products=8, title="Cup"),
            progress=abort_after_two_batches,
            batch_size=2,
        )
    assert await catalog_state(sessions) == before
    assert await staging_rows(sessions) == 0


async def test_a_bad_row_stages_nothing(sessions: SessionFactory) -> None:
    await run_import(sessions, catalog_file("1.00"))
    before = await catalog_state(sessions)
    report = await run_import(sessions, catalog_file("2.00") + "p9,Bad,S9,-1\n", batch_size=2)
    assert not report.applied and [p.line for p in report.errors] == [8]
    assert await catalog_state(sessions) == before
    assert await staging_rows(sessions) == 0


def change_once(database: Database, statements: tuple[str, ...]) -> Callable[[int, int], None]:
    done_once: list[bool] = []

    def between_batches(done: int, total: int) -> None:
        if done < total and not done_once:
            done_once.append(True)
            elsewhere(database, *statements)

    return between_batches


MERCHANT_EDITS_P0 = (
    "UPDATE catalog_version SET version = version + 1",
    "UPDATE products SET title = 'Edited meanwhile', "
    "version = (SELECT version FROM catalog_version) WHERE handle = 'p0'",
)
MERCHANT_ADDS_P7 = (
    "UPDATE catalog_version SET version = version + 1",
    "INSERT INTO products (merchant_id, handle, title, description, brand, category, tags, "
    "status, option1_name, option2_name, option3_name, version, created_at, updated_at) "
    "SELECT merchant_id, 'p7', 'Added meanwhile', description, brand, category, tags, status, "
    "option1_name, option2_name, option3_name, (SELECT version FROM catalog_version), "
    "created_at, updated_at FROM products WHERE handle = 'p0'",
)


async def test_a_change_made_during_the_import_is_planned_again_not_overwritten_blindly(
    sessions: SessionFactory, database_url: Database
) -> None:
    await run_import(sessions, catalog_file("1.00"))
    # Once the file's first batch has staged p6 and p7 as new products, the merchant adds a p7
    # of their own: swapped in as planned, the import would try to create p7 a second time.
    edits = change_once(database_url, MERCHANT_ADDS_P7)
    new_first = (
        HEADER + "p6,Mug 6,S6,1.00\np7,Mug 7,S7,1.00\n" + catalog_file("1.00")[len(HEADER) :]
    )
    report = await run_import(sessions, new_first, progress=edits, batch_size=2)
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 6)
    state = await catalog_state(sessions)
    assert state["products"][("acme", "p7")]["fields"][0] == "Mug 7"
    assert [v[1] for v in state["products"][("acme", "p7")]["variants"]] == ["S7"]
    assert await staging_rows(sessions) == 0


async def test_an_import_the_catalog_keeps_changing_under_is_refused_whole(
    sessions: SessionFactory, database_url: Database
) -> None:
    await run_import(sessions, catalog_file("1.00"))

    def edit_every_time(done: int, total: int) -> None:
        if done < total:
            elsewhere(database_url, *MERCHANT_EDITS_P0)

    before = await catalog_state(sessions)
    report = await run_import(
        sessions, catalog_file("2.00"), progress=edit_every_time, batch_size=2
    )
    assert not report.applied and [p.code for p in report.errors] == ["catalog_changed"]
    after = await catalog_state(sessions)
    assert {key: p["variants"] for key, p in after["products"].items()} == {
        key: p["variants"] for key, p in before["products"].items()
    }  # no price of the file reached the catalog; only the merchant's own edits did
    assert await staging_rows(sessions) == 0


async def test_what_a_crashed_import_left_staged_is_deleted_by_a_later_import(
    sessions: SessionFactory,
) -> None:
    async with sessions() as session, session.begin():
        crashed = CatalogImport(merchant_slug="acme", started_at=utcnow() - STALE_AFTER * 2)
        running = CatalogImport(merchant_slug="acme", started_at=utcnow())
        session.add_all([crashed, running])
        await session.flush()
        for owner in (crashed, running):
            session.add(
                StagedProduct(
                    import_id=owner.id, seq=0, product_id=None, is_new=True, set_images=False,
                    set_translations=False, handle="ghost", title="Ghost", description="",
                    brand="", category="", tags=[], status="active", option1_name="",
                    option2_name="", option3_name="",
                )
            )  # fmt: skip
    report = await run_import(sessions, catalog_file("1.00"))
    assert report.ok
    async with sessions() as session:
        left = await session.scalars(select(StagedProduct.import_id))
        assert list(left) == [running.id]  # another import still at work keeps its rows
