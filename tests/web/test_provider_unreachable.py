"""With the payment provider unreachable, the order keeps waiting for payment, stock reserved.

Issue 6: "the order stays awaiting payment with its stock reserved until expiry". Opening the
checkout (`checkout_request_for` + `open_checkout`, what a Pay button does) fails with
`ProviderUnavailable`; nothing about the order changes, a later attempt can still succeed, and
only the order's own expiry puts the stock back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.database import SessionFactory, transaction
from db import utcnow
from orders import cart
from orders.expiry import expire_unpaid
from orders.models import Order, OrderStatus
from orders.placement import place_orders
from payments import (
    Provider,
    ProviderUnavailable,
    SandboxProvider,
    StripeCheckout,
    open_checkout,
)
from payments.checkout_links import checkout_request_for
from payments.ledger import find_checkout
from tests.orders.factories import make_customer, quoter, ready_draft, seed_shop, stock_of
from tests.payments.factories import SANDBOX_SECRET, WEBHOOK_SECRET
from tests.payments.stripe_standin import closed_port_url

BASE_URL = "http://127.0.0.1:8080"
STOCK = 10  # red mugs on the shelf before the order


async def placed_order(sessions: SessionFactory) -> tuple[str, int]:
    """(number, red mug variant id) of a buyer's order of one red mug, awaiting payment."""
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        buyer = await make_customer(session, 5005, currency="USD")
        await cart.add_to_cart(session, customer_id=buyer, variant_id=shop.mug_red)
        result = await place_orders(
            session,
            customer_id=buyer,
            draft=ready_draft(),
            buyer_currency="USD",
            quoter=quoter(utcnow()),
            now=utcnow(),
            ttl=timedelta(minutes=30),
        )
    (order,) = result.orders
    return order.number, shop.mug_red


async def order_state(
    sessions: SessionFactory, number: str, variant: int
) -> tuple[str, datetime | None, int]:
    """(status, expires_at, stock left of `variant`)."""
    async with transaction(sessions) as session:
        order = await session.scalar(
            select(Order).where(Order.number == number).execution_options(populate_existing=True)
        )
        assert order is not None
        return order.status, order.expires_at, await stock_of(session, variant)


async def open_pay_link(sessions: SessionFactory, provider: Provider, number: str) -> str:
    async with transaction(sessions) as session:
        request = await checkout_request_for(
            session, number=number, locale="en", public_url=BASE_URL
        )
    link = await open_checkout(sessions, provider, request, now=utcnow())
    return link.url


async def test_unreachable_provider_leaves_the_order_awaiting_payment_with_stock_reserved(
    sessions: SessionFactory,
) -> None:
    number, mug = await placed_order(sessions)
    placed = await order_state(sessions, number, mug)
    stripe_down = StripeCheckout(
        "sk_test_x", WEBHOOK_SECRET, api_base=closed_port_url(), max_network_retries=0
    )

    try:
        with pytest.raises(ProviderUnavailable):
            await open_pay_link(sessions, stripe_down, number)
    finally:
        await stripe_down.aclose()

    assert placed[0] == OrderStatus.AWAITING_PAYMENT and placed[2] == STOCK - 1
    assert await order_state(sessions, number, mug) == placed  # nothing moved, nothing released
    async with transaction(sessions) as session:
        assert await find_checkout(session, number) is None  # no dead link to reuse


async def test_after_the_outage_the_buyer_can_still_pay_and_the_reservation_ends_on_time(
    sessions: SessionFactory,
) -> None:
    number, mug = await placed_order(sessions)
    stripe_down = StripeCheckout(
        "sk_test_x", WEBHOOK_SECRET, api_base=closed_port_url(), max_network_retries=0
    )
    try:
        with pytest.raises(ProviderUnavailable):
            await open_pay_link(sessions, stripe_down, number)
    finally:
        await stripe_down.aclose()
    _, expires_at, _ = await order_state(sessions, number, mug)
    assert expires_at is not None

    retried = await open_pay_link(sessions, SandboxProvider(SANDBOX_SECRET, BASE_URL), number)
    async with transaction(sessions) as session:
        before_expiry = await expire_unpaid(session, now=expires_at - timedelta(seconds=1))
    still_reserved = await order_state(sessions, number, mug)
    async with transaction(sessions) as session:
        at_expiry = await expire_unpaid(session, now=expires_at)
    released = await order_state(sessions, number, mug)

    assert retried.startswith(f"{BASE_URL}/pay/sandbox/")
    assert before_expiry == [] and still_reserved[::2] == (OrderStatus.AWAITING_PAYMENT, STOCK - 1)
    assert at_expiry == [number] and released[::2] == (OrderStatus.EXPIRED, STOCK)
