"""The money package's tables: the exchange rates fetched, one row per day and currency.

History is kept (a few dozen short rows per working day) so the rates behind any stored quote
can be looked up later; the quote itself carries its rate, so nothing depends on that history.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, utcnow
from money.sqltypes import ExactDecimal


class FxRate(Base):
    """How many units of `currency` one euro bought on `rate_date` (ECB reference rate)."""

    __tablename__ = "fx_rates"

    rate_date: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    per_eur: Mapped[Decimal] = mapped_column(ExactDecimal())
    source: Mapped[str] = mapped_column(String(16), default="ecb")
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"FxRate({self.rate_date}, {self.currency}, {self.per_eur})"
