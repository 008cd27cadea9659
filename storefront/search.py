"""Search as the buyer sees it: their words in, a page of products priced in their currency out.

The text is checked first (a row of emoji or a pasted essay is refused with a reason, not
searched), then `catalog.search.parse_query` takes price limits and the like out of it; a
budget becomes one price range per merchant in that merchant's currency. Each search is
remembered under a short key so its "Next" button can find it again on any worker.

Fewer, better results: the engine's candidates are checked against the products' names
(`storefront.relevance`) and only those that name the most of the buyer's words stay. When the
buyer's words find nothing, everyday synonyms are tried ("杯子" → "马克杯"); when still nothing
fits, the budget or the colour is let go and the buyer is told why they see what they see
(`relaxed`). "Cheapest", "newest" and the like order the list (`catalog.search.wishes`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from catalog.search import ParsedQuery, PriceRange, SearchIndex, parse_query
from catalog.search.index import MAX_LIMIT
from catalog.search.results import Hit
from catalog.search.wishes import Order, alternatives, cjk_characters, read_order
from i18n.locales import catalog_language
from orders.customers import Buyer
from orders.errors import NotText, TextTooLong
from orders.inputs import clean_text
from storefront import memory
from storefront.listings import load_listings
from storefront.offers import Offer, to_offer
from storefront.pricing import MerchantTerms, Pricing, buyer_pricing, merchant_policy
from storefront.relevance import coverage, has_colour, names_of, query_words
from storefront.search_index import LiveSearchIndex
from storefront.stopgap_search import stopgap_index

PAGE_SIZE = 8
MAX_QUERY_LENGTH = 200
LAST_PAGE = MAX_LIMIT // PAGE_SIZE - 1

CANDIDATES: Final = 120  # hits weighed beyond the page, to keep the good ones and sort them

Rejection = Literal["too_long", "not_words"]
# Why the list is not what was asked: over the budget, in other colours, or only mentioning it.
Relaxed = Literal["budget", "colour", "related"]


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
    relaxed: Relaxed | None = None
    order: Order = Order.RELEVANCE
    quantity: int = 1  # "2 red mugs": carried into the cards opened from the list

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
    # Kept with the results it found, in one write at the end (`memory.remember_results`).
    key = memory.query_key(query) if remember else None
    return await _run(session, index, query, key, page, buyer, pricing, new_search=remember)


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
    *,
    new_search: bool = False,
) -> SearchOutcome:
    page = max(0, min(page, LAST_PAGE))
    parsed = parse_query(query, catalog_language(buyer.locale))
    wish = read_order(parsed.text)
    if wish.text != parsed.text:
        parsed = replace(parsed, text=wish.text)
    limits = None
    if parsed.min_price is not None or parsed.max_price is not None:
        limits = pricing.price_limits(parsed, await _merchant_terms(session))
    index = await live.current(session)
    if index is None:  # the worker has just started and its index is still being built
        index = await stopgap_index(session, parsed.text, sessions=live.sessions)
    hits, used, suggestion, relaxed = _candidates(index, parsed, limits)
    offers, relaxed = await _better(session, hits, used, relaxed, pricing, buyer.locale)
    if relaxed == "related":  # nothing is called that: maybe something is called a synonym
        for alternative in alternatives(parsed.text):
            swapped = replace(parsed, text=alternative + " ")
            found = index.search(swapped, limit=CANDIDATES, price_limits=limits)
            named, why = await _better(session, found.hits, swapped, None, pricing, buyer.locale)
            if named and why is None:
                offers, relaxed = named, None
                break
    order = wish.order
    if relaxed == "budget" and order is Order.RELEVANCE:
        order = Order.PRICE_LOW  # over the budget: the closest to it first
    offers = _ordered(offers, order)
    end = (page + 1) * PAGE_SIZE
    if key is not None:
        await memory.remember_results(
            session, customer_id=buyer.customer_id, key=key, page=page, colours=parsed.colours,
            sizes=parsed.sizes, quantity=parsed.quantity or 1, text=query if new_search else None,
        )  # fmt: skip
    return SearchOutcome(
        query=query,
        offers=tuple(offers[page * PAGE_SIZE : end]),
        suggestion=suggestion,
        key=key,
        page=page,
        has_more=len(offers) > end,
        currency=pricing.currency,
        wanted_currency=pricing.wanted,
        relaxed=relaxed,
        order=wish.order,
        quantity=parsed.quantity or 1,
    )


def _candidates(
    index: SearchIndex, parsed: ParsedQuery, limits: dict[int, PriceRange] | None
) -> tuple[list[Hit], ParsedQuery, str | None, Relaxed | None]:
    """The engine's hits for the query, else for a synonym of one of its words, else without
    the colour, else without the budget, and only then with a Chinese or Japanese query read
    character by character (a wrong or swapped character): (hits, the query that found them, a
    "did you mean", what was let go). With a budget, the words as written come first, at any
    price if need be: read loosely first, "无线耳机 50以下" found wired earphones (有线) under the
    budget instead of the wireless ones above it."""
    if limits is not None:  # the words as written, in budget, else at any price: no guessing
        exact = index.search(parsed, limit=CANDIDATES, price_limits=limits, fallbacks=False)
        if exact.hits:
            return exact.hits, parsed, None, None
        over = index.search(_priceless(parsed), limit=CANDIDATES, fallbacks=False)
        if over.hits:
            return over.hits, _priceless(parsed), None, "budget"
    first = index.search(parsed, limit=CANDIDATES, price_limits=limits)
    if first.hits:
        return first.hits, parsed, None, None
    tries: list[tuple[ParsedQuery, dict[int, PriceRange] | None, Relaxed | None]] = []
    variants = [parsed] + [replace(parsed, text=alt + " ") for alt in alternatives(parsed.text)]
    loose = cjk_characters(parsed.text)
    for group in [variants, [replace(parsed, text=loose)]] if loose is not None else [variants]:
        tries += [(variant, limits, None) for variant in group if variant is not parsed]
        if parsed.colours and parsed.text.strip():
            tries += [(_colourless(variant), limits, "colour") for variant in group]
        if limits is not None:
            tries += [(_priceless(variant), None, "budget") for variant in group]
    for variant, variant_limits, relaxed in tries:
        found = index.search(variant, limit=CANDIDATES, price_limits=variant_limits)
        if found.hits:
            return found.hits, variant, None, relaxed
    return [], parsed, first.suggestion, None


def _priceless(parsed: ParsedQuery) -> ParsedQuery:
    return replace(parsed, min_price=None, max_price=None, price_currency=None)


def _colourless(parsed: ParsedQuery) -> ParsedQuery:
    return replace(parsed, colours=(), colour_words=(), typing_word="")


async def _better(
    session: AsyncSession,
    hits: list[Hit],
    parsed: ParsedQuery,
    relaxed: Relaxed | None,
    pricing: Pricing,
    language: str,
) -> tuple[list[Offer], Relaxed | None]:
    """The hits that name the most of the buyer's words (and their colour), as offers."""
    if not hits:
        return [], relaxed
    ranked = await load_listings(session, [hit.product_id for hit in hits])
    words = query_words(parsed)
    if words and ranked:
        names = {listing.product_id: names_of(listing) for listing in ranked}
        scores = {pid: coverage(name, words) for pid, name in names.items()}
        best = max(scores.values())
        if best == 0:  # only mentioned (in a description): exact mentions, not typos
            relaxed = relaxed or "related"
            exact = {hit.product_id for hit in hits if not hit.typos}
            ranked = [listing for listing in ranked if listing.product_id in exact]
        else:
            ranked = [listing for listing in ranked if scores[listing.product_id] == best]
        if parsed.colours and relaxed is None:
            coloured = [one for one in ranked if has_colour(names[one.product_id], parsed.colours)]
            if coloured:
                ranked = coloured
            elif any(names[listing.product_id].colours for listing in ranked):
                relaxed = "colour"
    return [to_offer(listing, pricing, language) for listing in ranked], relaxed


def _ordered(offers: list[Offer], order: Order) -> list[Offer]:
    if order is Order.NEWEST:
        return sorted(offers, key=lambda offer: -offer.product_id)
    one_currency = len({offer.price.currency for offer in offers}) == 1
    if order in (Order.PRICE_LOW, Order.PRICE_HIGH) and one_currency:
        return sorted(offers, key=lambda o: o.price.amount, reverse=order is Order.PRICE_HIGH)
    return offers


async def _merchant_terms(session: AsyncSession) -> list[MerchantTerms]:
    merchants = await session.scalars(select(Merchant))
    return [MerchantTerms(m.id, m.currency, merchant_policy(m)) for m in merchants]
