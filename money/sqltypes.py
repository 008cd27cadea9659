"""Exact decimals in any database: `Decimal` in Python, canonical text in the column.

SQLite has no exact NUMERIC (it stores REAL, i.e. binary floating point, and hands back floats),
so `Numeric` would turn 1.0861 into 1.0860999999999998 on one backend and not the other. A
rate or a price is stored as its plain decimal text instead ("1.0861", never "1.0861E+0" or a
float), identical on SQLite and PostgreSQL. We never ask the database to do arithmetic on these.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

DECIMAL_TEXT_LENGTH = 40


class ExactDecimal(TypeDecorator[Decimal]):
    """A `Decimal` column stored as text; floats are refused at the door."""

    impl = String(DECIMAL_TEXT_LENGTH)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            raise TypeError(f"ExactDecimal takes Decimal or int, not {type(value).__name__}")
        value = Decimal(value)
        if not value.is_finite():
            raise ValueError(f"ExactDecimal cannot store {value}")
        text = format(value, "f")
        if len(text) > DECIMAL_TEXT_LENGTH:
            raise ValueError(f"{text} is longer than {DECIMAL_TEXT_LENGTH} characters")
        return text

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)
