"""Tables of `payments`: every accepted provider event, and the current checkout per order.

Amounts are stored as integer minor units at the currency's CLDR precision plus the code
(`Money.to_minor` / `Money.from_minor`), never as floats and never in a provider's own units.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, utcnow
from money import Money


class PaymentEventRecord(Base):
    """One provider event, recorded once: the unique (provider, event_id) is what makes
    replays and duplicate deliveries change nothing the second time."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(255))
    order_number: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)

    @property
    def amount(self) -> Money | None:
        if self.amount_minor is None or self.currency is None:
            return None
        return Money.from_minor(self.amount_minor, self.currency)


class CheckoutRecord(Base):
    """The checkout currently open for an order: asking twice returns this one, and webhooks
    are checked against its provider, amount and currency."""

    __tablename__ = "payment_checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_number: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(64))
    provider_reference: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)


class SecondPayment(Base):
    """A distinct payment for an order that was already paid: its money must go back.

    One row per payment (unique provider and `payment_key`, the provider's reference), however
    many events report it. `state` moves owed → refunded (through the provider that took it),
    or owed → flagged (that provider cannot refund through us: the shop must) → refunded when
    the shop reports it done. Written in the transaction that records the event, so a crash
    before the refund leaves the row owed, and the refund job finishes it.
    """

    __tablename__ = "second_payments"
    __table_args__ = (UniqueConstraint("provider", "payment_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(64))
    # The provider's reference of the payment, or "event:<id>" when the event carried none.
    payment_key: Mapped[str] = mapped_column(String(255))
    event_id: Mapped[str] = mapped_column(String(255))  # the event that reported it first
    order_number: Mapped[str] = mapped_column(String(64), index=True)
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(16))
    refund_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column()

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)
