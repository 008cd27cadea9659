"""A country from what a buyer types: a code, or a name in any shipped language, with typos.

Names come from CLDR through babel (`Locale(...).territories`), so "Deutschland", "Германия",
"德国", "ألمانيا" and "germny" all read DE. When several countries fit ("Korea", "Congo") the
caller gets them all and asks with buttons instead of guessing.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale, UnknownLocaleError
from rapidfuzz import fuzz, process

from orders.errors import AmbiguousCountry, UnknownCountry
from orders.inputs import clean_text

SHIPPED_LANGUAGES: tuple[str, ...] = ("en", "zh_Hans", "es", "ru", "de", "fr", "pt_BR", "ar")

# CLDR territories that are not ISO 3166-1 countries one can ship to (unions, pseudo-locales,
# reserved codes); XK (Kosovo) stays, as the postal and phone systems treat it as a country.
_NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "CP", "DG", "EA", "IC", "CQ", "AC", "TA"}
)

# Names people type that CLDR does not list.
_ALIASES: dict[str, str] = {
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "america": "US",
    "united states of america": "US",
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "uae": "AE",
    "emirates": "AE",
    "holland": "NL",
    "the netherlands": "NL",
    "russian federation": "RU",
    "рф": "RU",
    "сша": "US",
    "америка": "US",
    "англия": "GB",
    "великобритания": "GB",
    "eeuu": "US",
    "ee.uu.": "US",
    "eua": "US",
    "brasil": "BR",
    "deutschland": "DE",
    "españa": "ES",
    "中國": "CN",
    "美國": "US",
    "英國": "GB",
    "德國": "DE",
    "canary islands": "ES",
    "islas canarias": "ES",
    "ivory coast": "CI",
    "czech republic": "CZ",
    "south korea": "KR",
    "north korea": "KP",
    "الامارات": "AE",
    "الإمارات": "AE",
    "السعودية": "SA",
    "امريكا": "US",
    "أمريكا": "US",
}

_EXACT_FUZZ = 90  # a single country scoring this high (and clearly ahead) is taken
_CANDIDATE_FUZZ = 78  # below this a name is not offered at all
_CLEAR_LEAD = 6


def _key(text: str) -> str:
    """Case, accents and harakat folded, so "españa", "Espana" and "ESPAÑA" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return " ".join(stripped.replace("&", " and ").replace("-", " ").split())


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of the countries the shop can deliver to."""
    territories = Locale("en").territories
    return (
        frozenset(
            code
            for code in territories
            if isinstance(code, str) and len(code) == 2 and code.isalpha()
        )
        - _NOT_COUNTRIES
    )


@cache
def _index() -> tuple[dict[str, frozenset[str]], list[str], list[str]]:
    """Name key → codes, plus the parallel (key, code) lists rapidfuzz scans."""
    by_key: dict[str, set[str]] = {}
    codes = country_codes()
    for language in SHIPPED_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in codes:
                by_key.setdefault(_key(name), set()).add(code)
    for alias, code in _ALIASES.items():
        by_key.setdefault(_key(alias), set()).add(code)
    keys = list(by_key)
    exact = {key: frozenset(value) for key, value in by_key.items()}
    flat_keys = [key for key in keys for _ in exact[key]]
    flat_codes = [code for key in keys for code in sorted(exact[key])]
    return exact, flat_keys, flat_codes


def resolve_country(text: str) -> str:
    """The ISO alpha-2 code for `text`.

    Raises `UnknownCountry` when nothing fits and `AmbiguousCountry` (with the candidate codes,
    best first) when more than one country does.
    """
    flag = _from_flag(text)
    if flag is not None:
        return flag
    cleaned = clean_text(text, maximum=100)
    if len(cleaned) == 2 and cleaned.isascii() and cleaned.upper() in country_codes():
        return cleaned.upper()
    key = _key(cleaned)
    exact, keys, codes = _index()
    found = exact.get(key)
    if found and len(found) == 1:
        return next(iter(found))
    scores: dict[str, float] = {}
    for _name, score, position in process.extract(
        key, keys, scorer=fuzz.ratio, score_cutoff=_CANDIDATE_FUZZ, limit=20
    ):
        code = codes[position]
        scores[code] = max(scores.get(code, 0.0), score)
    words = set(key.split())
    if len(key) >= 4:
        # "korea" is a whole word of "south korea" and of "north korea": both are candidates.
        for position, name in enumerate(keys):
            if words <= set(name.split()):
                code = codes[position]
                scores[code] = max(scores.get(code, 0.0), float(_CANDIDATE_FUZZ + 1))
    if not scores:
        raise UnknownCountry()
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best_code, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= _EXACT_FUZZ and best - runner_up >= _CLEAR_LEAD:
        return best_code
    raise AmbiguousCountry(tuple(code for code, _score in ranked[:6]))


def _from_flag(text: str) -> str | None:
    """🇩🇪 is two regional indicator symbols spelling "DE": a country a buyer can tap."""
    if not isinstance(text, str):
        return None
    letters = [ord(char) - 0x1F1E6 for char in text.strip()]
    if len(letters) == 2 and all(0 <= letter < 26 for letter in letters):
        code = "".join(chr(ord("A") + letter) for letter in letters)
        if code in country_codes():
            return code
    return None


def country_name(code: str, locale: str) -> str:
    """The country's name in the buyer's language, for buttons and summaries."""
    try:
        territories = Locale.parse(locale).territories
    except (ValueError, UnknownLocaleError):
        territories = Locale("en").territories
    name: str = territories.get(code, code)
    return name
