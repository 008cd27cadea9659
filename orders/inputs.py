"""First look at anything a buyer types: too long, control characters, emoji only.

Every free-text answer passes here before a step-specific validator sees it, so a 5,000
character paste or a row of emoji gets the same clear, typed answer at every step.
"""

from __future__ import annotations

import re
import unicodedata

from orders.errors import NotAQuantity, NotText, QuantityOutOfRange, TextTooLong

# Direction marks Telegram clients and Arabic keyboards insert invisibly: removed, not refused.
_BIDI_MARKS = dict.fromkeys(
    [0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]
)
_SPACES = re.compile(r"[^\S\n]+")
HARD_LIMIT = 1000  # no answer in a checkout is longer; checked before any other work


def clean_text(text: str, *, maximum: int, multiline: bool = False) -> str:
    """`text` trimmed, NFC-normalised, inner runs of spaces collapsed.

    Raises `TextTooLong` above `maximum` characters and `NotText` for control characters or
    text without a single letter or digit (emoji, punctuation, an empty message).
    """
    if not isinstance(text, str):
        raise NotText()
    if len(text) > max(maximum, HARD_LIMIT) * 4:  # cheap bound before normalising a huge paste
        raise TextTooLong(maximum=maximum)
    text = unicodedata.normalize("NFC", text.translate(_BIDI_MARKS)).replace("\r\n", "\n")
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") and char not in "\n\t":
            raise NotText()
    if not multiline:
        text = text.replace("\n", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\t", " ").split("\n")]
    text = "\n".join(line for line in lines if line)
    if len(text) > maximum:
        raise TextTooLong(maximum=maximum)
    if not any(unicodedata.category(char)[0] in "LN" for char in text):
        raise NotText()
    return text


def is_symbol(char: str) -> bool:
    """Emoji and pictographs (and their joiners), which belong in no name or address."""
    category = unicodedata.category(char)
    return category in ("So", "Sk", "Cs") or char in "\u200d\ufe0f\u20e3"


# "3", "٣", "３", "x3", "3 pcs" — the digits in any script, as Python reads them.
_QUANTITY = re.compile(r"^\s*[x×*]?\s*([+-]?\d{1,12})\s*[^\d\s]{0,12}\s*$")


def parse_quantity(text: str, *, minimum: int = 1, maximum: int) -> int:
    """A typed quantity: digits in any script; `NotAQuantity` or `QuantityOutOfRange` if not.

    A minus sign is read (so "-3" is answered as out of range, not as "3").
    """
    if not isinstance(text, str) or len(text) > 40:
        raise NotAQuantity()
    match = _QUANTITY.match(unicodedata.normalize("NFKC", text))
    if match is None:
        raise NotAQuantity()
    return check_quantity(int(match.group(1)), minimum=minimum, maximum=maximum)


def check_quantity(quantity: object, *, minimum: int = 1, maximum: int) -> int:
    """`quantity` itself if it is an int within bounds; typed errors otherwise."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise NotAQuantity()
    if not minimum <= quantity <= maximum:
        raise QuantityOutOfRange(minimum=minimum, maximum=maximum)
    return quantity
