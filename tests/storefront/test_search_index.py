"""The live index: built in the background at start, loaded from plain rows, never stale for long.

Search results themselves are covered in test_search.py; here, what the worker's index holds and
when it is (re)built.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import update

import storefront.search_index
from bot.database import SessionFactory, transaction
from bot.services import INDEX_CHILD
from catalog.models import Product, Variant
from catalog.version import bump_catalog_version
from storefront.documents import load_search_documents
from storefront.search_index import FIRST_BUILD_WAIT, LiveSearchIndex
from tests.storefront.factories import Catalog, seed_catalog


async def _seeded(sessions: SessionFactory) -> Catalog:
    async with transaction(sessions) as session:
        return await seed_catalog(session)


async def test_documents_come_from_plain_rows_with_every_translation_and_variant(
    sessions: SessionFactory,
) -> None:
    catalog = await _seeded(sessions)
    async with sessions() as session:
        batch = await load_search_documents(session)
    documents = {document.product_id: document for document in batch.documents}
    assert catalog.archived not in documents  # only active products are documents
    shirt = documents[catalog.shirt]
    assert dict(shirt.titles) == {"en": "Cotton T-shirt", "zh": "纯棉T恤", "ar": "قميص قطني"}
    assert shirt.options == ("Blue", "M", "Red", "S", "XL")
    assert shirt.price == Decimal("25.00") and shirt.currency == "USD" and shirt.in_stock
    teapot = documents[catalog.teapot]
    assert dict(teapot.titles) == {"zh": "紫砂壶", "en": "Clay teapot"}  # the shop writes zh
    assert documents[catalog.mug].skus == ("MUG-1",)


async def test_a_sold_out_product_is_priced_from_all_its_variants(sessions: SessionFactory) -> None:
    catalog = await _seeded(sessions)
    async with transaction(sessions) as session:
        await session.execute(
            update(Variant).where(Variant.product_id == catalog.mug).values(stock=0)
        )
    async with sessions() as session:
        batch = await load_search_documents(session)
    mug = next(document for document in batch.documents if document.product_id == catalog.mug)
    assert not mug.in_stock and mug.price == Decimal("11.00")


async def test_warm_up_builds_in_the_background_and_searches_then_use_it(
    sessions: SessionFactory,
) -> None:
    catalog = await _seeded(sessions)
    index = LiveSearchIndex()
    assert not index.state().ready
    index.warm_up(sessions)
    assert index.state().building
    await index.wait_built()
    assert index.state().ready and not index.state().building
    async with sessions() as session:
        built = await index.current(session)  # the warm-up's index: nothing built again
    assert built is not None
    assert index.state().products == len(built) == 3
    assert built.search("mug").hits[0].product_id == catalog.mug
    async with sessions() as session:
        assert await index.current(session) is built


async def test_during_the_warm_up_the_index_says_it_is_not_ready_instead_of_waiting(
    sessions: SessionFactory,
) -> None:
    """A buyer's search holds a transaction (on SQLite, the write lock) while it asks for the
    index: it is told "not yet" (and searches the database) rather than wait for the build."""
    await _seeded(sessions)
    index = LiveSearchIndex()
    index.warm_up(sessions)
    async with transaction(sessions) as session:
        await bump_catalog_version(session)  # a write: this transaction holds SQLite's lock
        # "Not yet" (the warm-up could not read past this transaction) or, had it read first,
        # its index after a short wait: never a wait on the build while holding the lock.
        found = await asyncio.wait_for(index.current(session), timeout=5)
        assert found is None or len(found) == 3
    await index.wait_built()
    assert index.state().ready
    async with sessions() as session:
        assert await index.current(session) is not None


async def test_a_small_change_is_folded_in_before_the_next_search(sessions: SessionFactory) -> None:
    catalog = await _seeded(sessions)
    index = LiveSearchIndex()
    index.warm_up(sessions)
    await index.wait_built()
    async with sessions() as session:
        before = await index.current(session)
    async with transaction(sessions) as session:
        version = await bump_catalog_version(session)
        await session.execute(
            update(Product)
            .where(Product.id == catalog.mug)
            .values(title="Enamel camping mug", version=version)
        )
    async with sessions() as session:
        after = await index.current(session)
    assert after is not None
    assert after is before  # the same index, changed in place
    assert after.search("enamel").hits[0].product_id == catalog.mug


async def test_a_large_change_is_built_beside_while_the_old_index_serves(
    sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storefront.search_index, "REBUILD_ABOVE", 1)  # "large": two products
    catalog = await _seeded(sessions)
    index = LiveSearchIndex()
    index.warm_up(sessions)
    await index.wait_built()
    async with sessions() as session:
        old = await index.current(session)
    async with transaction(sessions) as session:
        version = await bump_catalog_version(session)
        await session.execute(
            update(Product)
            .where(Product.id.in_([catalog.mug, catalog.shirt]))
            .values(brand="Northwind", version=version)
        )
    async with sessions() as session:
        served = await index.current(session)
    assert served is not None
    assert served is old and not served.search("northwind").hits  # not yet: built beside
    assert index.state().building
    await index.wait_built()
    async with sessions() as session:
        new = await index.current(session)
    assert new is not None
    assert new is not old
    assert {hit.product_id for hit in new.search("northwind").hits} == {catalog.mug, catalog.shirt}


async def test_a_large_catalog_is_built_by_a_child_process_while_searches_ask_the_database(
    sessions: SessionFactory,
) -> None:
    """Here "large" is two products: the child reads this very database (the same file, or the
    same PostgreSQL schema) over its own connection and sends the finished index back."""
    catalog = await _seeded(sessions)
    index = LiveSearchIndex(child=INDEX_CHILD, child_above=2)
    index.warm_up(sessions)
    async with sessions() as session:
        started = asyncio.get_running_loop().time()
        meanwhile = await index.current(session)
        waited = asyncio.get_running_loop().time() - started
    assert meanwhile is None and waited < FIRST_BUILD_WAIT  # the database answers, at once
    await index.wait_built()
    state = index.state()
    assert state.ready and state.products == 3 and state.version is not None
    async with sessions() as session:
        built = await index.current(session)
    assert built is not None
    assert built.search("mug").hits[0].product_id == catalog.mug
    assert built.search("纯棉").hits[0].product_id == catalog.shirt  # translations came along
