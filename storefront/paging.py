"""The "page" button: its key says whether it pages a search ("s...") or a category ("c...")."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from orders.customers import Buyer
from storefront.categories import CategoryPage, browse_category
from storefront.memory import CATEGORY_PREFIX, SEARCH_PREFIX
from storefront.search import SearchOutcome, search_page
from storefront.search_index import LiveSearchIndex


async def open_page(
    session: AsyncSession,
    index: LiveSearchIndex,
    *,
    key: str,
    page: int,
    buyer: Buyer,
    max_rate_age: timedelta,
    now: datetime | None = None,
) -> SearchOutcome | CategoryPage | None:
    """The page a "page" button names; None when it names nothing this buyer can open now."""
    if key.startswith(SEARCH_PREFIX):
        return await search_page(
            session, index, key=key, page=page, buyer=buyer, max_rate_age=max_rate_age, now=now
        )
    digits = key.removeprefix(CATEGORY_PREFIX)
    if key.startswith(CATEGORY_PREFIX) and digits.isascii() and digits.isdigit():
        return await browse_category(
            session, key=int(digits), page=page, buyer=buyer, max_rate_age=max_rate_age, now=now
        )
    return None
