"""Tables of carts, orders, their history, shipping rules and the buyer's dialog state.

Money is always an integer count of minor units beside an ISO 4217 code, never a float. Orders
copy (snapshot) everything they show — titles, prices, the FX quote, the delivery address — so a
later change in the catalog or in the buyer's saved details never rewrites an order.

Catalog tables are referenced by name (`variants`, `merchants`): `orders/` depends on the
catalog's schema, never the other way round.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db import Base, utcnow

MAX_LINE_QUANTITY = 99


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    ACCEPTED = "accepted"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


class ActorKind(StrEnum):
    """Who moved an order: recorded in its history and checked against the status machine."""

    BUYER = "buyer"
    MERCHANT = "merchant"
    PROVIDER = "provider"  # a payment provider's webhook
    SYSTEM = "system"  # the expiry job, an operator's script


class Cart(Base):
    """One cart per buyer, holding lines from any number of merchants."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartLine.id"
    )


class CartLine(Base):
    """A variant and a quantity, with the unit price the buyer saw when adding it.

    The stored price is what the buyer agreed to look at; the cart compares it with the price
    now and tells the buyer when it moved, instead of silently charging something else.
    """

    __tablename__ = "cart_lines"
    __table_args__ = (
        # Adding the same variant again raises the quantity of its line, never a second line.
        UniqueConstraint("cart_id", "variant_id"),
        CheckConstraint(f"quantity BETWEEN 1 AND {MAX_LINE_QUANTITY}", name="quantity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="lines")


class Order(Base):
    """What one merchant is to deliver to one buyer: numbered at placement, before payment."""

    __tablename__ = "orders"
    __table_args__ = (
        # A second press of "Confirm" (or a retried update) finds the orders of the first.
        UniqueConstraint("checkout_token", "merchant_id"),
        Index("ix_orders_status_expires_at", "status", "expires_at"),
        Index("ix_orders_customer_id_created_at", "customer_id", "created_at"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{status.value}'" for status in OrderStatus) + ")",
            name="status_known",
        ),
        CheckConstraint(
            "subtotal_minor >= 0 AND shipping_minor >= 0 AND total_minor >= 0",
            name="amounts_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    checkout_token: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.AWAITING_PAYMENT.value)

    # In the merchant's currency, minor units.
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    shipping_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)

    # What the buyer was shown in their currency (the sum of the prices they read), and the
    # quote behind it: mid rate as an exact decimal string, its date, the margin in percent.
    buyer_currency: Mapped[str] = mapped_column(String(3))
    buyer_total_minor: Mapped[int] = mapped_column(BigInteger)
    fx_rate: Mapped[str] = mapped_column(String(40))
    fx_rate_date: Mapped[date | None] = mapped_column(Date)
    fx_margin_percent: Mapped[str] = mapped_column(String(20), default="0")
    fx_approx: Mapped[bool] = mapped_column(default=False)  # stale rates: buyer total indicative
    # What the payment asks for: the buyer's total in their currency, or the merchant's total
    # (the merchant's provider settles in its own currency, or the rates were stale).
    charge_currency: Mapped[str] = mapped_column(String(3))
    charge_total_minor: Mapped[int] = mapped_column(BigInteger)

    delivery: Mapped[dict[str, Any]] = mapped_column(JSON)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    paid_at: Mapped[datetime | None] = mapped_column()
    shipped_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()  # delivered, cancelled, expired, refunded
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking: Mapped[str | None] = mapped_column(String(128))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )


class OrderLine(Base):
    """A snapshot of what was bought; the variant may change or vanish later, this does not."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint(f"quantity BETWEEN 1 AND {MAX_LINE_QUANTITY}", name="quantity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # Kept to release the reservation; set to NULL if the merchant deletes the variant.
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    sku: Mapped[str | None] = mapped_column(String(100))
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)  # merchant currency
    line_total_minor: Mapped[int] = mapped_column(BigInteger)
    buyer_unit_price_minor: Mapped[int] = mapped_column(BigInteger)  # as shown, buyer currency

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(Base):
    """One step of an order's status history: who moved it from where to where, and when."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))  # None: the order was placed
    to_status: Mapped[str] = mapped_column(String(20))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")


class ShippingRule(Base):
    """A merchant's shipping rate to one country (`*`: everywhere else), in its currency.

    A zone ("DE,FR,AT at 4.90") is stored as one row per country with the same terms;
    `orders.shipping.zones` groups them back for display and export.

    `free_above_minor`: orders whose subtotal reaches it ship free. No rule for a country and no
    `*` rule means the merchant does not deliver there.
    """

    __tablename__ = "shipping_rules"
    __table_args__ = (
        UniqueConstraint("merchant_id", "country"),
        CheckConstraint("rate_minor >= 0", name="rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2, or "*"
    rate_minor: Mapped[int] = mapped_column(BigInteger)
    free_above_minor: Mapped[int | None] = mapped_column(BigInteger)
    # Delivery time in days, min..max (None: not given).
    min_days: Mapped[int | None] = mapped_column(Integer)
    max_days: Mapped[int | None] = mapped_column(Integer)
    # Item-count tiers: [[from_items, rate_minor], ...] ascending; below the first, `rate_minor`.
    item_tiers: Mapped[list[list[int]] | None] = mapped_column(JSON, default=None)
    # Weight tiers: [[up_to_grams, rate_minor], ...] ascending; heavier than the last: refused.
    weight_tiers: Mapped[list[list[int]] | None] = mapped_column(JSON, default=None)


class DialogState(Base):
    """What the bot is asking one user in one chat, so any worker can answer the next update.

    `data` holds the step's working state (a checkout draft, the candidates of an ambiguous
    cart edit) as JSON. A restart or another worker picks up exactly where the last one stopped.
    """

    __tablename__ = "dialog_states"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
