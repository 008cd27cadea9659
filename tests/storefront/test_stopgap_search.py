"""A search while the worker's index is still being built answers from the database at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import SessionFactory, transaction
from catalog.models import Product
from db.unit import update_scope
from storefront.memory import recall_query
from storefront.search import search_products
from storefront.search_index import LiveSearchIndex
from storefront.stopgap_search import stopgap_index
from tests.storefront.factories import MAX_AGE, NOW, make_buyer, seed_catalog


class _NeverReady(LiveSearchIndex):
    """A warm-up that has not finished: what a worker at 100k products is for seconds."""

    def __init__(self, sessions: SessionFactory | None = None) -> None:
        super().__init__()
        self._sessions = sessions  # what `warm_up` would keep, without starting a build
        self._building = asyncio.get_running_loop().create_future()  # type: ignore[assignment]
        self._rows_read.set()  # read, and building for longer than a search waits


async def test_a_search_during_the_warm_up_is_answered_from_the_database(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        catalog = await seed_catalog(session)
        buyer = await make_buyer(session, 1, currency="USD")
    index = _NeverReady()
    async with transaction(sessions) as session:
        outcome = await asyncio.wait_for(
            search_products(
                session, index, text="ceramic mug", buyer=buyer, max_rate_age=MAX_AGE, now=NOW
            ),
            timeout=5,
        )
    assert [offer.product_id for offer in outcome.offers][:1] == [catalog.mug]
    assert catalog.archived not in {offer.product_id for offer in outcome.offers}
    assert not index.state().ready  # nothing waited for, nothing built in the request


async def _found(session: AsyncSession, text: str) -> set[int]:
    return {hit.product_id for hit in (await stopgap_index(session, text)).search(text).hits}


async def test_the_stopgap_reads_titles_in_every_language_and_any_case(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        catalog = await seed_catalog(session)
        mug = await session.get(Product, catalog.mug)
        assert mug is not None
        mug.title = "Кружка керамическая"  # a shop writing Russian, capitalised
    async with sessions() as session:
        assert await _found(session, "кружка") == {catalog.mug}
        assert await _found(session, "陶瓷杯") == {catalog.mug}  # a translated title
        assert await _found(session, "teapot") == {catalog.teapot}
        assert await _found(session, "zeppelin") == set()
        assert await _found(session, "!!") == set()


async def test_inside_an_update_the_stopgap_scans_on_a_connection_of_its_own(
    sessions: SessionFactory,
) -> None:
    """As a worker runs it: the update's block read first (on SQLite that took the write lock),
    so the block's transaction is ended and the scan reads beside it (`db.unit.end_if_only_read`
    shows others may write meanwhile); the block carries on and remembers the search."""
    async with transaction(sessions) as session:
        catalog = await seed_catalog(session)
        buyer = await make_buyer(session, 1, currency="USD")
    index = _NeverReady(sessions)
    async with update_scope(), transaction(sessions) as session:
        await session.scalar(select(Product.id).limit(1))  # the block has begun, and only read
        outcome = await asyncio.wait_for(
            search_products(
                session, index, text="ceramic mug", buyer=buyer, max_rate_age=MAX_AGE, now=NOW
            ),
            timeout=10,
        )
    assert [offer.product_id for offer in outcome.offers][:1] == [catalog.mug]
    assert outcome.key is not None
    async with transaction(sessions) as session:  # the search was remembered: "Next" finds it
        assert await recall_query(session, customer_id=buyer.customer_id, key=outcome.key)
