"""Query classes, each query aimed at exactly one product (or, for negatives, at none).

Uniqueness is proved, not assumed: a query's words are chosen from its product's title, then
widened (brand first, then other title words, the model code last) until the catalog's term index
says no other product contains them all. Damaged variants (shuffled, typos, misspellings, a cut
last word) are made from such a unique clean query, so an engine that recovers the buyer's
intent has exactly one right answer. Each class draws from its own seeded random stream.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from benchmarks.searchbench.catalog import (
    BRAND,
    CJK,
    CODE,
    WORD,
    Catalog,
    Product,
    Words,
    fold,
    is_held_out,
    terms_of,
)
from benchmarks.searchbench.cjk import HAN, ZH_SYNONYMS, hanzi_typo, kana_typo
from benchmarks.searchbench.typos import MIN_WORD, edit_count, edits_per_word, misspell

CLASSES = (
    "clean",
    "shuffled",
    "typo",
    "misspelled",
    "prefix",
    "ru",
    "ar",
    "zh",
    "zh_words",
    "zh_synonym",
    "zh_typo",
    "ja",
    "ja_typo",
    "price",
    "negative",
)
LOCALIZED = ("ru", "ar", "zh", "ja")
CJK_CLASSES = ("zh_words", "zh_synonym", "zh_typo", "ja", "ja_typo")
CLASS_NOTES = {
    "clean": "title words as typed, unique to the product",
    "shuffled": "the same words in another order",
    "typo": "synthetic typos: ~80% one edit, ~15% two, ~5% three",
    "misspelled": "one word replaced by a real misspelling from nlpaug's spelling_en.txt",
    "prefix": "the last word cut short, as while typing",
    "ru": "Cyrillic query against the product's Russian title",
    "ar": "Arabic query against the product's Arabic title",
    "zh": "Chinese query (no spaces) against the product's Chinese title",
    "zh_words": "Chinese title words reordered and joined by 的 (红色的杯子), no spaces",
    "zh_synonym": "a Chinese title's noun replaced by an everyday word for it (马克杯 → 杯子)",
    "zh_typo": "a Chinese query with one wrong character, or two neighbours swapped",
    "ja": "Japanese query (katakana/kanji, no spaces) against the product's Japanese title",
    "ja_typo": "a Japanese query with one kana slip: swapped, wrong voicing or vowel, ホ/フォ",
    "price": "words that match several products + a price limit only one satisfies",
    "negative": "a product that does not exist: words held out of every catalog",
}
MAX_QUERY_WORDS = 7
PRICE_UNDER = (
    "under {x}",
    "under ${x}",
    "below {x}",
    "less than {x}",
    "up to {x} usd",
    "cheaper than {x}",
)
PRICE_OVER = ("over {x}", "above ${x}", "more than {x}")


@dataclass(frozen=True, slots=True)
class BenchQuery:
    """One query and its single right answer.

    ``text`` is what the buyer types and what our engine gets; ``words_text`` is the same without
    the price phrase, for peers that cannot parse prices (their hits are post-filtered by
    ``min_price``/``max_price`` instead).
    """

    qclass: str
    text: str
    words_text: str
    target: int | None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    edits: int = 0


class QueryGenerator:
    """Makes ``per_class`` queries of each class for one catalog."""

    def __init__(self, catalog: Catalog, seed: int) -> None:
        self.catalog = catalog
        self.seed = seed
        self.size = len(catalog.products)
        self._by_lang: dict[str, list[int]] = {}
        for product in catalog.products:
            if product.loc is not None:
                self._by_lang.setdefault(product.loc_lang, []).append(product.product_id)
        self._far_cache: dict[str, bool] = {}
        self._alpha_terms: list[str] | None = None

    def rng(self, qclass: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.size}:{qclass}")

    def generate(self, per_class: int, classes: Sequence[str] = CLASSES) -> list[BenchQuery]:
        makers: dict[str, Callable[[random.Random], BenchQuery | None]] = {
            "clean": self.clean,
            "shuffled": self.shuffled,
            "typo": self.typo,
            "misspelled": self.misspelled,
            "prefix": self.prefix,
            "ru": lambda rng: self.localized(rng, "ru"),
            "ar": lambda rng: self.localized(rng, "ar"),
            "zh": lambda rng: self.localized(rng, "zh"),
            "zh_words": self.zh_words,
            "zh_synonym": self.zh_synonym,
            "zh_typo": lambda rng: self.cjk_typo(rng, "zh"),
            "ja": lambda rng: self.localized(rng, "ja"),
            "ja_typo": lambda rng: self.cjk_typo(rng, "ja"),
            "price": self.price,
            "negative": self.negative,
        }
        out: list[BenchQuery] = []
        for qclass in classes:
            if qclass.split("_")[0] in LOCALIZED and not self._by_lang.get(qclass.split("_")[0]):
                continue  # that language's vocabulary was unavailable
            if qclass == "misspelled" and not self.catalog.vocabulary.misspellings:
                continue
            rng = self.rng(qclass)
            made: list[BenchQuery] = []
            seen: set[str] = set()
            attempts = 0
            while len(made) < per_class and attempts < per_class * 60:
                attempts += 1
                query = makers[qclass](rng)
                if query is not None and query.text not in seen:
                    seen.add(query.text)
                    made.append(query)
            out.extend(made)
        return out

    # -- choosing words ----------------------------------------------------------------------

    def _random_product(self, rng: random.Random) -> Product:
        return self.catalog.products[rng.randrange(self.size)]

    @staticmethod
    def _units(words: Words) -> tuple[list[list[int]], list[list[int]], list[int]]:
        """Groups word positions: brand words together, plain words one by one, codes."""
        brand = [i for i, k in enumerate(words.kinds) if k == BRAND]
        plain = [
            [i]
            for i, (w, k) in enumerate(zip(words.words, words.kinds, strict=True))
            if k in (WORD, CJK) and len(w) >= 2 and any(c.isalpha() for c in w)
        ]
        codes = [i for i, k in enumerate(words.kinds) if k == CODE]
        return ([brand] if brand else []), plain, codes

    def _terms(self, words: Words, chosen: Sequence[int]) -> list[str]:
        return [t for i in chosen for t in terms_of(words.words[i])]

    def _unique(self, product: Product, words: Words, chosen: Sequence[int]) -> bool:
        found = self.catalog.terms.matches(self._terms(words, chosen), limit=2)
        return found == [product.product_id]

    def select(
        self,
        product: Product,
        words: Words,
        rng: random.Random,
        must: int | None = None,
        brand_chance: float = 0.4,
        sizes: Sequence[int] = (2, 2, 3, 3, 3, 4),
    ) -> list[int] | None:
        """Title positions of a unique query for ``product``, in title order, or None."""
        brand, plain, codes = self._units(words)
        rng.shuffle(plain)
        if must is not None:
            plain.sort(key=lambda unit: unit[0] != must)
        want = min(rng.choice(sizes), len(plain))
        chosen: list[int] = [i for unit in plain[:want] for i in unit]
        rest: list[list[int]] = plain[want:]
        if brand and rng.random() < brand_chance:
            chosen += brand[0]
        else:
            rest = brand + rest  # the brand is the first thing a buyer adds
        rest += [[c] for c in codes]
        while not chosen or not self._unique(product, words, chosen):
            if not rest or len(chosen) >= MAX_QUERY_WORDS:
                return None
            chosen += rest.pop(0)
        return sorted(chosen)

    @staticmethod
    def _render(words: Words, chosen: Sequence[int], rng: random.Random, lower: float = 0.7) -> str:
        picked = Words(
            tuple(words.words[i] for i in chosen), "".join(words.kinds[i] for i in chosen)
        )
        text = picked.title()
        return text.lower() if rng.random() < lower else text

    # -- classes -----------------------------------------------------------------------------

    def clean(self, rng: random.Random) -> BenchQuery | None:
        product = self._random_product(rng)
        chosen = self.select(product, product.en, rng)
        if chosen is None:
            return None
        text = self._render(product.en, chosen, rng)
        return BenchQuery("clean", text, text, product.product_id)

    def shuffled(self, rng: random.Random) -> BenchQuery | None:
        product = self._random_product(rng)
        chosen = self.select(product, product.en, rng)
        if chosen is None:
            return None
        # Multi-word brands stay together: buyers move words, not halves of names.
        units: list[list[int]] = []
        for i in chosen:
            if units and product.en.kinds[i] == BRAND and product.en.kinds[units[-1][-1]] == BRAND:
                units[-1].append(i)
            else:
                units.append([i])
        if len(units) < 2:
            return None
        order = units[:]
        while order == units:
            rng.shuffle(order)
        words = [product.en.words[i] for unit in order for i in unit]
        text = " ".join(words)
        text = text.lower() if rng.random() < 0.7 else text
        return BenchQuery("shuffled", text, text, product.product_id)

    def typo(self, rng: random.Random) -> BenchQuery | None:
        product = self._random_product(rng)
        chosen = self.select(product, product.en, rng)
        if chosen is None:
            return None
        words = [product.en.words[i] for i in chosen]
        kinds = [product.en.kinds[i] for i in chosen]
        lengths = [
            len(w) if k in (WORD, BRAND) and w.isascii() and w.isalpha() else 0
            for w, k in zip(words, kinds, strict=True)
        ]
        edits = edit_count(rng)
        plan = edits_per_word(lengths, edits, rng)
        if plan is None:
            return None
        out = []
        for word, count in zip(words, plan, strict=True):
            if count:
                damaged = misspell(word.lower(), count, rng)
                # A typo that lands on another catalog word is a different query, not a typo.
                if damaged is None or fold(damaged) in self.catalog.terms:
                    return None
                word = damaged
            out.append(word.lower())
        text = " ".join(out)
        return BenchQuery("typo", text, text, product.product_id, edits=edits)

    def misspelled(self, rng: random.Random) -> BenchQuery | None:
        table = self.catalog.vocabulary.misspellings
        terms = self.catalog.terms
        if not hasattr(self, "_misspellable"):
            self._misspellable = sorted(w for w in table if w in terms)
        if not self._misspellable:
            return None
        correct = rng.choice(self._misspellable)
        wrongs = [w for w in table[correct] if w not in terms]
        if not wrongs:
            return None
        posting = terms.postings[terms.ids[correct]]
        product = self.catalog.products[posting[rng.randrange(len(posting))]]
        words = product.en  # the list is English: the word is looked for in English titles
        where = [i for i, w in enumerate(words.words) if fold(w) == correct]
        if not where or words.kinds[where[0]] not in (WORD, BRAND):
            return None
        chosen = self.select(product, words, rng, must=where[0])
        if chosen is None or where[0] not in chosen:
            return None
        wrong = rng.choice(wrongs)
        out = [wrong if i == where[0] else words.words[i].lower() for i in chosen]
        text = " ".join(out)
        return BenchQuery(
            "misspelled",
            text,
            text,
            product.product_id,
            edits=Levenshtein.distance(correct, wrong),
        )

    def prefix(self, rng: random.Random) -> BenchQuery | None:
        product = self._random_product(rng)
        words = product.en
        chosen = self.select(product, words, rng, sizes=(2, 3, 3, 4))
        if chosen is None:
            return None
        cuttable = [
            i
            for i in chosen
            if words.kinds[i] == WORD and words.words[i].isalpha() and len(words.words[i]) > 3
        ]
        if len(chosen) < 2 or not cuttable:
            return None
        last = rng.choice(cuttable)
        others = [i for i in chosen if i != last]
        full = self._terms(words, others)
        word = words.words[last]
        for keep in range(rng.randrange(3, len(word)), len(word)):
            cut = fold(word[:keep])
            if self.catalog.terms.matches(full, prefix=cut, limit=2) == [product.product_id]:
                text = " ".join([*(words.words[i] for i in others), word[:keep]]).lower()
                return BenchQuery("prefix", text, text, product.product_id)
        return None

    def localized(self, rng: random.Random, lang: str) -> BenchQuery | None:
        ids = self._by_lang.get(lang)
        if not ids:
            return None
        product = self.catalog.product(ids[rng.randrange(len(ids))])
        assert product.loc is not None
        chosen = self.select(product, product.loc, rng, brand_chance=0.0, sizes=(2, 3, 3, 4))
        if chosen is None:
            return None
        text = self._render(product.loc, chosen, rng)
        return BenchQuery(lang, text, text, product.product_id)

    def _cjk_query(
        self, rng: random.Random, lang: str, must: str | None = None
    ) -> tuple[Product, Words, list[int]] | None:
        """A product with a title in ``lang`` and the positions of a unique query for it (with
        the word ``must`` among them when given)."""
        ids = self._nouned.get(must, []) if must else self._by_lang.get(lang, [])
        if not ids:
            return None
        product = self.catalog.product(ids[rng.randrange(len(ids))])
        words = product.loc
        assert words is not None
        where = words.words.index(must) if must else None
        chosen = self.select(product, words, rng, must=where, brand_chance=0.0, sizes=(2, 3, 3))
        if chosen is None or (where is not None and where not in chosen):
            return None
        return product, words, chosen

    @staticmethod
    def _join(words: Words, chosen: Sequence[int], replaced: dict[int, str]) -> str:
        picked = Words(
            tuple(replaced.get(i, words.words[i]) for i in chosen),
            "".join(words.kinds[i] for i in chosen),
        )
        return picked.title().lower()

    def zh_words(self, rng: random.Random) -> BenchQuery | None:
        """Modifiers reordered and joined by 的, the noun last: what jieba has to cut."""
        found = self._cjk_query(rng, "zh")
        if found is None:
            return None
        product, words, chosen = found
        cjk = [i for i in chosen if words.kinds[i] == CJK]
        if len(cjk) < 2:
            return None
        noun_last = cjk[-1] == max(i for i, k in enumerate(words.kinds) if k == CJK)
        modifiers = cjk[:-1] if noun_last else cjk[:]
        order = modifiers[:]
        if len(order) >= 2:
            while order == modifiers:
                rng.shuffle(order)
        parts = []
        for i in order:
            word = words.words[i]
            parts.append(word if word.endswith("的") or rng.random() < 0.5 else word + "的")
        if noun_last:
            parts.append(words.words[cjk[-1]])
        text = "".join(parts)
        if order == modifiers and "".join(words.words[i] for i in cjk) == text:
            return None  # nothing to cut differently from the zh class
        latin = [words.words[i].lower() for i in chosen if words.kinds[i] != CJK]
        text = " ".join([text, *latin])
        return BenchQuery("zh_words", text, text, product.product_id)

    @property
    def _nouned(self) -> dict[str, list[int]]:
        """Title noun with synonyms → Chinese products whose title has it."""
        if not hasattr(self, "_nouns"):
            heads = {group[0] for group in ZH_SYNONYMS}
            self._nouns: dict[str, list[int]] = {}
            for pid in self._by_lang.get("zh", []):
                loc = self.catalog.product(pid).loc
                assert loc is not None
                for word in loc.words:
                    if word in heads:
                        self._nouns.setdefault(word, []).append(pid)
        return self._nouns

    def zh_synonym(self, rng: random.Random) -> BenchQuery | None:
        """The noun swapped for what buyers call it; unique over everything that word names."""
        group = ZH_SYNONYMS[rng.randrange(len(ZH_SYNONYMS))]
        found = self._cjk_query(rng, "zh", must=group[0])
        if found is None:
            return None
        product, words, chosen = found
        where = words.words.index(group[0])
        buyer = rng.choice(group[1:])
        # Every title noun the buyer's word may name, and the word itself as a title word.
        meanings = [buyer, *(g[0] for g in ZH_SYNONYMS if buyer in g[1:])]
        others = self._terms(words, [i for i in chosen if i != where])
        for meaning in meanings:
            hits = self.catalog.terms.matches([*others, *terms_of(meaning)], limit=2)
            if hits and hits != [product.product_id]:
                return None
        text = self._join(words, chosen, {where: buyer})
        return BenchQuery("zh_synonym", text, text, product.product_id)

    def cjk_typo(self, rng: random.Random, lang: str) -> BenchQuery | None:
        found = self._cjk_query(rng, lang)
        if found is None:
            return None
        product, words, chosen = found
        if not hasattr(self, "_han"):
            han = {c for term in self.catalog.terms.ids for c in term if HAN.match(c)}
            self._han = "".join(sorted(han))
        spots = [i for i in chosen if words.kinds[i] == CJK and len(words.words[i]) >= 2]
        rng.shuffle(spots)
        for i in spots:
            word = words.words[i]
            damaged = kana_typo(word, rng) if lang == "ja" else hanzi_typo(word, rng, self._han)
            if damaged is None or damaged == word or fold(damaged) in self.catalog.terms:
                continue
            text = self._join(words, chosen, {i: damaged})
            return BenchQuery(f"{lang}_typo", text, text, product.product_id, edits=1)
        return None

    def price(self, rng: random.Random) -> BenchQuery | None:
        product = self._random_product(rng)
        words = product.en
        brand, plain, _ = self._units(words)
        units = plain + brand
        if len(units) < 2:
            return None
        rng.shuffle(units)
        chosen = sorted(i for unit in units[: rng.choice((2, 2, 3))] for i in unit)
        found = self.catalog.terms.matches(self._terms(words, chosen), limit=31)
        if not 2 <= len(found) <= 30:
            return None
        prices = sorted((self.catalog.product(pid).price, pid) for pid in found)
        under = rng.random() < 0.7
        if under:
            (low, target), (high, _) = prices[0], prices[1]
        else:
            (high, target), (low, _) = prices[-1], prices[-2]
        limit = _round_between(low, high)
        if limit is None:
            return None
        words_text = " ".join(words.words[i] for i in chosen).lower()
        phrase = rng.choice(PRICE_UNDER if under else PRICE_OVER).format(x=limit)
        text = f"{phrase} {words_text}" if rng.random() < 0.15 else f"{words_text} {phrase}"
        return BenchQuery(
            "price",
            text,
            words_text,
            target,
            min_price=None if under else Decimal(limit),
            max_price=Decimal(limit) if under else None,
        )

    # -- negatives ---------------------------------------------------------------------------

    def _far_from_catalog(self, word: str) -> bool:
        """True if no catalog word is within two edits (so no fuzzy match is a right answer)."""
        key = fold(word)
        cached = self._far_cache.get(key)
        if cached is not None:
            return cached
        if self._alpha_terms is None:
            self._alpha_terms = [t for t in self.catalog.terms.ids if t.isalpha() and len(t) >= 3]
        far = (
            len(key) >= MIN_WORD
            and key.isalpha()
            and key not in self.catalog.terms
            and process.extractOne(
                key, self._alpha_terms, scorer=Levenshtein.distance, score_cutoff=2
            )
            is None
        )
        self._far_cache[key] = far
        return far

    def _held_out_pool(self) -> tuple[list[str], list[str]]:
        """Words of held-out brands, and of held-out device names, foods and cars, that are
        at least three edits from every catalog word."""
        if not hasattr(self, "_pool"):
            vocab = self.catalog.vocabulary
            brand_words = {w for b in vocab.brands if is_held_out(b) for w in b.split()}
            other: set[str] = set()
            for _, device in vocab.usb_devices + vocab.pci_devices:
                if is_held_out(device):
                    other.update(device.split())
            for items in vocab.food.values():
                other.update(w for item in items if is_held_out(item) for w in item.split())
            other.update(w for car in vocab.cars if is_held_out(car) for w in car.split())
            self._pool = (
                sorted(w for w in brand_words if self._far_from_catalog(w)),
                sorted(w for w in other - brand_words if self._far_from_catalog(w)),
            )
        return self._pool

    def negative(self, rng: random.Random) -> BenchQuery | None:
        """A held-out brand word and held-out words; a third also carry one real product noun.

        The real noun makes the trap realistic ("<unknown brand> <unknown line> chair"): a hit
        on some chair is still not the product the buyer asked for.
        """
        brands, words = self._held_out_pool()
        if not brands or not words:
            return None
        picked = [rng.choice(brands), *rng.sample(words, rng.choice((1, 2)))]
        en = self.catalog.vocabulary.commerce.get("en")
        if en and rng.random() < 1 / 3:
            picked.append(rng.choice(en.products))
        rng.shuffle(picked)
        text = " ".join(picked).lower()
        if self.catalog.terms.matches(terms_of(text), limit=1):
            return None
        return BenchQuery("negative", text, text, None)


def _round_between(low: Decimal, high: Decimal) -> int | None:
    """The roundest whole number strictly between two prices (None when there is none)."""
    start, stop = int(low) + 1, int(high) - (1 if high == int(high) else 0)
    if start > stop:
        return None
    for step in (1000, 500, 100, 50, 10, 5, 1):
        first = -(-start // step) * step
        if first <= stop:
            return first
    return None
