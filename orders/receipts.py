"""Receipts: a paid order's receipt, reached by a link only its buyer was given.

The link carries the order id and an HMAC of it (and its buyer) under a server key, so it can be
opened in any browser without logging in, and guessing another order's receipt is hopeless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.customers import Customer
from orders.models import Order
from orders.queries import OrderDetails, get_order_by_id

TOKEN_LENGTH = 22


def receipt_key(secret: str) -> bytes:
    """The HMAC key for receipt links, derived from a server secret (the bot's token)."""
    return hashlib.sha256(b"chatshop receipt links\0" + secret.encode()).digest()


def receipt_token(key: bytes, *, order_id: int, customer_id: int) -> str:
    digest = hmac.new(key, f"{order_id}:{customer_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:TOKEN_LENGTH]


@dataclass(frozen=True, slots=True)
class Receipt:
    order: OrderDetails
    locale: str  # the buyer's language


async def find_receipt(
    session: AsyncSession, *, key: bytes, order_id: int, token: str
) -> Receipt | None:
    """The receipt of a paid order whose link this is; None for a wrong token or unpaid order."""
    if isinstance(order_id, bool) or not 0 < order_id < 2**63 or len(token) != TOKEN_LENGTH:
        return None
    row = (
        await session.execute(
            select(Order.customer_id, Customer.locale)
            .join(Customer, Customer.id == Order.customer_id)
            .where(Order.id == order_id)
        )
    ).first()
    if row is None:
        return None
    customer_id, locale = row
    expected = receipt_token(key, order_id=order_id, customer_id=customer_id)
    if not hmac.compare_digest(expected, token):
        return None
    details = await get_order_by_id(session, customer_id=customer_id, order_id=order_id)
    if details is None or details.paid_at is None:
        return None
    return Receipt(details, locale)
