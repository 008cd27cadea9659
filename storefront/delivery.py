"""Delivery before checkout: each shop's cost and days to the buyer's country, in the cart.

The country is the one the buyer chose (`choose_delivery_country`), else the one of their saved
delivery details, else the guess from their Telegram language (`Buyer.country`); with none of
these the cart asks. Amounts are converted the way checkout converts shipping (`orders.pricing`:
the merchant's margin, no price ending), so the cart's figure is the one the summary repeats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from money import Money
from orders.cart import CartView, MerchantCart, cart_lines
from orders.catalog_port import load_offers
from orders.countries import resolve_country
from orders.customers import Buyer, choose_country
from orders.delivery import saved_delivery_details
from orders.errors import NoShipping, TooHeavy
from orders.pricing import Quoter
from orders.shipping import (
    ANY_COUNTRY,
    CartDelivery,
    Rule,
    ShopDelivery,
    quote_delivery,
    rules_for,
)
from storefront import memory


@dataclass(frozen=True, slots=True)
class DeliveryCountry:
    code: str | None
    chosen: bool


async def delivery_country(session: AsyncSession, *, buyer: Buyer) -> DeliveryCountry:
    """Where the buyer's cart would go: chosen, else saved at checkout, else guessed (or None)."""
    if buyer.country_chosen and buyer.country:
        return DeliveryCountry(buyer.country, True)
    saved = await saved_delivery_details(session, customer_id=buyer.customer_id)
    if saved is not None and saved.country:
        return DeliveryCountry(saved.country, True)
    return DeliveryCountry(buyer.country, False)


async def choose_delivery_country(session: AsyncSession, *, buyer: Buyer, text: str) -> Buyer:
    """The buyer's country from a code or a name in any shipped language, remembered.

    Raises `UnknownCountry` / `AmbiguousCountry` (with the candidates) for the view to word.
    """
    code = resolve_country(text)
    await choose_country(session, customer_id=buyer.customer_id, country=code)
    return replace(buyer, country=code, country_chosen=True)


async def ask_country(session: AsyncSession, *, buyer: Buyer) -> tuple[str, ...]:
    """Starts the country question; returns the likely answers, for buttons.

    The current country first, then the countries the cart's shops name in their rules.
    """
    await memory.remember_country_question(session, customer_id=buyer.customer_id)
    current = await delivery_country(session, buyer=buyer)
    likely: list[str] = [code for code in (current.code, buyer.country) if code]
    lines = await cart_lines(session, customer_id=buyer.customer_id)
    offers = await load_offers(session, [line.variant_id for line in lines], language=buyer.locale)
    merchant_ids = sorted({offer.merchant_id for offer in offers.values()})
    rules = await rules_for(session, merchant_ids=merchant_ids)
    likely += sorted(
        {rule.country for found in rules.values() for rule in found if rule.country != ANY_COUNTRY}
    )
    return tuple(dict.fromkeys(likely))


async def answer_country(session: AsyncSession, *, buyer: Buyer, text: str) -> Buyer | None:
    """The buyer's text, if the country question is waiting: their country, chosen.

    None when no question waits. `UnknownCountry` / `AmbiguousCountry` are raised as they come
    (the question is then asked again, as the caller's rollback keeps it waiting).
    """
    if not await memory.take_country_question(session, customer_id=buyer.customer_id):
        return None
    return await choose_delivery_country(session, buyer=buyer, text=text)


async def with_delivery(
    session: AsyncSession, view: CartView, *, buyer: Buyer, quoter: Quoter
) -> CartView:
    """The cart with each shop's delivery to the buyer's country (or the question which)."""
    if view.is_empty:
        return view
    country = await delivery_country(session, buyer=buyer)
    if country.code is None:
        return replace(view, delivery=CartDelivery(None, False))
    rules = await rules_for(session, merchant_ids=[m.merchant_id for m in view.merchants])
    shops = tuple(
        _shop(merchant, rules[merchant.merchant_id], country.code, view.buyer_currency, quoter)
        for merchant in view.merchants
    )
    return replace(view, delivery=CartDelivery(country.code, country.chosen, shops))


def _shop(
    merchant: MerchantCart,
    rules: Sequence[Rule],
    country: str,
    buyer_currency: str,
    quoter: Quoter,
) -> ShopDelivery:
    try:
        quote = quote_delivery(
            rules,
            country=country,
            subtotal_minor=merchant.subtotal.to_minor(),
            items=merchant.items,
            grams=merchant.grams,
            merchant_name=merchant.merchant_name,
        )
    except TooHeavy as error:
        return ShopDelivery(
            merchant.merchant_id,
            delivers=False,
            has_rules=True,
            order_grams=int(error.params["grams"]),
            max_grams=int(error.params["limit"]),
        )
    except NoShipping:
        return ShopDelivery(merchant.merchant_id, delivers=False, has_rules=bool(rules))
    policy = replace(merchant.policy, price_ending=None)

    def shown(minor: int) -> tuple[Money, bool]:
        converted = quoter(Money.from_minor(minor, merchant.currency), buyer_currency, policy)
        return converted.displayed, converted.approx

    cost, approx = shown(quote.cost_minor)
    missing = None
    if quote.missing_for_free_minor is not None:
        missing, stale = shown(quote.missing_for_free_minor)
        approx = approx or stale
    return ShopDelivery(
        merchant.merchant_id,
        delivers=True,
        has_rules=True,
        cost=cost,
        days=quote.days,
        missing_for_free=missing,
        approx=approx,
    )
