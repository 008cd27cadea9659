"""Fewer, better results: which of the engine's hits name what the buyer asked for.

The engine finds a product when the buyer's words are anywhere in it, descriptions included, so
"laptop" finds a charger "for your laptop" and a short query is padded with weak matches. Here
each candidate is checked against its names (titles in every language, brand, tags, option
values; not its category, which names a whole shelf): the products that name the most of the
buyer's words are kept, the rest dropped. When none names any of them, the hits are only
related, and the buyer is told so.

A colour the buyer asked for is checked the same way against titles and option values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz

from catalog.search import ParsedQuery
from catalog.search.lexicon import colour_of
from catalog.search.stems import stem_term
from catalog.search.synonyms import words_of
from catalog.search.text import fold, is_cjk, tokens
from storefront.listings import Listing

MIN_FUZZY: Final = 80  # rapidfuzz ratio for a word with a typo
_STOP: Final = frozenset(
    {"a", "an", "the", "of", "for", "with", "and", "de", "del", "la", "el", "los", "las", "le"}
    | {"les", "des", "du", "en", "et", "un", "une", "y", "e", "o", "da", "do", "das", "dos"}
    | {"para", "por", "con", "com", "avec", "pour", "und", "mit", "fur", "der", "die", "ein"}
    | {"eine", "и", "с", "для", "в", "на", "من", "في", "و"}
)


@dataclass(frozen=True, slots=True)
class Names:
    """What a product is called: folded tokens of its names, its CJK text, its colours."""

    words: frozenset[str]
    cjk: str
    colours: frozenset[str]


def names_of(listing: Listing) -> Names:
    # Not the category: "Kitchen & Mugs" would name every pan a mug.
    texts = [listing.title, listing.brand, *listing.tags]
    texts += [title for _, title, _ in listing.translations if title]
    options = listing.option_values
    words: set[str] = set()
    cjk: list[str] = []
    colours: set[str] = set()
    for text in [*texts, *options]:
        for token in tokens(text):
            if is_cjk(token):
                cjk.append(token)
            words.add(token)
            for part in token.replace("-", " ").split():
                words.add(part)
                colour = colour_of(part)
                if colour:
                    colours.add(colour)
    for text in options:
        colour = colour_of(fold(text))
        if colour:
            colours.add(colour)
    return Names(frozenset(words), " ".join(cjk), frozenset(colours))


def query_words(parsed: ParsedQuery) -> list[str]:
    """The buyer's words that should name the product (not articles and the like)."""
    return [w for w in words_of(parsed.text) if w not in _STOP and not w.isdigit()]


def _has_word(names: Names, word: str) -> bool:
    if is_cjk(word):
        if word in names.cjk:
            return True
        grams = [word[i : i + 2] for i in range(len(word) - 1)] or [word]
        if sum(gram in names.cjk for gram in grams) * 2 >= len(grams):
            return True
        # one wrong or swapped character in a longer word
        return len(word) >= 3 and sum(char in names.cjk for char in word) >= len(word) - 1
    if word in names.words:
        return True
    stem = stem_term(word)
    for name in names.words:
        if stem and stem_term(name) == stem:  # "мишку" is a "мишка"
            return True
        if len(word) >= 3 and (name.startswith(word) or (len(name) >= 4 and word.startswith(name))):
            return True
        if len(word) >= 4 and fuzz.ratio(word, name) >= MIN_FUZZY:
            return True
    return False


def coverage(names: Names, words: Sequence[str]) -> int:
    """How many of the buyer's words the product's names hold."""
    return sum(_has_word(names, word) for word in words)


def has_colour(names: Names, colours: Sequence[str]) -> bool:
    return any(colour in names.colours for colour in colours)
