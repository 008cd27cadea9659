"""An order as a payment provider sees it: its lines in the charge currency, summing to the charge.

Whoever offers the buyer a Pay button calls `checkout_request_for` and then
`payments.open_checkout`; `return_urls` gives the pages the buyer comes back to.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import utcnow
from i18n import negotiate_locale, translator
from money import Money
from orders.errors import OrderNotFound
from orders.models import Order
from payments.base import CheckoutLine, CheckoutRequest

DEFAULT_RESERVATION = timedelta(minutes=30)


def return_urls(public_url: str, locale: str) -> tuple[str, str]:
    """(success_url, cancel_url): our own pages, in the buyer's language."""
    base = public_url.rstrip("/")
    return f"{base}/pay/return/paid?lang={locale}", f"{base}/pay/return/cancelled?lang={locale}"


async def checkout_request_for(
    session: AsyncSession,
    *,
    number: str,
    locale: str,
    public_url: str,
    customer_reference: str | None = None,
    now: datetime | None = None,
) -> CheckoutRequest:
    """The checkout of order `number`, for its charge amount and currency, until it expires."""
    order = await session.scalar(
        select(Order).where(Order.number == number).options(selectinload(Order.lines))
    )
    if order is None:
        raise OrderNotFound()
    success_url, cancel_url = return_urls(public_url, locale)
    return CheckoutRequest(
        order_number=order.number,
        amount=Money.from_minor(order.charge_total_minor, order.charge_currency),
        lines=charge_lines(order, locale),
        expires_at=order.expires_at or (now or utcnow()) + DEFAULT_RESERVATION,
        success_url=success_url,
        cancel_url=cancel_url,
        locale=locale,
        customer_reference=customer_reference,
    )


def charge_lines(order: Order, locale: str) -> list[CheckoutLine]:
    """The order's lines in the charge currency plus delivery, adding up to the charge.

    Unit prices are the ones the buyer was shown (their currency) or the merchant's own; the
    delivery line takes what is left of the charge. Should they not add up (a rounding the
    placement applied to the total only), one line for the whole order is charged instead:
    charging the exact total matters more than itemising it.
    """
    t = translator(negotiate_locale(locale))
    currency = order.charge_currency
    charge = Money.from_minor(order.charge_total_minor, currency)
    whole = [CheckoutLine(t.gettext("Order {number}").format(number=order.number), 1, charge)]
    if currency == order.currency:
        units = [line.unit_price_minor for line in order.lines]
    elif currency == order.buyer_currency:
        units = [line.buyer_unit_price_minor for line in order.lines]
    else:
        return whole
    lines = [
        CheckoutLine(line.title, line.quantity, Money.from_minor(unit, currency))
        for line, unit in zip(order.lines, units, strict=True)
        if unit > 0
    ]
    rest = charge - sum((line.total for line in lines), Money.zero(currency))
    if rest.amount < 0 or not lines:
        return whole
    if rest.amount > 0:
        lines.append(CheckoutLine(t.gettext("Delivery"), 1, rest))
    return lines
