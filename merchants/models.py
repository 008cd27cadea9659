"""A merchant's own settings and staff, beside the catalog's `merchants` row.

`catalog.models.Merchant` keeps what the catalog needs (slug, name, base currency, the language
of its titles); what only the running shop needs lives here, one row per merchant:
- `notify_chat_id`: the Telegram chat (a group) where order notices go. Unique: a chat serves
  one merchant, so nobody in it ever sees another merchant's orders.
- `language`: the language of notices (None: the catalog's language).
- the conversion policy (`money.conversion.ConversionPolicy`): FX margin, price ending, and the
  currency payments are asked in (the buyer's or the merchant's).
- `policies`: the shop's own returns, shipping and payment texts, which answer buyers' questions.
- payment provider settings: `payment_provider` names a `payments.ProviderKind`;
  `payment_config` holds its values, secrets included. They are read by code, never echoed back
  (see `merchants.settings.describe`).
Staff are Telegram user ids allowed to act on the merchant's orders.
Signup codes (`merchants.signup`) are one-time codes kept only as hashes: a claim code binds a
CLI-made shop to the group that gives it, an invite code lets one group open a shop.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from catalog.models import Merchant
from db import Base, utcnow
from money.conversion import ConversionPolicy, charge_currency_of, price_ending_of


class MerchantSettings(Base):
    __tablename__ = "merchant_settings"

    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True
    )
    notify_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(16))
    fx_margin_percent: Mapped[str] = mapped_column(String(20), default="0")  # exact decimal
    price_ending: Mapped[str | None] = mapped_column(String(8))  # None, "99" or "whole"
    charge_currency: Mapped[str] = mapped_column(String(8), default="buyer")  # or "merchant"
    payment_provider: Mapped[str | None] = mapped_column(String(16))
    payment_config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The shop's own texts for buyers' questions: kind ("returns", "shipping", "payment") → text
    # (see `merchants.policies`); None until the first is set.
    policies: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # The hour (UTC, 0-23) from which the day's digest is sent to the order chat.
    digest_hour: Mapped[int] = mapped_column(default=9, server_default="9")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # `Merchant.settings`, loaded with every merchant (joined into the merchant's own SELECT:
    # one row each, and a SELECT per batch of merchants was a statement on most updates), so the
    # catalog's price conversions see the margin and charge currency without a query of their own.
    merchant: Mapped[Merchant] = relationship(
        backref=backref("settings", uselist=False, lazy="joined"), lazy="raise"
    )

    def conversion_policy(self) -> ConversionPolicy:
        """The merchant's FX policy as `money.conversion` takes it."""
        return ConversionPolicy(
            margin_percent=Decimal(self.fx_margin_percent or "0"),
            price_ending=price_ending_of(self.price_ending or None),
            charge_currency=charge_currency_of(self.charge_currency or "buyer"),
        )


class StaffMember(Base):
    __tablename__ = "merchant_staff"

    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True
    )
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignupCode(Base):
    __tablename__ = "merchant_signup_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "claim" or "invite"
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the code
    # The shop a claim code opens; None for an invite.
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(BigInteger)  # the Telegram user who used it
