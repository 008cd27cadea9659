"""Search as the buyer sees it: their words in, a page of products priced in their currency out.

The text is checked first (a row of emoji or a pasted essay is refused with a reason, not
searched), then `catalog.search.parse_query` takes price limits and the like out of it; a
budget becomes one price range per merchant in that merchant's currency. Each search is
remembered under a short key so its "Next" button can find it again on any worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from catalog.search import parse_query
from catalog.search.index import MAX_LIMIT
from i18n.locales import catalog_language
from orders.customers import Buyer
from orders.errors import NotText, TextTooLong
from orders.inputs import clean_text
from storefront import memory
from storefront.offers import Offer, load_offers
from storefront.pricing import MerchantTerms, Pricing, buyer_pricing, merchant_policy
from storefront.search_index import LiveSearchIndex

PAGE_SIZE = 8
MAX_QUERY_LENGTH = 200
LAST_PAGE = MAX_LIMIT // PAGE_SIZE - 1

Rejection = Literal["too_long", "not_words"]


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    query: str
    offers: tuple[Offer, ...] = ()
    suggestion: str | None = None  # "did you mean", when nothing was found
    rejected: Rejection | None = None
    key: str | None = None  # names this search in a "page" button
    page: int = 0
    has_more: bool = False
    currency: str = ""  # prices are shown in
    wanted_currency: str = ""  # the buyer's own (differs when it has no exchange rate)

    @property
    def first_number(self) -> int:
        return self.page * PAGE_SIZE + 1


async def search_products(
    session: AsyncSession,
    index: LiveSearchIndex,
    *,
    text: str,
    buyer: Buyer,
    max_rate_age: timedelta,
    page: int = 0,
    now: datetime | None = None,
    remember: bool = True,
) -> SearchOutcome:
    """The `page`-th page of products matching `text`, priced for `buyer`.

    `remember=False` (inline mode, searched at every keystroke) keeps no key for paging.
    """
    try:
        query = clean_text(text, maximum=MAX_QUERY_LENGTH)
    except TextTooLong:
        return SearchOutcome(query=text[:MAX_QUERY_LENGTH], rejected="too_long")
    except NotText:
        return SearchOutcome(query=text[:MAX_QUERY_LENGTH], rejected="not_words")
    pricing = await buyer_pricing(
        session, currency=buyer.currency, max_rate_age=max_rate_age, now=now
    )
    key = None
    if remember:
        key = await memory.remember_query(session, customer_id=buyer.customer_id, text=query)
    return await _run(session, index, query, key, page, buyer, pricing)


async def search_page(
    session: AsyncSession,
    index: LiveSearchIndex,
    *,
    key: str,
    page: int,
    buyer: Buyer,
    max_rate_age: timedelta,
    now: datetime | None = None,
) -> SearchOutcome | None:
    """A further page of a remembered search; None when the key is not this buyer's any more."""
    if not 0 <= page <= LAST_PAGE:
        return None
    query = await memory.recall_query(session, customer_id=buyer.customer_id, key=key)
    if query is None:
        return None
    pricing = await buyer_pricing(
        session, currency=buyer.currency, max_rate_age=max_rate_age, now=now
    )
    return await _run(session, index, query, key, page, buyer, pricing)


async def _run(
    session: AsyncSession,
    live: LiveSearchIndex,
    query: str,
    key: str | None,
    page: int,
    buyer: Buyer,
    pricing: Pricing,
) -> SearchOutcome:
    page = max(0, min(page, LAST_PAGE))
    parsed = parse_query(query, catalog_language(buyer.locale))
    limits = None
    if parsed.min_price is not None or parsed.max_price is not None:
        limits = pricing.price_limits(parsed, await _merchant_terms(session))
    index = await live.current(session)
    end = (page + 1) * PAGE_SIZE
    result = index.search(parsed, limit=end + 1, price_limits=limits)
    ids = result.product_ids[page * PAGE_SIZE : end]
    offers = await load_offers(session, ids, pricing=pricing, language=buyer.locale)
    return SearchOutcome(
        query=query,
        offers=tuple(offers),
        suggestion=result.suggestion,
        key=key,
        page=page,
        has_more=len(result.hits) > end,
        currency=pricing.currency,
        wanted_currency=pricing.wanted,
    )


async def _merchant_terms(session: AsyncSession) -> list[MerchantTerms]:
    merchants = await session.scalars(select(Merchant))
    return [MerchantTerms(m.id, m.currency, merchant_policy(m)) for m in merchants]
