"""Query understanding: price limits, colours, sizes and a quantity out of what a buyer types."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ParsedQuery:
    """A buyer's query split into what to search for and what to filter or prefer.

    ``text`` is what remains to search for; ``colours`` are canonical English names; sizes are
    canonical ("xl", "42"); ``price_currency`` is an ISO 4217 code when the buyer named one.
    """

    text: str
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    price_currency: str | None = None
    colours: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    quantity: int | None = None


def parse_query(text: str, language: str = "en") -> ParsedQuery:
    return ParsedQuery(text)
