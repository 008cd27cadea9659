"""The shopping assistant: a buyer's free text understood first (`storefront.intents`), then
answered from the shop's own data, or searched.

One use case, one transaction: `understand_and_answer` classifies the text and gathers what the
answer needs (the categories, the buyer's orders, the shops' shipping rules, the shops one can
ask) or runs the search. What it returns is plain data; `conversation.views.assistant` words it.
Facts (prices, rates, orders) always come from the database, never from the phrase tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Merchant
from merchants.policies import PolicyKind, ShopPolicy, shop_policies
from merchants.settings import shop_of
from money import Money
from orders.customers import Buyer
from orders.queries import OrderPage, list_orders
from orders.shipping import ANY_COUNTRY, rules_for
from storefront import memory
from storefront.categories import Category, list_categories
from storefront.intents import Intent, Understood, classify
from storefront.offers import Offer
from storefront.search import SearchOutcome, search_page, search_products
from storefront.search_index import LiveSearchIndex


@dataclass(frozen=True, slots=True)
class ShippingTerms:
    """One shop's delivery to the asked country (or its rules, when none was named)."""

    merchant_name: str
    country: str  # ISO code, or "*" for everywhere else
    rate: Money | None  # None: the shop does not deliver there
    free_above: Money | None = None


@dataclass(frozen=True, slots=True)
class ShopToAsk:
    merchant_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What the assistant found to say; which fields are set depends on `understood.intent`."""

    understood: Understood
    search: SearchOutcome | None = None  # SEARCH, and CART_ADD (the product to pick)
    categories: tuple[Category, ...] = ()  # CATALOG
    orders: OrderPage | None = None  # ORDER_STATUS
    shipping: tuple[ShippingTerms, ...] = ()  # SHIPPING
    shops: tuple[ShopToAsk, ...] = ()  # HUMAN: the shops that take questions
    compared: tuple[tuple[int, Offer], ...] = ()  # COMPARE: (number in the list, offer)
    policies: tuple[ShopPolicy, ...] = ()  # RETURNS, SHIPPING, PAYMENT: the shops' own texts

    @property
    def intent(self) -> Intent:
        return self.understood.intent


async def understand_and_answer(
    session: AsyncSession,
    index: LiveSearchIndex,
    *,
    text: str,
    buyer: Buyer,
    max_rate_age: timedelta,
    now: datetime | None = None,
) -> Answer:
    """Classify `text` and gather the answer; a search when it is not one of the known asks."""
    understood = classify(text)
    intent = understood.intent
    if intent in (Intent.SEARCH, Intent.CART_ADD):
        outcome = await search_products(
            session,
            index,
            text=understood.text or text,
            buyer=buyer,
            max_rate_age=max_rate_age,
            now=now,
        )
        return Answer(understood, search=outcome)
    if intent is Intent.CATALOG:
        return Answer(understood, categories=tuple(await list_categories(session)))
    if intent is Intent.ORDER_STATUS:
        page = await list_orders(session, customer_id=buyer.customer_id)
        return Answer(understood, orders=page)
    if intent is Intent.SHIPPING:
        return Answer(
            understood,
            shipping=await _shipping(session, understood.country),
            policies=await shop_policies(session, PolicyKind.SHIPPING),
        )
    if intent is Intent.PAYMENT:
        return Answer(understood, policies=await shop_policies(session, PolicyKind.PAYMENT))
    if intent is Intent.RETURNS:
        return Answer(
            understood,
            shops=await shops_to_ask(session),
            policies=await shop_policies(session, PolicyKind.RETURNS),
        )
    if intent is Intent.HUMAN:
        return Answer(understood, shops=await shops_to_ask(session))
    if intent is Intent.COMPARE:
        compared = await _compared(session, index, understood.text, buyer, max_rate_age, now)
        return Answer(understood, compared=compared)
    return Answer(understood)


MAX_COMPARED: Final = 4  # side by side on a phone screen
_NUMBER: Final = re.compile(r"\d{1,3}")


async def _compared(
    session: AsyncSession,
    index: LiveSearchIndex,
    text: str,
    buyer: Buyer,
    max_rate_age: timedelta,
    now: datetime | None,
) -> tuple[tuple[int, Offer], ...]:
    """The products of the buyer's last result page to put side by side: those whose numbers
    the message names ("compare 1 and 3"), else the first two ("compare the two mugs"). Prices
    are read again now, in the buyer's currency; empty when there is nothing to compare."""
    last = await memory.last_results(session, customer_id=buyer.customer_id)
    if last is None:
        return ()
    outcome = await search_page(
        session, index, key=last.key, page=last.page, buyer=buyer, max_rate_age=max_rate_age,
        now=now,
    )  # fmt: skip
    if outcome is None or len(outcome.offers) < 2:
        return ()
    shown = dict(enumerate(outcome.offers, start=outcome.first_number))
    named = [n for n in dict.fromkeys(int(d) for d in _NUMBER.findall(text)) if n in shown]
    numbers = named if len(named) >= 2 else list(shown)[:2]
    return tuple((n, shown[n]) for n in numbers[:MAX_COMPARED])


async def _shipping(session: AsyncSession, country: str | None) -> tuple[ShippingTerms, ...]:
    merchants = list(await session.scalars(select(Merchant).order_by(Merchant.name)))
    rules = await rules_for(session, merchant_ids=[m.id for m in merchants])
    terms: list[ShippingTerms] = []
    for merchant in merchants:
        own = {rule.country: rule for rule in rules.get(merchant.id, [])}

        def money(minor: int | None, currency: str = merchant.currency) -> Money | None:
            return None if minor is None else Money.from_minor(minor, currency)

        if country is not None:
            rule = own.get(country) or own.get(ANY_COUNTRY)
            if rule is None:
                terms.append(ShippingTerms(merchant.name, country, None))
            else:
                terms.append(
                    ShippingTerms(
                        merchant.name,
                        country,
                        money(rule.rate_minor),
                        money(rule.free_above_minor),
                    )
                )
            continue
        ordered = sorted(own.values(), key=lambda r: (r.country == ANY_COUNTRY, r.country))
        for rule in ordered:
            terms.append(
                ShippingTerms(
                    merchant.name,
                    rule.country,
                    money(rule.rate_minor),
                    money(rule.free_above_minor),
                )
            )
    return tuple(terms)


async def shops_to_ask(session: AsyncSession) -> tuple[ShopToAsk, ...]:
    """The shops that have a chat to receive a buyer's question, by name."""
    found: list[ShopToAsk] = []
    for merchant in await session.scalars(select(Merchant).order_by(Merchant.name)):
        shop = await shop_of(session, merchant.id)
        if shop is not None and shop.settings.notify_chat_id is not None:
            found.append(ShopToAsk(merchant.id, merchant.name))
    return tuple(found)
