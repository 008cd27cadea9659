"""The buyer's Pay button: the checkout link of one of their own unpaid orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from money import Money
from orders.models import OrderStatus
from orders.queries import OrderDetails, get_order_by_id
from payments.base import CheckoutLink, Provider
from payments.checkout_links import checkout_request_for
from payments.ledger import open_checkout


class PaymentDirectory(Protocol):
    """Which provider serves a merchant (`merchants.payment_providers.PaymentDirectory`)."""

    async def for_merchant(self, session: AsyncSession, merchant_id: int) -> Provider | None: ...


@dataclass(frozen=True, slots=True)
class PaymentLink:
    order: OrderDetails
    charge: Money
    link: CheckoutLink


class NotPayable(Exception):
    """Not the presser's order, or no longer awaiting payment; `order` says which when known."""

    def __init__(self, order: OrderDetails | None = None) -> None:
        super().__init__()
        self.order = order


class PaymentsNotSetUp(Exception):
    """The order's merchant has no usable provider here (none chosen and no default, or its
    settings are wrong: the directory has logged why)."""


async def payment_link(
    sessions: async_sessionmaker[AsyncSession],
    providers: PaymentDirectory,
    *,
    customer_id: int,
    order_id: int,
    locale: str,
    public_url: str,
    now: datetime,
) -> PaymentLink:
    """The order's checkout link with its merchant's provider, reused while valid
    (`open_checkout` is idempotent per order).

    Raises `NotPayable`, `PaymentsNotSetUp`, or `payments.ProviderUnavailable` when the provider
    cannot be reached (the order then stays awaiting payment, its stock reserved until expiry).
    """
    async with sessions() as session:
        order = await get_order_by_id(session, customer_id=customer_id, order_id=order_id)
        if order is None:
            raise NotPayable()
        if order.status != OrderStatus.AWAITING_PAYMENT:
            raise NotPayable(order)
        provider = await providers.for_merchant(session, order.merchant_id)
        if provider is None:
            raise PaymentsNotSetUp()
        request = await checkout_request_for(
            session,
            number=order.number,
            locale=locale,
            public_url=public_url,
            customer_reference=str(customer_id),
            now=now,
        )
    link = await open_checkout(sessions, provider, request, now=now)
    return PaymentLink(order, request.amount, link)
