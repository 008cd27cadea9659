"""Shipping rules as the merchant sets them: in the shop's chat, on the command line, in a CSV.

One line says a zone: countries (ISO codes, `*` for the rest of the world), a price in the
shop's currency, and optionally free delivery from an order value, delivery days and item-count
or weight tiers. The chat and the CLI read the same words:

    DE,FR,AT 4.90 free 60 days 3-5
    --to DE,FR,AT --price 4.90 --free-from 60 --days 3-5 --items 3:6.90
    DE,FR,AT 2kg:4.90 5kg:9.90 free 60
    --to DE,FR,AT --tier 2kg=4.90 --tier 5kg=9.90

(`items 3:6.90 6:9.90`: from 3 items 6.90, from 6 items 9.90. `2kg:4.90 5kg:9.90`: up to 2 kg
4.90, up to 5 kg 9.90, heavier orders not delivered to the zone; weights in kg, g, lb or oz.
Weight tiers are the zone's whole price list, so they take no separate price and no item tiers.)

Input is checked whole before anything is stored (`ShippingRefused` names the problem and what
was typed, for the view to word in the shop's language). A file replaces every rule of the
shop, or, with any bad line, changes nothing. A shop without any rule cannot sell:
`orders.shipping.has_rules` is what the cart, checkout, CLI and chat check.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from merchants.commands import CommandRefused, parse_price
from money import Money
from orders.countries import country_codes
from orders.shipping import (
    ANY_COUNTRY,
    MAX_DAYS,
    MAX_GRAMS,
    MAX_TIERS,
    Terms,
    Tier,
    WeightTier,
    Zone,
    merchant_rules,
    remove_rules,
    set_zone,
    zones,
)

CSV_HEADER: Final = (
    "countries", "price", "free_from", "min_days", "max_days", "item_tiers", "weight_tiers",
)  # fmt: skip
MAX_CSV_ROWS: Final = 300
MAX_ITEMS_TIER: Final = 1000
_DAYS = re.compile(r"^(\d{1,3})(?:\s*[-–‐]\s*(\d{1,3}))?$")
_TIER = re.compile(r"^(\d{1,4})\+?:(.+)$")
_WEIGHT_TIER = re.compile(r"^(\d{1,5}(?:[.,]\d{1,3})?)(kg|g|lbs?|oz):(.+)$", re.IGNORECASE)
# "2 kg = 4.90", "2kg=4.90" (the CLI's --tier) and "2kg: 4.90" all become "2kg:4.90".
_WEIGHT_SPELLINGS = re.compile(r"(\d)\s*(kg|g|lbs?|oz)\s*[=:]\s*", re.IGNORECASE)
_GRAMS_PER: Final = {
    "kg": Decimal(1000),
    "g": Decimal(1),
    "lb": Decimal("453.59237"),
    "lbs": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}
_COUNTRY_LIST = re.compile(r"^(?:[A-Za-z]{2}|\*)(?:[,;](?:[A-Za-z]{2}|\*))*,?$")
_FREE_WORDS: Final = frozenset({"free", "free-from", "freefrom", "free_from"})
_TIER_WORDS: Final = frozenset({"items", "item", "tier", "tiers", "weight"})
ALL: Final = "all"


class Problem(StrEnum):
    NO_COUNTRIES = "no_countries"
    BAD_COUNTRY = "bad_country"
    NO_PRICE = "no_price"
    BAD_PRICE = "bad_price"
    BAD_DAYS = "bad_days"
    BAD_TIER = "bad_tier"
    BAD_WEIGHT_TIER = "bad_weight_tier"
    MIXED_TIERS = "mixed_tiers"  # weight tiers with a separate price or with item tiers
    UNKNOWN_WORD = "unknown_word"
    NOT_SET = "not_set"  # removing a country that has no rule


class ShippingRefused(ValueError):
    """The merchant's shipping input cannot be applied; `value` is what they typed."""

    def __init__(self, problem: Problem, value: str = "") -> None:
        super().__init__(f"{problem.value}: {value!r}")
        self.problem, self.value = problem, value


@dataclass(frozen=True, slots=True)
class ZoneInput:
    countries: tuple[str, ...]
    terms: Terms


class ShippingFileError(ValueError):
    """A shipping CSV with bad lines: (line number, problem) each; nothing was changed."""

    def __init__(self, problems: tuple[tuple[int, ShippingRefused], ...]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return "; ".join(f"line {line}: {error}" for line, error in self.problems)


# --- reading what the merchant typed ------------------------------------------------------------


def parse_countries(text: str) -> tuple[str, ...]:
    """ "de, fr,AT" → ("DE", "FR", "AT"); `*` is the rest of the world; unknown codes refused."""
    codes: list[str] = []
    known = country_codes()
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        code = part.upper()
        if code != ANY_COUNTRY and code not in known:
            raise ShippingRefused(Problem.BAD_COUNTRY, part)
        codes.append(code)
    if not codes:
        raise ShippingRefused(Problem.NO_COUNTRIES, text)
    return tuple(dict.fromkeys(codes))


def parse_days(text: str) -> tuple[int, int]:
    """ "3-5" → (3, 5); "2" → (2, 2); more than a year, or a range backwards, is refused."""
    found = _DAYS.match(text.strip())
    if found is None:
        raise ShippingRefused(Problem.BAD_DAYS, text)
    low = int(found.group(1))
    high = int(found.group(2)) if found.group(2) is not None else low
    if not 0 <= low <= high <= MAX_DAYS:
        raise ShippingRefused(Problem.BAD_DAYS, text)
    return low, high


def _amount(text: str, currency: str, locale: str) -> Money:
    try:
        return parse_price(text, currency, locale)
    except CommandRefused:
        raise ShippingRefused(Problem.BAD_PRICE, text) from None


def parse_tier(text: str, currency: str, locale: str) -> Tier:
    """ "3:6.90" → from 3 items, 6.90 (2 to 1000 items)."""
    found = _TIER.match(text.strip())
    if found is None or not 2 <= int(found.group(1)) <= MAX_ITEMS_TIER:
        raise ShippingRefused(Problem.BAD_TIER, text)
    try:
        price = parse_price(found.group(2), currency, locale)
    except CommandRefused:
        raise ShippingRefused(Problem.BAD_TIER, text) from None
    return Tier(int(found.group(1)), price.to_minor())


def parse_weight_tier(text: str, currency: str, locale: str) -> WeightTier:
    """ "2kg:4.90" → up to 2000 g, 4.90; also g, lb and oz, and a decimal comma ("1,5kg")."""
    found = _WEIGHT_TIER.match(text.strip())
    if found is None:
        raise ShippingRefused(Problem.BAD_WEIGHT_TIER, text)
    number = Decimal(found.group(1).replace(",", "."))
    grams = int((number * _GRAMS_PER[found.group(2).lower()]).to_integral_value(ROUND_HALF_UP))
    if not 0 < grams <= MAX_GRAMS:
        raise ShippingRefused(Problem.BAD_WEIGHT_TIER, text)
    try:
        price = parse_price(found.group(3), currency, locale)
    except CommandRefused:
        raise ShippingRefused(Problem.BAD_WEIGHT_TIER, text) from None
    return WeightTier(grams, price.to_minor())


def weight_words(grams: int) -> str:
    """2000 → "2kg", 1500 → "1.5kg", 750 → "750g": what `parse_weight_tier` reads back."""
    if grams < 1000:
        return f"{grams}g"
    return format(Decimal(grams) / 1000, "f").rstrip("0").rstrip(".") + "kg"


def _terms(
    price: Money | None,
    free_from: Money | None,
    days: tuple[int, int] | None,
    tiers: list[Tier],
    typed_tiers: str,
    weights: Sequence[WeightTier] = (),
) -> Terms:
    if len(tiers) > MAX_TIERS or len({tier.min_items for tier in tiers}) != len(tiers):
        raise ShippingRefused(Problem.BAD_TIER, typed_tiers)
    if weights and (price is not None or tiers):
        raise ShippingRefused(Problem.MIXED_TIERS, typed_tiers)
    if len(weights) > MAX_TIERS or len({tier.max_grams for tier in weights}) != len(weights):
        raise ShippingRefused(Problem.BAD_WEIGHT_TIER, typed_tiers)
    if price is None and not weights:
        raise ShippingRefused(Problem.NO_PRICE, typed_tiers)
    weight_tiers = tuple(sorted(weights))
    return Terms(
        price.to_minor() if price is not None else weight_tiers[0].rate_minor,
        free_from.to_minor() if free_from is not None else None,
        days[0] if days else None,
        days[1] if days else None,
        tuple(sorted(tiers)),
        weight_tiers,
    )


def parse_zone(text: str, *, currency: str, locale: str = "en") -> ZoneInput:
    """A zone in one line, the chat's words or the CLI's flags (see the module's docstring)."""
    tokens = _WEIGHT_SPELLINGS.sub(r"\1\2:", text).replace("=", " ").split()
    countries: list[str] = []
    price: Money | None = None
    free_from: Money | None = None
    days: tuple[int, int] | None = None
    tiers: list[Tier] = []
    weights: list[WeightTier] = []
    index = 0

    def argument(name: str) -> str:
        if index + 1 >= len(tokens):
            missing = Problem.NO_PRICE if name == "price" else Problem.UNKNOWN_WORD
            raise ShippingRefused(missing, tokens[index])
        return tokens[index + 1]

    while index < len(tokens):
        token = tokens[index]
        word = token.lstrip("-").lower()
        if word == "to":
            countries += parse_countries(argument("to"))
            index += 2
        elif word == "price":
            price = _amount(argument("price"), currency, locale)
            index += 2
        elif word in _FREE_WORDS:
            if index + 1 < len(tokens) and tokens[index + 1].lower() == "from":
                index += 1
            free_from = _amount(argument("free"), currency, locale)
            index += 2
        elif word in ("days", "day"):
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            if days is None and _DAYS.match(following):
                days = parse_days(following)
                index += 2
            elif days is not None:  # "3-5 days"
                index += 1
            else:
                raise ShippingRefused(Problem.BAD_DAYS, following or token)
        elif word in _TIER_WORDS:
            tier = argument("items")
            if _WEIGHT_TIER.match(tier) or word == "weight":
                weights.append(parse_weight_tier(tier, currency, locale))
            else:
                tiers.append(parse_tier(tier, currency, locale))
            index += 2
        elif _WEIGHT_TIER.match(token):
            weights.append(parse_weight_tier(token, currency, locale))
            index += 1
        elif _TIER.match(token):
            tiers.append(parse_tier(token, currency, locale))
            index += 1
        elif "-" in token and _DAYS.match(token):
            days = parse_days(token)
            index += 1
        elif _COUNTRY_LIST.match(token):
            countries += parse_countries(token)
            index += 1
        elif price is None and (token[0].isdigit() or not token[0].isalnum()):
            price = _amount(token, currency, locale)
            index += 1
        else:
            raise ShippingRefused(Problem.UNKNOWN_WORD, token)
    if not countries:
        raise ShippingRefused(Problem.NO_COUNTRIES, text)
    terms = _terms(price, free_from, days, tiers, text, weights)
    return ZoneInput(tuple(dict.fromkeys(countries)), terms)


def parse_removal(text: str) -> tuple[str, ...] | None:
    """ "DE,FR" → those countries; "all" → None (every rule)."""
    if text.strip().lower() == ALL:
        return None
    return parse_countries(text)


# --- use cases ---------------------------------------------------------------------------------


async def shipping_zones(session: AsyncSession, *, merchant_id: int) -> list[Zone]:
    """The shop's rules grouped into zones (empty: the shop cannot sell yet)."""
    return zones(await merchant_rules(session, merchant_id=merchant_id))


async def add_zone(session: AsyncSession, *, merchant_id: int, zone: ZoneInput) -> ZoneInput:
    """Sets the zone's terms for each of its countries (replacing what they had)."""
    await set_zone(session, merchant_id=merchant_id, countries=zone.countries, terms=zone.terms)
    return zone


async def remove_zone(
    session: AsyncSession, *, merchant_id: int, countries: tuple[str, ...] | None
) -> tuple[str, ...]:
    """Removes the rules of `countries` (None: all); refuses when none of them had a rule."""
    removed = await remove_rules(session, merchant_id=merchant_id, countries=countries)
    if not removed:
        raise ShippingRefused(Problem.NOT_SET, ",".join(countries or (ALL,)))
    return removed


# --- the CSV ------------------------------------------------------------------------------------


def _plain(minor: int | None, currency: str) -> str:
    return "" if minor is None else format(Money.from_minor(minor, currency).amount, "f")


def export_csv(found: list[Zone], *, currency: str) -> str:
    """One row per zone, amounts in the shop's currency written plainly ("4.90").

    A zone priced by weight has no `price` (its tiers are the price list).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for zone in found:
        terms = zone.terms
        writer.writerow(
            [
                " ".join(zone.countries),
                "" if terms.weight_tiers else _plain(terms.rate_minor, currency),
                _plain(terms.free_above_minor, currency),
                "" if terms.min_days is None else terms.min_days,
                "" if terms.max_days is None else terms.max_days,
                " ".join(
                    f"{tier.min_items}:{_plain(tier.rate_minor, currency)}"
                    for tier in terms.item_tiers
                ),
                " ".join(
                    f"{weight_words(tier.max_grams)}:{_plain(tier.rate_minor, currency)}"
                    for tier in terms.weight_tiers
                ),
            ]
        )
    return out.getvalue()


def read_csv(text: str, *, currency: str) -> list[ZoneInput]:
    """Every zone of a shipping CSV; `ShippingFileError` listing each bad line otherwise."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or [cell.strip().lower() for cell in rows[0]][:2] != list(CSV_HEADER[:2]):
        raise ShippingFileError(((1, ShippingRefused(Problem.UNKNOWN_WORD, ",".join(rows[0])
                                                     if rows else "")),))  # fmt: skip
    header = [cell.strip().lower() for cell in rows[0]]
    found: list[ZoneInput] = []
    problems: list[tuple[int, ShippingRefused]] = []
    for number, row in enumerate(rows[1 : MAX_CSV_ROWS + 1], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        try:
            found.append(_zone_of_row(cells, currency))
        except ShippingRefused as error:
            problems.append((number, error))
    if len(rows) > MAX_CSV_ROWS + 1:
        problems.append((MAX_CSV_ROWS + 2, ShippingRefused(Problem.UNKNOWN_WORD, "…")))
    if problems:
        raise ShippingFileError(tuple(problems))
    return found


def _zone_of_row(cells: dict[str, str], currency: str) -> ZoneInput:
    countries = parse_countries(cells.get("countries", ""))
    weighed = cells.get("weight_tiers", "")
    if not cells.get("price") and not weighed:
        raise ShippingRefused(Problem.NO_PRICE, cells.get("countries", ""))
    price = _amount(cells["price"], currency, "en") if cells.get("price") else None
    free = _amount(cells["free_from"], currency, "en") if cells.get("free_from") else None
    low, high = cells.get("min_days", ""), cells.get("max_days", "")
    days = parse_days(f"{low}-{high or low}") if low or high else None
    if days is None and (low or high):
        raise ShippingRefused(Problem.BAD_DAYS, f"{low}-{high}")
    typed = cells.get("item_tiers", "")
    tiers = [parse_tier(part, currency, "en") for part in typed.split()]
    weights = [parse_weight_tier(part, currency, "en") for part in weighed.split()]
    return ZoneInput(countries, _terms(price, free, days, tiers, f"{typed} {weighed}".strip(),
                                       weights))  # fmt: skip


async def import_csv(
    session: AsyncSession, *, merchant_id: int, currency: str, text: str
) -> list[Zone]:
    """Replaces every rule of the shop by the file's (nothing changes if a line is bad)."""
    found = read_csv(text, currency=currency)
    await remove_rules(session, merchant_id=merchant_id, countries=None)
    for zone in found:
        await add_zone(session, merchant_id=merchant_id, zone=zone)
    return await shipping_zones(session, merchant_id=merchant_id)
