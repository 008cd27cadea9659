"""A parcel's weight in words of the reader's language: "2,5 kg", "750 g" (CLDR via babel)."""

from __future__ import annotations

from decimal import Decimal

from babel.units import format_unit


def weight_text(grams: int, locale: str) -> str:
    """Grams below a kilogram, kilograms from there on (up to three decimals, none trailing)."""
    if grams < 1000:
        return format_unit(grams, "mass-gram", length="short", locale=locale)
    kilograms = (Decimal(grams) / 1000).normalize()
    return format_unit(kilograms, "mass-kilogram", length="short", locale=locale)
