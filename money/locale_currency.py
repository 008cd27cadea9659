"""The buyer's currency: guessed from their Telegram language, or found from what they type.

Everything comes from CLDR through babel: which country a language most likely means (likely
subtags: `ar` → `ar_Arab_EG`), which currency a country uses today (territory currencies), and
what currencies are called and how they are written in each language. No hand-kept table of
countries, so a new CLDR in babel updates all of it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_symbol, get_territory_currencies
from rapidfuzz import fuzz, process

from money.currency import UnknownCurrency, normalise_code

# Languages spoken in so many countries that the language alone names none: `en` without a
# region gets the shop's configured default rather than CLDR's likely US dollar.
LANGUAGES_WITHOUT_A_COUNTRY = frozenset({"en"})

# A bare language code that means one country to Telegram, where CLDR's likely subtags point at
# another: Telegram's Brazilian Portuguese is always "pt-br", so a bare "pt" is Portugal's.
LANGUAGE_TERRITORY: dict[str, str] = {"pt": "PT"}

# The currency offered instead of one the bot has no rate for: the euro in Europe, the
# configured default (usually the US dollar) elsewhere.

# The locales whose currency names and symbols are searched besides the buyer's own and each
# currency's home locale: the languages the shop ships (mirrors i18n.SHIPPED_LOCALES; money/
# imports nothing of ours but babel).
SEARCH_LOCALES: tuple[str, ...] = ("en", "zh_Hans", "es", "ru", "de", "fr", "pt_BR", "ar")

# Tie-breaker when several currencies match equally ("dollar", "$"): roughly the BIS survey's
# ranking by foreign-exchange turnover, i.e. how likely a buyer means it.
POPULAR: tuple[str, ...] = (
    "USD", "EUR", "JPY", "GBP", "CNY", "AUD", "CAD", "CHF", "HKD", "SGD", "SEK", "KRW", "NOK",
    "NZD", "INR", "MXN", "TWD", "ZAR", "BRL", "DKK", "PLN", "THB", "ILS", "IDR", "CZK", "AED",
    "TRY", "HUF", "CLP", "SAR", "PHP", "MYR", "COP", "RUB", "RON", "EGP", "ARS", "UAH", "KZT",
)  # fmt: skip

MAX_QUERY_LENGTH = 64
NAME_CUTOFF = 80.0  # rapidfuzz ratio; below it "yen" ≠ "jen"
PREFIX_SCORE = 90.0  # "руб" for "рубль", "dol" for "dollar"
MIN_PREFIX = 3


class CurrencyNotFound(LookupError):
    """Nothing the buyer typed names a currency we know; `query` is what they typed."""

    def __init__(self, query: str) -> None:
        super().__init__(f"no currency matches {query!r}")
        self.query = query


def _today() -> date:
    return datetime.now(UTC).date()


def _parse_locale(language_code: str) -> Locale | None:
    """`zh-hans`, `pt-br`, `de_CH` → babel Locale; None when babel does not know the language."""
    try:
        return Locale.parse(language_code.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


_REGION = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?[-_]([A-Za-z]{2})$")


def territory_of(language_code: str | None) -> str | None:
    """The country a Telegram `language_code` points at, or None when it names none.

    The region if one is given (`pt-br` → BR, even for a language babel lacks: `xx-BR` → BR);
    otherwise CLDR's likely subtags for the language and script (`zh-hans` → CN, `zh-hant` → TW,
    `ar` → EG, `ja` → JP), except for the languages in `LANGUAGES_WITHOUT_A_COUNTRY`.
    """
    if not language_code or not isinstance(language_code, str):
        return None
    locale = _parse_locale(language_code)
    if locale is None:
        match = _REGION.match(language_code.strip())
        return match.group(1).upper() if match else None
    if locale.territory:
        # A UN M.49 region ("es-419", Latin America) names no single country.
        return locale.territory if locale.territory.isalpha() else None
    if locale.language in LANGUAGES_WITHOUT_A_COUNTRY:
        return None
    if not locale.script and locale.language in LANGUAGE_TERRITORY:
        return LANGUAGE_TERRITORY[locale.language]
    likely: Mapping[str, str] = get_global("likely_subtags")
    keys = [f"{locale.language}_{locale.script}"] if locale.script else []
    keys.append(locale.language)
    if locale.script:
        keys.append(f"und_{locale.script}")
    for key in keys:
        if key in likely:
            territory = _parse_locale(likely[key])
            if territory is not None and territory.territory:
                return territory.territory
    return None


def currency_of_territory(territory: str, on: date | None = None) -> str | None:
    """The legal tender a country uses on `on` (today), the first CLDR lists if several."""
    for code in get_territory_currencies(territory, start_date=on or _today(), tender=True):
        try:
            return normalise_code(code)
        except UnknownCurrency:
            continue
    return None


def guess_currency(language_code: str | None, default: str, *, on: date | None = None) -> str:
    """The currency a buyer most likely pays in, from Telegram's `language_code`.

    `pt-br` → BRL, `zh-hans` → CNY (zh → CN), `ja` → JPY, `ar` → EGP (CLDR's likely country for
    Arabic is Egypt), `en` alone or anything unrecognised → `default`. The buyer can always
    change it with /currency; this only has to be a good first guess.
    """
    fallback = normalise_code(default)
    territory = territory_of(language_code)
    if territory is None:
        return fallback
    return currency_of_territory(territory, on) or fallback


@cache
def _european_territories() -> frozenset[str]:
    """Countries with a time zone in Europe (CLDR's zones; babel ships no region containment)."""
    zones: Mapping[str, list[str]] = get_global("territory_zones")
    return frozenset(
        territory
        for territory, names in zones.items()
        if any(name.startswith("Europe/") for name in names)
    )


def nearest_currency(territory: str | None, available: Collection[str], default: str) -> str:
    """What to show a buyer whose own currency has no rate: EUR in Europe, else `default`."""
    fallback = normalise_code(default)
    candidates = ["EUR", fallback] if territory in _european_territories() else [fallback, "EUR"]
    candidates += ["USD", *sorted(available)]
    return next(code for code in candidates if code in available)


def default_currency(
    language_code: str | None, default: str, available: Collection[str], *, on: date | None = None
) -> str:
    """The currency a new buyer's prices are shown in: one in `available` (has a rate).

    The currency of the buyer's country (`guess_currency`) when the bot can convert to it, else
    the nearest it can (`nearest_currency`): prices are never claimed in a currency not shown.
    """
    wanted = guess_currency(language_code, default, on=on)
    if wanted in available:
        return wanted
    return nearest_currency(territory_of(language_code), available, default)


# --- finding a currency from what the buyer types ---------------------------------------------


def _fold(text: str) -> str:
    """Case, width and accents folded: "Réal", "réal" and "real" meet; "￥" becomes "¥"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\W_]+", _fold(text)) if word]


@cache
def current_currencies(on: date | None = None) -> frozenset[str]:
    """Every currency that is legal tender somewhere today (no Deutsche Mark, no gold)."""
    found: set[str] = set()
    for territory in get_global("territory_currencies"):
        for code in get_territory_currencies(territory, start_date=on or _today(), tender=True):
            try:
                found.add(normalise_code(code))
            except UnknownCurrency:
                continue
    return frozenset(found)


@cache
def _home_locales(on: date | None = None) -> dict[str, tuple[str, ...]]:
    """For each current currency, the official languages of the countries that use it."""
    languages: Mapping[str, Mapping[str, Mapping[str, object]]] = get_global("territory_languages")
    homes: dict[str, set[str]] = {}
    for territory in get_global("territory_currencies"):
        code = currency_of_territory(territory, on)
        if not code:
            continue
        spoken = languages.get(territory, {})
        official = [
            lang for lang, info in spoken.items() if info.get("official_status") == "official"
        ]
        for language in official:
            for identifier in (f"{language}_{territory}", language):
                if _parse_locale(identifier) is not None:
                    homes.setdefault(code, set()).add(identifier)
                    break
    return {code: tuple(sorted(ids)) for code, ids in homes.items()}


@lru_cache(maxsize=16)
def _search_index(extra_locale: str) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(folded name or name word → codes, folded symbol → codes) over the searched locales."""
    names: dict[str, set[str]] = {}
    symbols: dict[str, set[str]] = {}
    homes = _home_locales()
    for code in current_currencies():
        identifiers = {*SEARCH_LOCALES, *homes.get(code, ()), extra_locale}
        for identifier in identifiers:
            locale = _parse_locale(identifier)
            if locale is None:
                continue
            spellings = {locale.currencies.get(code, code)}
            spellings.update(get_currency_name(code, count, locale) for count in (1, 2, 5))
            for spelling in spellings:
                words = _words(spelling)
                if not words or spelling == code:
                    continue
                names.setdefault(" ".join(words), set()).add(code)
                for word in words:
                    if len(word) >= MIN_PREFIX:
                        names.setdefault(word, set()).add(code)
            symbol = _fold(get_currency_symbol(code, locale)).strip()
            if symbol and symbol != code.casefold():
                symbols.setdefault(symbol, set()).add(code)
    return (
        {key: frozenset(codes) for key, codes in names.items()},
        {key: frozenset(codes) for key, codes in symbols.items()},
    )


@lru_cache(maxsize=16)
def _sorted_names(extra_locale: str) -> tuple[str, ...]:
    """The index's names in order: the fuzzy scan's choices, and bisectable for prefixes."""
    return tuple(sorted(_search_index(extra_locale)[0]))


def _rank(codes: dict[str, float], locale: Locale, query: str) -> list[str]:
    own = currency_of_territory(territory_of(str(locale)) or "")
    folded = _fold(query).strip()
    homes = _home_locales()

    def key(code: str) -> tuple[float, bool, bool, bool, int, str]:
        local_symbol = _fold(get_currency_symbol(code, locale)).strip()
        spoken_at_home = any(
            identifier.split("_")[0] == locale.language for identifier in homes.get(code, ())
        )
        popularity = POPULAR.index(code) if code in POPULAR else len(POPULAR)
        return (
            -codes[code],
            code != own,
            local_symbol != folded,
            not spoken_at_home,
            popularity,
            code,
        )

    return sorted(codes, key=key)


def find_currency(text: str, locale: str | Locale, *, limit: int = 5) -> list[str]:
    """Currencies the buyer may mean by `text`, best first; never empty (`CurrencyNotFound`).

    Matches the ISO code of a current currency ("jpy", not "DEM"), a symbol as any searched
    locale writes it ("¥" → JPY and CNY, the buyer's own ranked first: CNY for zh, JPY for en),
    and names fuzzily in the buyer's language, English, the shipped languages and the
    currency's home languages ("yen", "Japanese yen", "юань", "real brasileño", "dolar").
    Ties go to the buyer's own currency, then the one their locale writes with that symbol,
    then one of a country that speaks the buyer's language ("ريال" in Arabic: SAR before BRL),
    then the more traded one.
    """
    loc = locale if isinstance(locale, Locale) else _parse_locale(locale) or Locale("en")
    query = (text or "").strip()
    if not query or len(query) > MAX_QUERY_LENGTH:
        raise CurrencyNotFound(text)
    current = current_currencies()
    if query.upper() in current:  # an ISO code
        return [query.upper()]
    names, symbols = _search_index(str(loc))
    scores: dict[str, float] = {}

    def hit(found: Iterable[str], score: float) -> None:
        for code in found:
            if code in current and score > scores.get(code, 0.0):
                scores[code] = score

    folded_symbol = _fold(query).strip()
    hit(symbols.get(folded_symbol, ()), 100.0)
    phrase = " ".join(_words(query))
    if phrase:
        ordered = _sorted_names(str(loc))
        for name, score, _ in process.extract(
            phrase, ordered, scorer=fuzz.ratio, score_cutoff=NAME_CUTOFF, limit=None
        ):
            hit(names[name], score)
        if len(phrase) >= MIN_PREFIX:
            index = bisect_left(ordered, phrase)
            while index < len(ordered) and ordered[index].startswith(phrase):
                hit(names[ordered[index]], PREFIX_SCORE)
                index += 1
    if not scores:
        raise CurrencyNotFound(text)
    return _rank(scores, loc, query)[:limit]


def likely_currencies(
    locale: str | Locale,
    merchant_currencies: Iterable[str],
    *,
    current: str | None = None,
    available: Collection[str] | None = None,
    limit: int = 6,
) -> list[str]:
    """The currencies worth a button in /currency, most likely first, without repeats.

    The buyer's current choice, their locale's country's currency, the merchants' currencies,
    then USD and EUR. `available` (e.g. the currencies with an exchange rate) filters the list.
    """
    loc = locale if isinstance(locale, Locale) else _parse_locale(locale)
    candidates: list[str | None] = [current]
    if loc is not None:
        candidates.append(currency_of_territory(territory_of(str(loc)) or ""))
    candidates.extend(merchant_currencies)
    candidates.extend(("USD", "EUR"))
    result: list[str] = []
    for candidate in candidates:
        if not candidate:
            continue
        try:
            code = normalise_code(candidate)
        except UnknownCurrency:
            continue
        if code in result or (available is not None and code not in available):
            continue
        result.append(code)
    return result[:limit]
