"""From a finished checkout draft to orders: the summary the buyer confirms, then placement.

`summarise` prices the cart per merchant (lines, subtotal, shipping by the merchant's rules,
total) in the merchant's currency and, as the buyer is shown them, in the buyer's.
`place_orders` turns the same numbers into one order per merchant, numbered before payment,
with stock reserved for every line or for none, the cart emptied and the history started.

Placement is idempotent per checkout: the draft's token is stored on its orders (unique with
the merchant), so a second press of Confirm, or an update retried after a crash, returns the
orders of the first instead of reserving stock twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from money import Money
from orders.cart import CartLineView, CartView, cart_lines, view_cart
from orders.catalog_port import load_offers, release, reserve
from orders.checkout import CheckoutDraft
from orders.delivery import DeliveryDetails, save_delivery_details
from orders.errors import CartEmpty, CheckoutExpired, NoShipping, ShopNotOpen
from orders.models import ActorKind, Cart, CartLine, Order, OrderEvent, OrderLine, OrderStatus
from orders.numbers import new_numbers
from orders.pricing import MerchantPrice, Quoter, price_merchant
from orders.shipping import quote_delivery, rule_for, rules_for

DEFAULT_TTL = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class MerchantSummary:
    """One future order: what the buyer will pay this merchant, and in which currency."""

    merchant_id: int
    merchant_name: str
    lines: tuple[CartLineView, ...]
    price: MerchantPrice
    delivery_days: tuple[int, int] | None = None  # (fewest, most) days, when the shop says

    @property
    def subtotal(self) -> Money:
        return self.price.subtotal

    @property
    def shipping(self) -> Money:
        return self.price.shipping

    @property
    def total(self) -> Money:
        return self.price.total

    @property
    def buyer_subtotal(self) -> Money:
        return self.price.buyer_subtotal

    @property
    def buyer_shipping(self) -> Money:
        return self.price.buyer_shipping

    @property
    def buyer_total(self) -> Money:
        return self.price.buyer_total

    @property
    def charge(self) -> Money:
        """What the payment link will ask for (the buyer is told which currency)."""
        return self.price.charge


@dataclass(frozen=True, slots=True)
class CheckoutSummary:
    buyer_currency: str
    delivery: DeliveryDetails
    merchants: tuple[MerchantSummary, ...]
    # Lines that cannot be ordered as they are: withdrawn, or more than the stock left.
    problems: tuple[CartLineView, ...]

    @property
    def buyer_total(self) -> Money:
        total = Money.zero(self.buyer_currency)
        for merchant in self.merchants:
            total += merchant.buyer_total
        return total

    @property
    def price_changed(self) -> bool:
        return any(line.price_changed for merchant in self.merchants for line in merchant.lines)

    @property
    def approx(self) -> bool:
        return any(merchant.price.approx for merchant in self.merchants)

    @property
    def fingerprint(self) -> str:
        """A short digest of everything priced, for the Confirm button to carry.

        Placement compares it with a fresh summary, so a price, a rate or a shipping cost that
        moved after the buyer read the summary is shown again instead of charged unseen.
        """
        payload = [
            self.buyer_currency,
            self.delivery.to_dict(),
            [
                [
                    merchant.merchant_id,
                    [
                        [line.variant_id, line.quantity, str(line.unit_price)]
                        for line in merchant.lines
                    ],
                    str(merchant.shipping),
                    str(merchant.buyer_total),
                    str(merchant.charge),
                ]
                for merchant in self.merchants
            ],
            [line.line_id for line in self.problems],
        ]
        encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()[:12]


class Outcome(StrEnum):
    PLACED = "placed"
    ALREADY_PLACED = "already_placed"  # this checkout's orders existed: nothing new was done
    UNAVAILABLE = "unavailable"  # some lines could not be reserved: nothing was reserved
    CHANGED = "changed"  # the summary moved since the buyer read it: show `summary` again


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    order_id: int
    number: str
    merchant_id: int
    total: Money
    buyer_total: Money
    charge: Money
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class UnavailableLine:
    line_id: int
    variant_id: int
    title: str
    requested: int
    available: int  # 0 when the product is withdrawn or sold out


@dataclass(frozen=True, slots=True)
class PlacementResult:
    outcome: Outcome
    orders: tuple[PlacedOrder, ...] = ()
    unavailable: tuple[UnavailableLine, ...] = ()
    summary: CheckoutSummary | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.PLACED, Outcome.ALREADY_PLACED)


async def summarise(
    session: AsyncSession,
    *,
    customer_id: int,
    delivery: DeliveryDetails,
    buyer_currency: str,
    quoter: Quoter,
    language: str = "en",
) -> CheckoutSummary:
    """The cart priced for delivery to `delivery.country`, one part per merchant.

    Raises `CartEmpty` when nothing can be ordered and `NoShipping` when a merchant does not
    deliver to that country.
    """
    view = await view_cart(
        session,
        customer_id=customer_id,
        buyer_currency=buyer_currency,
        quoter=quoter,
        language=language,
    )
    return await _summary(session, view, delivery, quoter)


async def check_delivers(session: AsyncSession, *, customer_id: int, country: str) -> None:
    """Raises `NoShipping` (`ShopNotOpen` for a shop with no rule at all) naming the first shop
    in the buyer's cart that does not deliver to `country`.

    The checkout asks this as soon as the country is answered, so a buyer is never made to type
    a whole address only to read at the summary that the order cannot go there.
    """
    lines = await cart_lines(session, customer_id=customer_id)
    offers = await load_offers(session, [line.variant_id for line in lines], language="en")
    shops = {offer.merchant_id: offer.merchant_name for offer in offers.values() if offer.active}
    rules = await rules_for(session, merchant_ids=list(shops))
    for merchant_id, name in shops.items():
        if rule_for(rules[merchant_id], country) is None:
            refusal = ShopNotOpen if not rules[merchant_id] else NoShipping
            raise refusal(merchant=name, country=country)


async def _summary(
    session: AsyncSession, view: CartView, delivery: DeliveryDetails, quoter: Quoter
) -> CheckoutSummary:
    problems = tuple(line for line in view.lines if not line.available or line.stock_short)
    merchant_ids = [merchant.merchant_id for merchant in view.merchants]
    rules = await rules_for(session, merchant_ids=merchant_ids)
    summaries = []
    for merchant in view.merchants:
        lines = merchant.orderable
        if not lines:
            continue
        quote = quote_delivery(
            rules[merchant.merchant_id],
            country=delivery.country,
            subtotal_minor=merchant.subtotal.to_minor(),
            items=merchant.items,
            grams=merchant.grams,
            merchant_name=merchant.merchant_name,
        )
        price = price_merchant(
            quoter,
            [line.priced for line in lines],
            currency=merchant.currency,
            buyer_currency=view.buyer_currency,
            shipping=Money.from_minor(quote.cost_minor, merchant.currency),
            policy=merchant.policy,
        )
        summaries.append(
            MerchantSummary(merchant.merchant_id, merchant.merchant_name, lines, price, quote.days)
        )
    if not summaries:
        raise CartEmpty()
    return CheckoutSummary(view.buyer_currency, delivery, tuple(summaries), problems)


async def existing_orders(
    session: AsyncSession, *, customer_id: int, checkout_token: str
) -> list[Order]:
    """The orders one checkout placed (also: the orders one payment link may cover)."""
    return list(
        (
            await session.scalars(
                select(Order)
                .where(Order.customer_id == customer_id, Order.checkout_token == checkout_token)
                .order_by(Order.id)
            )
        ).all()
    )


async def latest_placement(
    session: AsyncSession, *, customer_id: int, since: datetime
) -> PlacementResult | None:
    """The buyer's most recent checkout placed after `since`, as `ALREADY_PLACED` (to answer a
    repeated Confirm press with the orders it made); None when there is none."""
    token = await session.scalar(
        select(Order.checkout_token)
        .where(Order.customer_id == customer_id, Order.created_at >= since)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(1)
    )
    if token is None:
        return None
    placed = await existing_orders(session, customer_id=customer_id, checkout_token=token)
    return PlacementResult(Outcome.ALREADY_PLACED, orders=tuple(map(_placed, placed)))


async def place_orders(
    session: AsyncSession,
    *,
    customer_id: int,
    draft: CheckoutDraft,
    buyer_currency: str,
    quoter: Quoter,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    language: str = "en",
    expected_fingerprint: str | None = None,
) -> PlacementResult:
    """One order per merchant for the buyer's cart, with every line's stock reserved.

    Stock is taken with the catalog's conditional updates in variant-id order (two buyers with
    the same two variants never wait on each other in opposite orders); if any line cannot be
    reserved, the ones already taken are put back in the same transaction and the result names
    the lines that failed. On success the cart is emptied, the details remembered if the buyer
    asked, and each order's history starts with its placement. `expected_fingerprint` is the
    summary the buyer confirmed: if the prices moved since, nothing is placed (`CHANGED`).
    """
    placed = await existing_orders(session, customer_id=customer_id, checkout_token=draft.token)
    if placed:
        return PlacementResult(Outcome.ALREADY_PLACED, orders=tuple(map(_placed, placed)))
    if not draft.ready:
        raise CheckoutExpired()
    delivery = draft.delivery
    view = await view_cart(
        session,
        customer_id=customer_id,
        buyer_currency=buyer_currency,
        quoter=quoter,
        language=language,
    )
    summary = await _summary(session, view, delivery, quoter)
    if expected_fingerprint is not None and expected_fingerprint != summary.fingerprint:
        return PlacementResult(Outcome.CHANGED, summary=summary)
    withdrawn = [line for line in view.lines if not line.available]
    if withdrawn:
        return PlacementResult(
            Outcome.UNAVAILABLE,
            unavailable=tuple(_unavailable(line, 0) for line in withdrawn),
            summary=summary,
        )
    failed = await _reserve_all(session, summary, language)
    if failed:
        return PlacementResult(Outcome.UNAVAILABLE, unavailable=failed, summary=summary)

    numbers = await new_numbers(session, len(summary.merchants))
    orders = [
        _order(merchant, number, customer_id, draft.token, delivery, now, ttl)
        for merchant, number in zip(summary.merchants, numbers, strict=True)
    ]
    session.add_all(orders)
    carts = select(Cart.id).where(Cart.customer_id == customer_id).scalar_subquery()
    await session.execute(delete(CartLine).where(CartLine.cart_id == carts))
    if draft.save_details:
        await save_delivery_details(session, customer_id=customer_id, details=delivery)
    await session.flush()
    return PlacementResult(Outcome.PLACED, orders=tuple(map(_placed, orders)), summary=summary)


async def _reserve_all(
    session: AsyncSession, summary: CheckoutSummary, language: str
) -> tuple[UnavailableLine, ...]:
    lines = sorted(
        (line for merchant in summary.merchants for line in merchant.lines),
        key=lambda line: line.variant_id,
    )
    taken: list[CartLineView] = []
    refused: list[CartLineView] = []
    for line in lines:
        if await reserve(session, variant_id=line.variant_id, quantity=line.quantity):
            taken.append(line)
        else:
            refused.append(line)
    if not refused:
        return ()
    for line in taken:
        await release(session, variant_id=line.variant_id, quantity=line.quantity)
    offers = await load_offers(session, [line.variant_id for line in refused], language=language)
    return tuple(
        _unavailable(line, offers[line.variant_id].stock if line.variant_id in offers else 0)
        for line in sorted(refused, key=lambda line: line.line_id)
    )


def _unavailable(line: CartLineView, available: int) -> UnavailableLine:
    return UnavailableLine(
        line.line_id, line.variant_id, line.title, line.quantity, max(available, 0)
    )


def _order(
    merchant: MerchantSummary,
    number: str,
    customer_id: int,
    token: str,
    delivery: DeliveryDetails,
    now: datetime,
    ttl: timedelta,
) -> Order:
    price = merchant.price
    order = Order(
        number=number,
        checkout_token=token,
        customer_id=customer_id,
        merchant_id=merchant.merchant_id,
        status=OrderStatus.AWAITING_PAYMENT.value,
        currency=price.currency,
        subtotal_minor=price.subtotal.to_minor(),
        shipping_minor=price.shipping.to_minor(),
        total_minor=price.total.to_minor(),
        buyer_currency=price.buyer_currency,
        buyer_total_minor=price.buyer_total.to_minor(),
        fx_rate=format(price.rate, "f"),
        fx_rate_date=price.rate_date,
        fx_margin_percent=format(price.margin_percent, "f"),
        fx_approx=price.approx,
        charge_currency=price.charge.currency,
        charge_total_minor=price.charge.to_minor(),
        delivery=delivery.to_dict(),
        created_at=now,
        expires_at=now + ttl,
    )
    order.lines = [
        OrderLine(
            variant_id=line.variant_id,
            title=line.title[:300],
            sku=line.sku,
            options=dict(line.options),
            quantity=line.quantity,
            unit_price_minor=line.unit_price.to_minor(),
            line_total_minor=line.line_total.to_minor(),
            buyer_unit_price_minor=line.buyer_unit_price.to_minor(),
        )
        for line in merchant.lines
    ]
    order.events = [
        OrderEvent(
            from_status=None,
            to_status=OrderStatus.AWAITING_PAYMENT.value,
            actor_kind=ActorKind.BUYER.value,
            actor_id=str(customer_id),
            at=now,
        )
    ]
    return order


def _placed(order: Order) -> PlacedOrder:
    return PlacedOrder(
        order_id=order.id,
        number=order.number,
        merchant_id=order.merchant_id,
        total=Money.from_minor(order.total_minor, order.currency),
        buyer_total=Money.from_minor(order.buyer_total_minor, order.buyer_currency),
        charge=Money.from_minor(order.charge_total_minor, order.charge_currency),
        expires_at=order.expires_at,
    )
