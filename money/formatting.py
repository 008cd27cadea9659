"""Money as a buyer reads it, in their locale, through babel's CLDR patterns.

Babel decides the symbol, its side, the separators and the spaces (no-break and narrow no-break)
and, in Arabic, the direction marks; we keep all of it, because a hand-made "12.50 USD" reads
wrong in most of the languages we ship. `parse_money` is the inverse, built on babel's own
`parse_decimal`, so a formatted price can be checked (and a merchant's typed price read) in the
same locale.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel import Locale
from babel.numbers import (
    NumberFormatError,
    format_currency,
    get_currency_symbol,
    get_minus_sign_symbol,
    parse_decimal,
)

from money.currency import normalise_code
from money.money import Money

APPROX_SIGN = "≈"
NBSP = "\u00a0"
RLM = "\u200f"
# Direction marks and isolates babel puts around Arabic (and other RTL) numbers.
_BIDI_MARKS = "\u200e\u200f\u061c\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e"
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


class MoneyParseError(ValueError):
    """The text is not an amount of that currency written in that locale."""


def _without_marks(text: str) -> str:
    return text.translate({ord(mark): None for mark in _BIDI_MARKS})


def _locale(locale: str | Locale) -> Locale:
    return locale if isinstance(locale, Locale) else Locale.parse(locale.replace("-", "_"))


def approx_prefix(locale: str | Locale) -> str:
    """The "≈" sign and a no-break space (so the sign never wraps away from its number).

    In right-to-left locales the sign is preceded by a right-to-left mark: babel's Arabic amounts
    start with one, and a neutral "≈" in front of them would otherwise take the direction of the
    surrounding (often left-to-right) message and land on the wrong side of the number.
    """
    if _locale(locale).text_direction == "rtl":
        return f"{RLM}{APPROX_SIGN}{NBSP}"
    return f"{APPROX_SIGN}{NBSP}"


def format_money(money: Money, locale: str | Locale, *, approx: bool = False) -> str:
    """`money` written for a reader of `locale`: "$1,234.50", "1.234,50 €", "‏1,234.50 US$".

    The amount is shown with the currency's CLDR digits and never rounded here
    (`decimal_quantization=False`): a price with more digits than its currency has is a bug
    upstream, and printing it makes the bug visible instead of silently charging another amount
    than the one shown. `approx` marks a price converted at stale rates ("≈ $12.50").
    """
    amount = money.amount if money.amount else abs(money.amount)  # no "-$0.00"
    text = format_currency(
        amount, money.currency, locale=_locale(locale), decimal_quantization=False
    )
    return approx_prefix(locale) + text if approx else text


def parse_money(text: str, currency: str, locale: str | Locale) -> Money:
    """The inverse of `format_money` (with or without the "≈"): babel's parser does the number.

    Accepts the currency's symbol in this locale or its ISO code, on either side, and the
    locale's own minus sign; anything else left over is a `MoneyParseError`.
    """
    loc = _locale(locale)
    code = normalise_code(currency)
    rest = _without_marks(text).strip()
    if rest.startswith(APPROX_SIGN):
        rest = rest[len(APPROX_SIGN) :]
    # Longest first: "US$" must go before "$" would leave a stray "US".
    symbol = _without_marks(get_currency_symbol(code, loc))
    for token in sorted({symbol, code}, key=len, reverse=True):
        if token in rest:
            rest = rest.replace(token, "", 1)
            break
    rest = _SPACES.sub("", rest)
    minus = get_minus_sign_symbol(loc)
    negative = rest.startswith((minus, "-"))
    if negative:
        rest = rest[1:]
    if not rest or not rest[0].isdigit():
        raise MoneyParseError(f"{text!r} is not an amount of {code} in {loc}")
    try:
        amount = parse_decimal(rest, locale=loc, strict=True)
    except NumberFormatError as error:
        raise MoneyParseError(f"{text!r} is not an amount of {code} in {loc}: {error}") from None
    return Money(-amount if negative else Decimal(amount), code)
