"""Query understanding: price limits, colours, sizes and a quantity out of what a buyer types.

"2 red mugs under $50" becomes quantity 2, colour red, at most 50 USD, and the text "mugs " to
search for. The parser works on folded text (case, accents and Arabic letter variants unified,
full-width digits made ASCII) aligned character by character with the original, so what remains
keeps the buyer's own spelling.

Decisions worth knowing:

* colours and sizes are *moved* out of ``text`` into ``colours``/``sizes``. The index stores a
  canonical colour/size term for every colour or size word in titles and variant options, and
  :meth:`SearchIndex.search` turns each parsed colour/size into a query word matching that term,
  so nothing is lost ("orange juice" still finds the juice) and the buyer's "rojas" finds a
  "Red mug". Keeping the word in the text too would count it twice.
* when something was taken out after the last remaining word, ``text`` ends in a space: that
  word was finished, so the engine does not read it as a prefix still being typed.
* a bare number is not a price ("iphone 15", "size 42"): a price needs a limit word ("under",
  "до", "以下"), a range ("50-100") or a comparison sign ("< 50"). A number glued to letters or
  inside a code ("m1 max", "rz01-0036", "i7-12700", "16gb") or followed by a unit ("64 gb") is
  never one, so exact product titles survive parsing.
* colours and sizes stay in ``text`` when nothing else would remain ("black").
* numbers use the buyer's decimal sign (CLDR, through babel): "19,90" is 19.90 in Spanish and
  "1,500" is 1500 in English; a lone separator that cannot be grouping is read as decimal.
* only the first 256 characters are read (the engine reads no more); the function is pure,
  never raises on a string, and its regular expressions have no nested quantifiers, so hostile
  input costs linear time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from typing import Final

from babel.core import UnknownLocaleError
from babel.numbers import get_decimal_symbol

from catalog.search import price_words as words
from catalog.search.lexicon import (
    CJK_COUNTERS,
    NUMBER_WORDS,
    SIZE_WORDS,
    cjk_colours,
    colour_of,
    size_of,
)
from catalog.search.matching import MAX_QUERY_CHARS
from catalog.search.text import CJK_CLASS, TOKEN, fold, is_cjk

MAX_PARSE_CHARS: Final = MAX_QUERY_CHARS
"""The engine reads no more of a query, so neither does the parser."""
MAX_QUANTITY: Final = 99
MAX_PRICE_DIGITS: Final = 12


@dataclass(frozen=True)
class ParsedQuery:
    """A buyer's query split into what to search for and what to filter or prefer.

    ``text`` is what remains to search for (ending in a space when its last word is complete);
    ``colours`` are canonical English names; sizes are canonical ("xl", "42");
    ``price_currency`` is an ISO 4217 code when the buyer named one.
    ``colour_words``/``size_words`` pair each colour or size word as typed (folded) with its
    canonical value, so the engine can rank the buyer's own word ("negro") above a synonym
    ("black"); they are a detail of ``colours``/``sizes`` and take no part in equality.
    ``typing_word`` is the colour or size word that ends the buyer's text with no space after
    it: the buyer may still be typing it ("emulex negro" → "Negroni"), so the engine also
    matches it as a prefix.
    """

    text: str
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    price_currency: str | None = None
    colours: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    quantity: int | None = None
    colour_words: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    size_words: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    typing_word: str = field(default="", compare=False)


def parse_query(text: str, language: str = "en") -> ParsedQuery:
    """Split a buyer's query; see the module docstring. ``language`` is the buyer's (``pt-BR``
    and ``pt_BR`` are fine): it decides the decimal sign and a few ambiguous words."""
    if not isinstance(text, str):
        return ParsedQuery("")
    text = text[:MAX_PARSE_CHARS]
    lang = _language(language)
    folded, origin = _aligned_fold(text)

    removed = bytearray(len(folded))

    def remove(start: int, end: int) -> None:
        removed[start:end] = b"\x01" * (end - start)

    def masked() -> str:
        """The folded text with removed characters blanked (same length, same positions)."""
        return "".join(" " if gone else char for char, gone in zip(folded, removed, strict=True))

    prices = _find_prices(folded, lang)
    for start, end in prices.spans:
        remove(start, end)
    quantity, end = _leading_quantity(masked())
    if quantity is not None:
        remove(0, end)
    found_colours = _colours(masked(), lang)
    colour_spans = {(start, end) for start, end, _ in found_colours}
    found_sizes = [s for s in _sizes(masked()) if (s[0], s[1]) not in colour_spans]
    spans = [(start, end) for start, end, _ in (*found_colours, *found_sizes)]
    # Colours and sizes leave the text only when other words remain to search for: "black"
    # alone is what the buyer searches for (the engine does not count it twice).
    keep_words = not _words_remain(masked(), spans)
    colour_words: dict[tuple[str, str], None] = {}
    for start, end, colour in found_colours:
        colour_words[folded[start:end], colour] = None
    size_words: dict[tuple[str, str], None] = {}
    for start, end, size in found_sizes:
        size_words[_size_word(folded[start:end]), size] = None
    if not keep_words:
        for start, end in spans:
            remove(start, end)
    colours = dict.fromkeys(colour for _, colour in colour_words)
    sizes = dict.fromkeys(size for _, size in size_words)
    typing_word = ""
    if spans and not keep_words and not text[-1].isspace():
        start, end = max(spans, key=lambda span: span[1])
        if not folded[end:].strip():
            typing_word = folded[start:end]
    return ParsedQuery(
        text=_remaining(text, removed, origin),
        min_price=prices.low,
        max_price=prices.high,
        price_currency=prices.currency,
        colours=tuple(colours),
        sizes=tuple(sizes),
        quantity=quantity,
        colour_words=tuple(colour_words),
        size_words=tuple(size_words),
        typing_word=typing_word,
    )


def _words_remain(masked: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a word is left in ``masked`` once ``spans`` are blanked."""
    chars = list(masked)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return TOKEN.search("".join(chars)) is not None


def _size_word(phrase: str) -> str:
    """The size itself out of a size phrase: "size 42" → "42", "尺码42" → "42", "xl" → "xl"."""
    found = _SIZE_VALUE.findall(phrase)
    return found[-1] if found else phrase.strip()


_SIZE_VALUE: Final = re.compile(r"[a-z0-9]+(?:[.,]5)?")


# -- folding with alignment ------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    return fold(char)


def _aligned_fold(text: str) -> tuple[str, list[int] | None]:
    """Folded text and, for each folded character, the index of the original one it came from
    (None when the two line up one to one)."""
    if text.isascii():
        return text.lower(), None
    parts: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        folded = _fold_char(char)
        parts.append(folded)
        origin.extend([i] * len(folded))
    folded = "".join(parts)
    return folded, None if len(folded) == len(text) and origin == list(range(len(text))) else origin


def _remaining(text: str, removed: bytearray, origin: list[int] | None) -> str:
    """The original text without the removed characters, whitespace collapsed."""
    if not any(removed):
        return text
    if origin is None:
        gone = [bool(flag) for flag in removed]
    else:  # an original character goes when everything it folded into went
        folds_to = [0] * len(text)
        went = [0] * len(text)
        for position, i in enumerate(origin):
            folds_to[i] += 1
            went[i] += removed[position]
        gone = []
        for i in range(len(text)):  # a mark that folded to nothing follows its letter
            gone.append(went[i] == folds_to[i] if folds_to[i] else bool(gone and gone[-1]))
    out = "".join(" " if g else char for char, g in zip(text, gone, strict=True))
    collapsed = " ".join(out.split())
    return collapsed + " " if collapsed and out[-1].isspace() else collapsed


# -- language -------------------------------------------------------------------------------


def _language(language: object) -> str:
    """Primary language subtag, lower case ("pt-BR" → "pt"); "en" when unusable."""
    if not isinstance(language, str):
        return "en"
    primary = language.replace("-", "_").split("_")[0].lower()
    return primary if primary.isascii() and primary.isalpha() and len(primary) <= 3 else "en"


@cache
def _decimal_sign(language: str) -> str:
    try:
        return get_decimal_symbol(language)
    except (UnknownLocaleError, ValueError):
        return "."


# -- prices ----------------------------------------------------------------------------------

_WORD_START: Final = rf"(?<!(?![{CJK_CLASS}])\w)"
"""Not inside a word; CJK has no spaces, so a CJK character before is fine."""
_WORD_END: Final = rf"(?!(?![{CJK_CLASS}])\w)"


def _alternatives(phrases: Iterable[str], *, glued: bool = False) -> str:
    """Regex alternation of folded phrases, longest first, whole words where they are words;
    ``glued`` ones may follow a digit directly ("50usd", "5k").

    The word-boundary lookarounds are written once per run of phrases that need the same ones,
    not once per phrase: the price pattern holds a dozen copies of the currency list, and with
    a lookaround on every phrase it grew to ~99,000 characters and took seconds to compile.
    Alternation order is kept, so which phrase wins does not change.
    """
    runs: list[tuple[tuple[bool, bool], list[str]]] = []
    for phrase in sorted({fold(p) for p in phrases}, key=lambda p: (-len(p), p)):
        pattern = r"\s+".join(re.escape(piece) for piece in phrase.split())
        starts = not glued and bool(re.match(r"\w", phrase)) and not is_cjk(phrase[0])
        ends = bool(re.search(r"\w$", phrase)) and not is_cjk(phrase[-1])
        if runs and runs[-1][0] == (starts, ends):
            runs[-1][1].append(pattern)
        else:
            runs.append(((starts, ends), [pattern]))
    parts = [
        (_WORD_START if starts else "") + "(?:" + "|".join(run) + ")" + (_WORD_END if ends else "")
        for (starts, ends), run in runs
    ]
    return "(?:" + "|".join(parts) + ")"


_NUMBER: Final = r"\d+(?:[.,'\u066b\u066c]\d+)*"
_CURRENCY: Final = _alternatives([*words.CURRENCIES, "¥"])
_CURRENCY_AFTER: Final = _alternatives([*words.CURRENCIES, "¥"], glued=True)
_MULTIPLIER: Final = _alternatives(words.MULTIPLIERS, glued=True)


_NOT_GLUED: Final = rf"(?<!(?![{CJK_CLASS}])\w)"
"""A number glued to letters ("m1", "rz01", "i7") is part of a name, never a price."""
_NOT_IN_CODE: Final = r"(?<![^\W_][-‐‑–/.])"
"""Nor is a number after a joiner inside a code ("rz01-0036", "i7-12700")."""
_CODE_END: Final = rf"(?![-‐‑–/.]?(?![{CJK_CLASS}])[^\W_])"
"""A price phrase must not run on into a code ("under 50-pack", "50-100x")."""
_MEASURE: Final = _alternatives(words.MEASURES)


def _amount(tag: str, *, joined: bool = False) -> str:
    """A number with an optional currency before or after it and an optional "k"; not part of
    a code, not followed by a unit of measure ("up to 64 gb"). A ``joined`` amount is the far
    end of a range, after its joiner ("50-100"), so a dash may precede it."""
    start = _NOT_GLUED if joined else _NOT_GLUED + _NOT_IN_CODE
    return (
        rf"(?:(?P<cb{tag}>{_CURRENCY})\s?|{start})(?<![\d.,])(?P<n{tag}>{_NUMBER})"
        rf"(?:\s?(?P<k{tag}>{_MULTIPLIER}))?(?:\s?(?P<ca{tag}>{_CURRENCY_AFTER}))?"
        rf"(?!\s?%){_WORD_END}(?!\s*{_MEASURE})"
    )


@cache
def _price_pattern() -> re.Pattern[str]:
    """Compiled on first use, not at import: it is large, and most commands never parse a query."""
    return re.compile(_price_source())


def _price_source() -> str:
    return (
        # Every price has a digit close by: checking that first skips most positions cheaply.
        r"(?=\D{0,64}\d)"
        rf"(?:{_alternatives(words.PRICE_FILLERS)}\s*){{0,2}}(?:"
        # between 50 and 100, от 50 до 100, 在50到100之间
        rf"{_alternatives(words.RANGE_OPENERS)}\s*{_amount('a')}\s*"
        rf"{_alternatives(words.RANGE_JOINERS)}\s*{_amount('b', joined=True)}"
        rf"(?:\s*{_alternatives(words.RANGE_CLOSERS)})?"
        # under 50, до 50, 低于50
        rf"|(?P<before>{_alternatives(words.PRICE_BEFORE)})[.:]?\s*{_amount('c')}"
        # 50-100, 50 to 100, 50到100
        rf"|(?P<bare>{_amount('d')})\s*(?:-|–|—|~|～|\.\.|到|至|to{_WORD_END})\s*"
        rf"{_amount('e', joined=True)}"
        rf"(?:\s*{_alternatives(words.RANGE_CLOSERS)})?"
        # 50元以下, 50 or less, 100 и выше
        rf"|{_amount('f')}\s*(?P<after>{_alternatives(words.PRICE_AFTER)})"
        f"){_CODE_END}"
    )


@cache
def _size_word_before() -> re.Pattern[str]:
    return re.compile(rf"{_alternatives(SIZE_WORDS)}\s*$")


@dataclass(frozen=True, slots=True)
class _Prices:
    spans: list[tuple[int, int]]
    low: Decimal | None = None
    high: Decimal | None = None
    currency: str | None = None


def _find_prices(folded: str, language: str) -> _Prices:
    spans: list[tuple[int, int]] = []
    lows: list[Decimal] = []
    highs: list[Decimal] = []
    currencies: list[str] = []
    for match in _price_pattern().finditer(folded):
        found = _read_price(match, language)
        if found is None:
            continue
        if match.group("bare") and _size_word_before().search(folded, 0, match.start()):
            continue  # "size 38-40" is a size range
        low, high, currency = found
        if low is not None:
            lows.append(low)
        if high is not None:
            highs.append(high)
        if currency:
            currencies.append(currency)
        spans.append(match.span())
    low = max(lows) if lows else None
    high = min(highs) if highs else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return _Prices(spans, low, high, currencies[0] if currencies else None)


def _read_price(
    match: re.Match[str], language: str
) -> tuple[Decimal | None, Decimal | None, str | None] | None:
    """(low, high, currency) of one price phrase, or None when its numbers make no sense."""
    tags = [tag for tag in "abcdef" if match.group("n" + tag) is not None]
    found = [_value(match, tag, language) for tag in tags]
    values = [value for value in found if value is not None]
    if len(values) < len(found):
        return None
    currency = next(filter(None, (_currency_of(match, tag, language) for tag in tags)), None)
    if len(values) == 2:
        low, high = sorted(values)
        return low, high, currency
    (value,) = values
    direction = (
        words.PRICE_BEFORE.get(" ".join(match.group("before").split()))
        if match.group("before")
        else words.PRICE_AFTER.get(" ".join(match.group("after").split()))
    )
    if direction == words.LOWER:
        return value, None, currency
    return None, value, currency


def _value(match: re.Match[str], tag: str, language: str) -> Decimal | None:
    number = _number(match.group("n" + tag), _decimal_sign(language))
    multiplier = match.group("k" + tag)
    if number is not None and multiplier:
        number *= words.MULTIPLIERS[multiplier]
    return number


def _currency_of(match: re.Match[str], tag: str, language: str) -> str | None:
    token = match.group("cb" + tag) or match.group("ca" + tag)
    if not token:
        return None
    if token == "¥":
        return "JPY" if language == "ja" else "CNY"
    return words.CURRENCIES.get(token)


def _number(text: str, decimal_sign: str) -> Decimal | None:
    """A price as typed: "1,500" (en) is 1500, "19,90" (es) is 19.90, "1.234,5" is 1234.5.

    With two kinds of separator the last one is the decimal sign. One kind used once is decimal
    when it is the buyer's decimal sign, or when fewer or more than three digits follow (it
    cannot be grouping); used several times it groups thousands."""
    text = text.replace("\u066b", decimal_sign if decimal_sign != "\u066b" else ".")
    if decimal_sign == "\u066b":
        decimal_sign = "."
    separators = [c for c in text if not c.isdigit()]
    integer, fraction = text, ""
    if separators:
        last = separators[-1]
        cut = text.rindex(last)
        tail = text[cut + 1 :]
        is_decimal = len(set(separators)) > 1 or (
            separators.count(last) == 1 and (last == decimal_sign or len(tail) != 3)
        )
        if last in "'\u066c":
            is_decimal = False
        if is_decimal:
            integer, fraction = text[:cut], tail
        integer = "".join(c for c in integer if c.isdigit())
    if not integer or len(integer) > MAX_PRICE_DIGITS:
        return None
    return Decimal(f"{integer}.{fraction}" if fraction else integer)


# -- quantity --------------------------------------------------------------------------------


@cache
def _quantity_pattern() -> re.Pattern[str]:
    """Compiled on first use (a fifth of a second): the number words of eight languages."""
    return re.compile(
        r"\s*(?:"
        rf"(?P<digits>\d{{1,2}})(?:\s*(?P<counter>[{CJK_COUNTERS}])|\s*{_alternatives(words.PIECES)}"
        r"|(?=\s))"
        rf"|(?P<word>{_alternatives(w for w in NUMBER_WORDS if not is_cjk(w))})"
        rf"(?:\s*{_alternatives(words.PIECES)}|(?=\s))"
        rf"|(?P<cjk>[{''.join(w for w in NUMBER_WORDS if is_cjk(w))}一])\s*[{CJK_COUNTERS}]"
        r")"
    )


_CJK_ONE: Final = "一"


def _leading_quantity(masked: str) -> tuple[int | None, int]:
    """A quantity the query starts with ("2 red mugs", "два кружки", "两个杯子") and where it
    ends; (None, 0) when there is none or the number measures something ("20 inch monitor")."""
    match = _quantity_pattern().match(masked)
    if match is None:
        return None, 0
    following = TOKEN.search(masked, match.end())
    if following is None:
        return None, 0  # "2" alone is what the buyer searches for
    if match.group("digits") and not match.group("counter"):
        gap = masked[match.end() : following.start()]
        if gap.strip() or following.group() in words.UNITS or following.group() in words.CURRENCIES:
            return None, 0
    if match.group("word") and following.group() in words.UNITS:
        return None, 0
    if match.group("digits"):
        count = int(match.group("digits"))
    elif match.group("cjk"):
        count = 1 if match.group("cjk") == _CJK_ONE else NUMBER_WORDS[match.group("cjk")]
    else:
        count = NUMBER_WORDS[" ".join(match.group("word").split())]
    if not 1 <= count <= MAX_QUANTITY:
        return None, 0
    return count, match.end()


# -- colours and sizes -----------------------------------------------------------------------


def _colours(masked: str, language: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical colour) of every colour word: whole words outside CJK, any
    known colour inside an unspaced CJK run."""
    found = []
    for token in TOKEN.finditer(masked):
        word = token.group()
        if is_cjk(word):
            for match in cjk_colours(word):
                colour = colour_of(match.group())
                if colour is not None:
                    found.append(
                        (token.start() + match.start(), token.start() + match.end(), colour)
                    )
            continue
        colour = colour_of(word, language)
        if colour is not None:
            found.append((token.start(), token.end(), colour))
    return found


_CJK_SIZE: Final = re.compile(
    r"(?:尺码|尺寸|サイズ)\s*(\d{2}(?:\.5)?|[a-z0-9]{1,4})|(\d{2}(?:\.5)?)\s*[码號号]"
)


def _sizes(masked: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical size): "xl", or a number or letter after a size word ("size 42",
    "talla m", "尺码42", "42码")."""
    found = []
    tokens = list(TOKEN.finditer(masked))
    skip = -1
    for i, token in enumerate(tokens):
        if i == skip:
            continue
        word = token.group()
        if word in SIZE_WORDS and i + 1 < len(tokens):
            size = size_of(tokens[i + 1].group(), after_size_word=True)
            if size is not None:
                found.append((token.start(), tokens[i + 1].end(), size))
                skip = i + 1
                continue
        size = size_of(word)
        if size is not None:
            found.append((token.start(), token.end(), size))
    for match in _CJK_SIZE.finditer(masked):
        raw = match.group(1) or match.group(2)
        size = size_of(raw, after_size_word=True)
        if size is not None and not any(s < match.end() and match.start() < e for s, e, _ in found):
            found.append((match.start(), match.end(), size))
    return found
