"""Search while this worker's index is still being built: a plain database lookup.

At 100k products the first build takes seconds after a start; a buyer who searches then is
answered at once from the products whose title, translated title, brand or category
contain the query's words (no typo forgiveness yet), put through the same ranking as always by
a small index of just those. Nobody waits for the build, and nobody else waits for this.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TypeAlias

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Product, ProductStatus, ProductTranslation
from catalog.search.index import SearchIndex
from db import READ_ONLY
from db.unit import end_if_only_read
from storefront.documents import load_search_documents

Sessions: TypeAlias = Callable[[], AbstractAsyncContextManager[AsyncSession]]

MOST: int = 100  # products read for one stopgap search; the page shows the best few
WORDS: int = 3  # the query's longest words asked for: each costs a pass over every product
_WORD = re.compile(r"\w{2,}")


def _words(text: str) -> list[str]:
    words = _WORD.findall(text.casefold())
    return sorted(set(words), key=len, reverse=True)[:WORDS]  # the longest say the most


def _contains(haystack: ColumnElement[str], word: str, *, sqlite: bool) -> ColumnElement[bool]:
    # ILIKE folds case on PostgreSQL for every script. SQLite's own LIKE already ignores ASCII
    # case (its ILIKE would lower() every product first) and folds nothing else, so a
    # capitalised Cyrillic or Greek word ("Кружка") is asked for as written too.
    plain = word.replace("%", "").replace("_", "")  # LIKE's wildcards mean nothing here
    if not sqlite:
        # An ASCII word is compared under the "C" collation, which folds ASCII case only and is
        # twice as fast as the database's own (75 -> 39 ms over 100k products, two words).
        return (haystack.collate("C") if plain.isascii() else haystack).ilike(f"%{plain}%")
    found = haystack.like(f"%{plain}%")
    return found if plain.isascii() else or_(found, haystack.like(f"%{plain.capitalize()}%"))


async def stopgap_index(
    session: AsyncSession, text: str, *, sessions: Sessions | None = None
) -> SearchIndex:
    """A small index of the products that mention `text`'s words; empty when none do.

    Every product is scanned once per word (no index serves `LIKE '%word%'`), for its title,
    brand and category, with plain LIKE on SQLite (which folds ASCII case itself) and one ILIKE
    over the three joined on PostgreSQL. On
    SQLite, given `sessions`, the scan reads on a connection of its own without the write lock,
    after ending the caller's update block's transaction if it only read (`db.unit`): else that
    transaction would hold SQLite's one write lock through the scan, tens of milliseconds at
    100k products, and every other buyer's update would wait behind it."""
    words = _words(text)
    if not words:
        return SearchIndex.build([])
    sqlite = session.get_bind().dialect.name == "sqlite"
    title: ColumnElement[str] = ProductTranslation.title.expression
    translated = select(ProductTranslation.product_id).where(
        or_(*(_contains(title, word, sqlite=sqlite) for word in words))
    )
    # Measured at 100k products: on PostgreSQL one ILIKE over the three joined is cheaper than
    # three; on SQLite building the joined string costs more than three plain LIKEs.
    labels: list[ColumnElement[str]] = (
        [Product.title.expression, Product.brand.expression, Product.category.expression]
        if sqlite
        else [Product.title + " " + Product.brand + " " + Product.category]
    )
    mentioned = or_(
        *(_contains(label, word, sqlite=sqlite) for word in words for label in labels),
        Product.id.in_(translated),
    )
    # Read once into a list: as a subquery, each of the documents' three reads would scan again.
    scan = (
        select(Product.id)
        .where(Product.status == ProductStatus.ACTIVE.value, mentioned)
        .limit(MOST)
    )
    if sessions is not None and sqlite and await end_if_only_read(session):
        async with sessions() as reader:
            await reader.connection(execution_options={READ_ONLY: True})
            ids = list(await reader.scalars(scan))
    else:
        ids = list(await session.scalars(scan))
    batch = await load_search_documents(session, only=ids)
    return SearchIndex.build(batch.documents)
