"""What a buyer wants beyond the words of a product: an order ("cheapest", "最新", "самая
дешевая") and other everyday names for the same thing ("杯子" for a 马克杯, "cup" for a mug).

`read_order` takes superlatives out of a query's text, so "cheapest mug" searches "mug" sorted
by price. `alternatives` offers the same query with a word swapped for a synonym, tried by the
storefront only when the buyer's own words found nothing. Chinese is cut into words with `jieba`
first (loaded on first use, never at import: its dictionary takes about a second to load); the
synonym table lists, per language, groups of words that name the same kind of product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Final

from catalog.search.synonyms import PARTICLES as _PARTICLES
from catalog.search.synonyms import groups as _groups
from catalog.search.synonyms import words_of
from catalog.search.text import fold, is_cjk


class Order(StrEnum):
    RELEVANCE = "relevance"
    PRICE_LOW = "price_low"
    PRICE_HIGH = "price_high"
    NEWEST = "newest"


# Phrases per order (folded on first use); CJK and Arabic match inside words, others whole.
_ORDER_WORDS: Final = {
    Order.PRICE_LOW: [
        "cheapest", "cheap", "lowest price", "least expensive", "budget", "inexpensive",
        "最便宜", "便宜", "最实惠", "实惠", "平价",
        "mas barato", "mas barata", "mas baratos", "mas baratas", "barato", "barata", "baratos",
        "baratas", "economico", "economica",
        "самый дешевый", "самая дешевая", "самое дешевое", "самые дешевые", "дешевый", "дешевая",
        "дешевые", "дешевле", "недорогой", "недорогая", "недорогие", "подешевле",
        "gunstigste", "gunstigsten", "gunstigster", "billigste", "billigsten", "gunstig",
        "billig", "preiswert",
        "le moins cher", "la moins chere", "les moins chers", "moins cher", "pas cher",
        "pas chere", "bon marche",
        "mais barato", "mais barata", "mais baratos", "baratinho",
        "الارخص", "ارخص", "رخيص", "رخيصه",
    ],
    Order.PRICE_HIGH: [
        "most expensive", "priciest", "premium", "high end",
        "最贵", "高端",
        "mas caro", "mas cara", "mas caros", "mas caras",
        "самый дорогой", "самая дорогая", "самые дорогие", "подороже",
        "teuerste", "teuersten",
        "le plus cher", "la plus chere", "les plus chers",
        "mais caro", "mais cara", "mais caros",
        "الاغلى", "اغلى",
    ],
    Order.NEWEST: [
        "newest", "latest", "new arrivals", "new in",
        "最新", "新款", "新品",
        "mas nuevo", "mas nueva", "novedades", "lo nuevo",
        "новинки", "самый новый", "самые новые", "новые поступления",
        "neueste", "neuesten", "neuheiten",
        "nouveautes", "le plus recent", "les plus recents", "derniers",
        "mais novo", "mais nova", "novidades", "lancamentos",
        "الاحدث", "احدث", "جديد",
    ],
    Order.RELEVANCE: [  # "best": the ranking already puts the best first
        "best", "top", "best rated", "most popular", "popular",
        "最好", "最好的", "最受欢迎", "热门", "好用",
        "mejor", "mejores", "el mejor", "la mejor",
        "лучший", "лучшая", "лучшие", "самый лучший", "популярные",
        "beste", "besten", "bester",
        "meilleur", "meilleure", "meilleurs", "le meilleur",
        "melhor", "melhores", "o melhor", "a melhor",
        "الافضل", "افضل",
    ],
}  # fmt: skip

_CJK_OR_ARABIC: Final = re.compile(r"[\u0600-\u06ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Wish:
    text: str  # what remains to search for
    order: Order = Order.RELEVANCE


@cache
def _order_patterns() -> tuple[tuple[re.Pattern[str], Order], ...]:
    found: list[tuple[str, Order]] = []
    for order, phrases in _ORDER_WORDS.items():
        found += [(fold(phrase), order) for phrase in phrases]
    found.sort(key=lambda item: -len(item[0]))
    patterns = []
    for phrase, order in found:
        body = re.escape(phrase).replace(r"\ ", r"\s+")
        if _CJK_OR_ARABIC.search(phrase):
            if not is_cjk(phrase):  # Arabic: the article may be glued on
                body = rf"(?<!\w)(?:ال)?{body}(?!\w)"
            patterns.append((re.compile(body), order))
        else:
            patterns.append((re.compile(rf"(?<!\w){body}(?!\w)"), order))
    return tuple(patterns)


def read_order(text: str) -> Wish:
    """The order a query asks for and the text without its superlative ("cheapest mug" →
    "mug ", PRICE_LOW). A query that is nothing but the superlative stays as it is."""
    folded = fold(text)
    order = Order.RELEVANCE
    changed = False
    for pattern, candidate in _order_patterns():
        match = pattern.search(folded)
        if match is None:
            continue
        rest = folded[: match.start()] + " " + folded[match.end() :]
        if is_cjk(match.group()):
            rest = _PARTICLES.sub(" ", rest)
        if not rest.strip():
            break
        if order is Order.RELEVANCE:
            order = candidate
        folded, changed = rest, True
    if not changed:
        return Wish(text, order)
    # The words left were typed in full (more followed them), so none is a prefix.
    return Wish(" ".join(folded.split()) + " ", order)


# -- synonyms: the table and the segmenter live in `synonyms` (the engine uses them too) ----------

MAX_ALTERNATIVES: Final = 8


def alternatives(text: str) -> list[str]:
    """The query with one word swapped for a synonym, best candidates first (at most
    `MAX_ALTERNATIVES`); the buyer's other words are kept. Empty when no word has a synonym."""
    words = words_of(text)
    table = _groups()
    found: list[str] = []
    for i, word in enumerate(words):
        for other in table.get(word, ()):
            found.append(" ".join([*words[:i], other, *words[i + 1 :]]))
    if not found and any(is_cjk(w) for w in words) and len(words) > 1:
        found.append(" ".join(words))  # segmented: "红色的杯子" → "红色 杯子"
    return list(dict.fromkeys(found))[:MAX_ALTERNATIVES]


def cjk_characters(text: str) -> str | None:
    """The query with its Chinese or Japanese words of three or more characters cut into single
    characters ("马可杯" → "马 可 杯"), so one wrong or swapped character still leaves most of
    the word to match; None when it has no such word."""
    out: list[str] = []
    cut = False
    for word in text.split():
        if is_cjk(word) and len(word) >= 3:
            out += list(word)
            cut = True
        else:
            out.append(word)
    return " ".join(out) + " " if cut else None
