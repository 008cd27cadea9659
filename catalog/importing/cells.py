"""Reading one cell: text clean-up, spreadsheet formulas, numbers, yes/no, status, policy.

Files come from spreadsheets and shop exports all over the world, so this is tolerant where the
meaning is certain (no-break spaces, "1,5", "25", "$25.00", TRUE/yes/1) and strict where it is
not: "1,500" could be fifteen hundred or one and a half, and is refused rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Final

from catalog.importing.problems import CellError
from catalog.models import InventoryPolicy, ProductStatus

# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
FORMULA_STARTS: Final = "=+-@"
ESCAPE: Final = "'"

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u2009\u200a]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_PLAIN_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
_SCIENTIFIC = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+")
_GROUPED = r"\d{{1,3}}(?:{sep}\d{{3}})+"  # a str.format template: {sep} is "," or "."
_TRUE = frozenset({"true", "yes", "y", "t", "1"})
_FALSE = frozenset({"false", "no", "n", "f", "0"})
_CONTINUE = frozenset({"continue", *_TRUE})  # "Continue selling when out of stock: TRUE"
_DENY = frozenset({"deny", *_FALSE})


def clean_line(value: str) -> str:
    """One-line text as stored: NFC, invisible characters dropped, any run of spaces (no-break,
    narrow, tabs, newlines) made one space, trimmed. Idempotent, so exports re-import unchanged."""
    if value.isascii() and value.isprintable() and "  " not in value:
        return value.strip(" ")  # most cells: nothing to normalise, no other space to fold
    value = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    return _SPACES.sub(" ", value).strip()


def clean_text(value: str) -> str:
    """Multi-line text as stored: like `clean_line` within each line, at most one blank line."""
    value = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    lines = [
        clean_line(line) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def formula_start(value: str) -> str | None:
    """The character that makes a spreadsheet run this (cleaned) cell as a formula, if any."""
    return value[0] if value and value[0] in FORMULA_STARTS else None


def unescape(value: str) -> str:
    """Drops the apostrophe our export puts before a formula-like cell (or before an apostrophe)."""
    if len(value) > 1 and value[0] == ESCAPE and value[1] in FORMULA_STARTS + ESCAPE:
        return value[1:]
    return value


def escape(value: str) -> str:
    """The inverse of `unescape`: text a spreadsheet will show, never run."""
    return ESCAPE + value if value and value[0] in FORMULA_STARTS + ESCAPE else value


def parse_decimal(value: str) -> Decimal:
    """A price or quantity: "25", "64.95", "1,5", "1 234,50", "$25.00", "2.5E+1"."""
    text = _SPACES.sub("", value)
    text = text.strip("".join(ch for ch in text if unicodedata.category(ch) == "Sc"))
    if _SCIENTIFIC.fullmatch(text):
        return _decimal(text, value)
    dots, commas = text.count("."), text.count(",")
    if dots and commas:  # the last one is the decimal separator: 1,234.50 or 1.234,50
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        whole, _, fraction = text.rpartition(decimal_sep)
        if whole.count(decimal_sep) or not _grouped(whole.lstrip("+-"), group_sep):
            raise CellError("bad_price", value=value)
        text = whole.replace(group_sep, "") + "." + fraction
    elif commas == 1:
        whole, _, fraction = text.partition(",")
        if len(fraction) == 3 and whole.lstrip("+-"):
            raise CellError("ambiguous_number", value=value)
        text = whole + "." + fraction
    elif commas > 1 or dots > 1:  # 1,234,567 or 1.234.567
        group_sep = "," if commas else "."
        if not _grouped(text.lstrip("+-"), group_sep):
            raise CellError("bad_price", value=value)
        text = text.replace(group_sep, "")
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise CellError("bad_price", value=value)
    return _decimal(text, value)


def _grouped(digits: str, separator: str) -> bool:
    return re.fullmatch(_GROUPED.format(sep=re.escape(separator)), digits) is not None


def _decimal(text: str, original: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("bad_price", value=original) from None
    if not number.is_finite():
        raise CellError("bad_price", value=original)
    return number


def parse_int(value: str, *, code: str = "bad_number") -> int:
    """A whole number; "10.0" and "1 000" are accepted, "2.5" is not."""
    try:
        number = parse_decimal(value)
    except CellError as error:
        if error.code == "ambiguous_number":
            raise
        raise CellError(code, value=value) from error
    if number != number.to_integral_value() or abs(number) > 10**12:
        raise CellError(code, value=value)
    return int(number)


def parse_bool(value: str) -> bool:
    folded = value.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError("bad_boolean", value=value)


def parse_status(value: str) -> ProductStatus:
    try:
        return ProductStatus(value.strip().casefold())
    except ValueError:
        raise CellError("bad_status", value=value) from None


def parse_policy(value: str) -> InventoryPolicy:
    """Shopify's legacy `deny`/`continue` and its current "continue selling: TRUE/FALSE"."""
    folded = value.strip().casefold()
    if folded in _CONTINUE:
        return InventoryPolicy.CONTINUE
    if folded in _DENY:
        return InventoryPolicy.DENY
    raise CellError("bad_policy", value=value)


def looks_like_damaged_number(value: str) -> bool:
    """A barcode or id a spreadsheet showed as 3.65275E+11: its last digits are gone."""
    return _SCIENTIFIC.fullmatch(value) is not None
