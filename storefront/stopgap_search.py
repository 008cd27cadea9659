"""Search while this worker's index is still being built: a plain database lookup.

At 100k products the first build takes seconds after a start; a buyer who searches then is
answered at once from the products whose title, translated title, brand or category
contain the query's words (no typo forgiveness yet), put through the same ranking as always by
a small index of just those. Nobody waits for the build, and nobody else waits for this.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from catalog.models import Product, ProductStatus, ProductTranslation
from catalog.search.index import SearchIndex
from storefront.documents import load_search_documents

MOST: int = 300  # products read for one stopgap search; the page shows the best few
_WORD = re.compile(r"\w{2,}")


def _words(text: str) -> list[str]:
    words = _WORD.findall(text.casefold())
    return sorted(set(words), key=len, reverse=True)[:6]  # the longest say the most


def _contains(column: InstrumentedAttribute[str], word: str) -> ColumnElement[bool]:
    # ILIKE folds case on PostgreSQL for every script; SQLite's LIKE folds only ASCII, so a
    # capitalised Cyrillic or Greek word ("Кружка") is asked for as written too.
    plain = word.replace("%", "").replace("_", "")  # LIKE's wildcards mean nothing here
    return or_(column.ilike(f"%{plain}%"), column.like(f"%{plain.capitalize()}%"))


async def stopgap_index(session: AsyncSession, text: str) -> SearchIndex:
    """A small index of the products that mention `text`'s words; empty when none do."""
    words = _words(text)
    if not words:
        return SearchIndex.build([])
    translated = select(ProductTranslation.product_id).where(
        or_(*(_contains(ProductTranslation.title, word) for word in words))
    )
    mentioned = or_(
        Product.id.in_(translated),
        *(
            _contains(column, word)
            for word in words
            for column in (Product.title, Product.brand, Product.category)
        ),
    )
    # Read once into a list: as a subquery, each of the documents' three reads would scan again.
    ids = await session.scalars(
        select(Product.id)
        .where(Product.status == ProductStatus.ACTIVE.value, mentioned)
        .limit(MOST)
    )
    batch = await load_search_documents(session, only=list(ids))
    return SearchIndex.build(batch.documents)
