"""Seeded synthetic catalogs of any size, composed from the registry vocabulary.

A product is a short list of *words* with a kind each (brand, plain word, model code, number,
CJK chunk), so query generation can pick words a buyer would type and this module can prove which
products contain them. Titles are those words joined the way the language writes them (Chinese
without spaces). Every product also gets a synthetic model code: with only a few tens of thousands
of real words, a million products would otherwise collapse onto the same few thousand titles.

A slice of each vocabulary list is *held out* of every catalog; negative queries are made of it,
so "a product that does not exist" is guaranteed, not hoped for.
"""

from __future__ import annotations

import bisect
import functools
import math
import random
import re
import unicodedata
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from benchmarks.searchbench.cjk import JA_MODIFIERS, JA_PRODUCTS, ZH_ADJECTIVES, ZH_SYNONYMS
from benchmarks.searchbench.vocabulary import LocaleCommerce, Vocabulary
from catalog.search.document import SearchDocument

BRAND, WORD, CODE, NUMBER, CJK = "b", "w", "c", "n", "z"
_TOKEN = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_KANA_MARKS = "\u3099\u309a"  # voicing marks: ド is not ト
HOLDOUT_EVERY = 20  # every 20th vocabulary entry (by a stable hash) never enters a catalog

# Template words of our own: the registries give product nouns, not accessory phrasing.
CAR_ACCESSORIES = ("Floor Mats", "Seat Covers", "Roof Rack", "Wiper Blades", "Die-cast Model")
PHONE_ACCESSORIES = ("Case", "Cover", "Screen Protector", "Charger")
GROCERY_SIZES = ("100 g", "250 g", "500 g", "1 kg", "330 ml", "500 ml", "1 l", "6 pack")

# (median USD, log-sd) per category: prices are log-normal, as shop prices are.
PRICES = {
    "Electronics": (45.0, 0.9),
    "Computers": (160.0, 0.9),
    "Laptops": (900.0, 0.45),
    "Phones": (480.0, 0.5),
    "Phone accessories": (18.0, 0.5),
    "Grocery": (6.0, 0.6),
    "Automotive": (40.0, 0.8),
}
DEFAULT_PRICE = (35.0, 0.9)

# Share of each family in a catalog (renormalised over the families whose vocabulary exists).
FAMILIES = {
    "goods": 0.36,
    "usb": 0.24,
    "pci": 0.08,
    "grocery": 0.12,
    "phone": 0.08,
    "laptop": 0.05,
    "auto": 0.07,
}
# Of the faker "goods", this share gets a second title in one of these languages.
LOCALIZED_SHARE = 0.25
LOCALE_WEIGHTS = {"ru": 0.3, "ar": 0.2, "zh": 0.2, "es": 0.075, "fr": 0.075, "pt": 0.075}
LOCALE_WEIGHTS |= {"tr": 0.075, "ja": 0.15}
# Colours as Japanese listings write them (faker has Japanese colours but no commerce words).
JA_COLOURS = ("黒", "白", "赤", "青", "ブラック", "ホワイト", "ネイビー", "ベージュ", "グレー")


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for every term comparison in the benchmark."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if c in _KANA_MARKS or not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text)


_TERMS: dict[str, tuple[str, ...]] = {}


def terms_of(text: str) -> tuple[str, ...]:
    """Letter/digit runs of the folded text: the unit of 'this product contains that word'."""
    found = _TERMS.get(text)
    if found is None:
        found = tuple(_TOKEN.findall(fold(text)))
        if len(_TERMS) < 1_000_000:  # vocabulary words repeat; model codes mostly do not
            _TERMS[text] = found
    return found


def stable_hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def is_held_out(text: str) -> bool:
    return stable_hash(text.casefold()) % HOLDOUT_EVERY == 0


@functools.lru_cache(maxsize=200_000)
def word_kind(word: str) -> str:
    letters = any(c.isalpha() for c in word)
    digits = any(c.isdigit() for c in word)
    if _CJK.search(word):
        return CJK
    if not letters:
        return NUMBER
    return CODE if digits else WORD


@dataclass(frozen=True, slots=True)
class Words:
    """One title as words plus a kind letter per word (a str, to keep a million of them small)."""

    words: tuple[str, ...]
    kinds: str

    def title(self) -> str:
        out: list[str] = []
        for word, kind in zip(self.words, self.kinds, strict=True):
            if kind == CJK and out and _CJK.search(out[-1][-1]):
                out[-1] += word  # Chinese is written without spaces between words
            else:
                out.append(word)
        return " ".join(out)


@dataclass(frozen=True, slots=True)
class Product:
    """What the query generator needs to know about one product."""

    product_id: int
    family: str
    en: Words
    loc_lang: str
    loc: Words | None
    brand: str
    category: str
    price: Decimal


@dataclass
class Catalog:
    """Products, their SearchDocuments, and the term index that proves queries unique."""

    products: list[Product]
    documents: list[SearchDocument]
    terms: TermIndex
    seed: int
    vocabulary: Vocabulary
    family_counts: dict[str, int] = field(default_factory=dict)

    def product(self, product_id: int) -> Product:
        return self.products[product_id - 1]


class TermIndex:
    """Which products contain which folded terms; answers 'who else has all these words?'.

    Plain Python on purpose (no numpy): a product's terms are a small tuple, and the smallest
    posting list of a multi-word query is short, so checking candidates one by one is fast.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.postings: list[array[int]] = []
        self.product_terms: list[tuple[int, ...]] = []
        self._sorted: list[str] | None = None

    def add(self, terms: Iterable[str]) -> None:
        ids: set[int] = set()
        for term in terms:
            tid = self.ids.get(term)
            if tid is None:
                tid = self.ids[term] = len(self.postings)
                self.postings.append(array("i"))
            ids.add(tid)
        index = len(self.product_terms)
        for tid in ids:
            self.postings[tid].append(index)
        self.product_terms.append(tuple(sorted(ids)))
        self._sorted = None

    def __contains__(self, term: str) -> bool:
        return term in self.ids

    def frequency(self, term: str) -> int:
        tid = self.ids.get(term)
        return 0 if tid is None else len(self.postings[tid])

    def prefixed(self, prefix: str) -> list[int]:
        """Term ids of every term that starts with ``prefix``."""
        if self._sorted is None:
            self._sorted = sorted(self.ids)
        start = bisect.bisect_left(self._sorted, prefix)
        found = []
        for term in self._sorted[start:]:
            if not term.startswith(prefix):
                break
            found.append(self.ids[term])
        return found

    def matches(self, terms: Iterable[str], prefix: str = "", limit: int = 2) -> list[int]:
        """Product ids (1-based) containing every term (and a term starting with ``prefix``).

        Stops after ``limit`` matches: uniqueness needs only to know whether there is a second.
        """
        tids = set()
        for term in terms:
            tid = self.ids.get(term)
            if tid is None:
                return []
            tids.add(tid)
        prefix_ids: set[int] = set(self.prefixed(prefix)) if prefix else set()
        if prefix and not prefix_ids:
            return []
        if tids:
            smallest = min(tids, key=lambda t: len(self.postings[t]))
            candidates: Iterable[int] = self.postings[smallest]
        else:
            candidates = sorted({p for t in prefix_ids for p in self.postings[t]})
        found: list[int] = []
        for index in candidates:
            own = self.product_terms[index]
            if all(t in own for t in tids) and (
                not prefix_ids or any(t in prefix_ids for t in own)
            ):
                found.append(index + 1)
                if len(found) >= limit:
                    break
        return found


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


class CatalogGenerator:
    """Composes products family by family from one seeded random stream."""

    def __init__(self, vocab: Vocabulary, seed: int) -> None:
        self.vocab = vocab
        self.seed = seed
        self.brands = [_split(b) for b in vocab.brands if not is_held_out(b)]
        self.usb = [(v, _split(d)) for v, d in vocab.usb_devices if not is_held_out(d)]
        self.pci = [(v, _split(d)) for v, d in vocab.pci_devices if not is_held_out(d)]
        self.foods = [
            _split(item) for items in vocab.food.values() for item in items if not is_held_out(item)
        ]
        self.cars = [_split(c) for c in vocab.cars if not is_held_out(c)]
        self.phones = [_split(p) for p in vocab.phones]
        self.en = vocab.commerce.get("en")
        self.locales = {
            lang: vocab.commerce[lang] for lang in LOCALE_WEIGHTS if lang in vocab.commerce
        }
        self._add_cjk_words()
        available = {
            "goods": bool(self.en and self.brands),
            "usb": bool(self.usb),
            "pci": bool(self.pci),
            "grocery": bool(self.foods and self.brands),
            "phone": bool(self.phones and self.brands),
            "laptop": bool(vocab.computer_makers and vocab.cpus and vocab.ram_sizes),
            "auto": bool(self.cars and self.brands),
        }
        self.families = [f for f, ok in available.items() if ok]
        if not self.families:
            raise RuntimeError("no vocabulary source is available: cannot build a catalog")
        self.weights = [FAMILIES[f] for f in self.families]

    def _add_cjk_words(self) -> None:
        """Our own Chinese nouns with everyday synonyms beside faker's, and Japanese titles
        (faker has none): see :mod:`cjk`."""
        zh = self.locales.get("zh")
        if zh is not None:
            self.locales["zh"] = LocaleCommerce(
                adjectives=[*zh.adjectives, *ZH_ADJECTIVES],
                materials=zh.materials,
                products=[*zh.products, *(group[0] for group in ZH_SYNONYMS)],
                departments=zh.departments,
                colors=zh.colors,
            )
        if self.en is not None:  # Japanese titles keep the English catalog's brands and codes
            self.locales["ja"] = LocaleCommerce(
                adjectives=list(JA_MODIFIERS),
                materials=[],
                products=list(JA_PRODUCTS),
                departments=[],
                colors=list(JA_COLOURS),
            )

    # -- building blocks -----------------------------------------------------------------

    def _code(self, rng: random.Random) -> str:
        """A model code such as ``KX-4412`` or ``T7B220``: the words no two products share."""
        letters = "ABCDEFGHJKLMNPRSTUVWXZ"
        shape = rng.randrange(4)
        a, b = rng.choice(letters), rng.choice(letters)
        if shape == 0:
            return f"{a}{b}-{rng.randrange(100, 10000)}"
        if shape == 1:
            return f"{a}{rng.randrange(1, 10)}{b}{rng.randrange(100, 1000)}"
        if shape == 2:
            return f"{a}{b}{rng.randrange(10, 100)}{rng.choice(letters)}"
        return f"{a}-{rng.randrange(1000, 100000)}"

    def _price(self, rng: random.Random, category: str) -> Decimal:
        median, sigma = PRICES.get(category, DEFAULT_PRICE)
        value = max(0.5, median * math.exp(rng.gauss(0.0, sigma)))
        if value >= 20 and rng.random() < 0.6:
            return Decimal(f"{math.floor(value)}.99")
        return Decimal(f"{value:.2f}")

    @staticmethod
    def _words(*groups: tuple[tuple[str, ...], str | None]) -> Words:
        words: list[str] = []
        kinds: list[str] = []
        for group, kind in groups:
            for word in group:
                words.append(word)
                kinds.append(kind or word_kind(word))
        return Words(tuple(words), "".join(kinds))

    # -- families ------------------------------------------------------------------------

    def _goods(self, rng: random.Random) -> tuple[Words, str, str, str, Words | None]:
        en = self.en
        assert en is not None
        brand = rng.choice(self.brands)
        adjective, material, noun = (
            rng.choice(en.adjectives),
            rng.choice(en.materials),
            rng.choice(en.products),
        )
        color = rng.choice(en.colors) if rng.random() < 0.5 else ""
        code = self._code(rng)
        words = self._words(
            (brand, BRAND),
            (_split(f"{adjective} {material} {noun} {color}"), None),
            ((code,), CODE),
        )
        category = rng.choice(en.departments)
        loc_lang, loc = "", None
        if self.locales and rng.random() < LOCALIZED_SHARE:
            langs = list(self.locales)
            loc_lang = rng.choices(langs, [LOCALE_WEIGHTS[lang] for lang in langs])[0]
            loc = self._localized(rng, self.locales[loc_lang], loc_lang, brand, code)
        return words, " ".join(brand), category, loc_lang, loc

    def _localized(
        self,
        rng: random.Random,
        words: LocaleCommerce,
        lang: str,
        brand: tuple[str, ...],
        code: str,
    ) -> Words:
        """A title in another language from that locale's own faker lists.

        faker's locale lists are not translations of each other, so this title is not a
        translation of the English one; it shares the brand and model code, as a merchant's
        listing in two markets would.
        """
        adjective, material, noun = (
            rng.choice(words.adjectives),
            rng.choice(words.materials) if words.materials else "",
            rng.choice(words.products),
        )
        color = rng.choice(words.colors) if words.colors and rng.random() < 0.5 else ""
        if lang == "zh":  # colour, material, adjective, noun: one run of characters
            chunks = tuple(c for c in (color, material, adjective, noun) if c)
            return self._words((brand, BRAND), (chunks, CJK), ((code,), CODE))
        if lang == "ja":  # modifier, product, colour: one run, as Japanese titles often are
            chunks = tuple(c for c in (adjective, noun, color) if c)
            return self._words((brand, BRAND), (chunks, CJK), ((code,), CODE))
        if lang == "ar":  # noun first, as faker's Arabic pattern writes it
            text = f"{noun} {material} {adjective} {color}"
        else:
            text = f"{adjective} {material} {noun} {color}"
        return self._words((_split(text), WORD), (brand, BRAND), ((code,), CODE))

    def _device(self, rng: random.Random, pool: list[tuple[str, tuple[str, ...]]], category: str):
        vendor, device = rng.choice(pool)
        # Half the listings carry the original vendor, half a reseller's brand (OEM goods).
        brand = _split(vendor) if rng.random() < 0.5 else rng.choice(self.brands)
        color: tuple[str, ...] = ()
        if self.en and category == "Electronics" and rng.random() < 0.25:
            color = (rng.choice(self.en.colors),)
        code = (self._code(rng),) if rng.random() < 0.6 else ()
        if tuple(w.casefold() for w in device[: len(brand)]) == tuple(w.casefold() for w in brand):
            brand, device = device[: len(brand)], device[len(brand) :]  # "Shuttle Shuttle PN31"
        words = self._words((brand, BRAND), (device, None), (color, WORD), (code, CODE))
        return words, " ".join(brand), category, "", None

    def _grocery(self, rng: random.Random):
        brand = rng.choice(self.brands)
        item = rng.choice(self.foods)
        fresh: tuple[str, ...] = ()
        if self.en and rng.random() < 0.3:
            fresh = (rng.choice(("Fresh", "Frozen", "Organic", "Dried")),)
        size = _split(rng.choice(GROCERY_SIZES))
        code = (self._code(rng),) if rng.random() < 0.5 else ()
        words = self._words(
            (brand, BRAND), (fresh, WORD), (item, None), (size, NUMBER), (code, CODE)
        )
        return words, " ".join(brand), "Grocery", "", None

    def _phone(self, rng: random.Random):
        phone = rng.choice(self.phones)
        color = _split(rng.choice(self.en.colors)) if self.en else ()
        code = (self._code(rng),)
        if rng.random() < 0.35:  # the phone itself
            ram = (rng.choice(self.vocab.ram_sizes),) if self.vocab.ram_sizes else ()
            words = self._words((phone, None), (ram, CODE), (color, WORD), (code, CODE))
            return words, phone[0], "Phones", "", None
        brand = rng.choice(self.brands)
        accessory = _split(rng.choice(PHONE_ACCESSORIES))
        material = _split(rng.choice(self.en.materials)) if self.en else ()
        words = self._words(
            (brand, BRAND),
            (material, WORD),
            (accessory, WORD),
            (("for",), WORD),
            (phone, None),
            (color, WORD),
            (code, CODE),
        )
        return words, " ".join(brand), "Phone accessories", "", None

    def _laptop(self, rng: random.Random):
        v = self.vocab
        maker = (rng.choice(v.computer_makers),)
        cpu = _split(rng.choice(v.cpus))
        gpu = _split(rng.choice(v.graphics)) if v.graphics and rng.random() < 0.5 else ()
        screen = _split(rng.choice(v.screen_sizes)) if v.screen_sizes else ()
        words = self._words(
            (maker, BRAND),
            (("Laptop",), WORD),
            (cpu, None),
            ((rng.choice(v.ram_sizes),), CODE),
            (screen, NUMBER),
            (gpu, None),
            ((self._code(rng),), CODE),
        )
        return words, maker[0], "Laptops", "", None

    def _auto(self, rng: random.Random):
        brand = rng.choice(self.brands)
        accessory = _split(rng.choice(CAR_ACCESSORIES))
        car = rng.choice(self.cars)
        words = self._words(
            (brand, BRAND),
            (accessory, WORD),
            (("for",), WORD),
            (car, None),
            ((self._code(rng),), CODE),
        )
        return words, " ".join(brand), "Automotive", "", None

    # -- the catalog ---------------------------------------------------------------------

    def generate(self, size: int) -> Catalog:
        rng = random.Random(self.seed * 1_000_003 + size)
        makers = {
            "goods": self._goods,
            "usb": lambda r: self._device(r, self.usb, "Electronics"),
            "pci": lambda r: self._device(r, self.pci, "Computers"),
            "grocery": self._grocery,
            "phone": self._phone,
            "laptop": self._laptop,
            "auto": self._auto,
        }
        merchants = max(1, size // 2000)
        products: list[Product] = []
        documents: list[SearchDocument] = []
        terms = TermIndex()
        counts = dict.fromkeys(self.families, 0)
        families = rng.choices(self.families, self.weights, k=size)
        for index, family in enumerate(families):
            product_id = index + 1
            en, brand, category, loc_lang, loc = makers[family](rng)
            price = self._price(rng, category)
            product = Product(product_id, family, en, loc_lang, loc, brand, category, price)
            products.append(product)
            counts[family] += 1
            titles = {"en": en.title()}
            if loc is not None:
                titles[loc_lang] = loc.title()
            code = next((w for w, k in zip(en.words, en.kinds, strict=True) if k == CODE), "")
            documents.append(
                SearchDocument(
                    product_id=product_id,
                    merchant_id=1 + rng.randrange(merchants),
                    titles=titles,
                    brand=brand,
                    category=category,
                    skus=(code,) if code else (),
                    in_stock=rng.random() < 0.97,
                    price=price,
                    currency="USD",
                )
            )
            term_list = [*terms_of(category)]
            for title_words in (en, loc) if loc is not None else (en,):
                for word, kind in zip(title_words.words, title_words.kinds, strict=True):
                    if kind == CODE and word.isascii():
                        term_list += _TOKEN.findall(word.lower())
                    else:
                        term_list += terms_of(word)
            terms.add(term_list)
        return Catalog(products, documents, terms, self.seed, self.vocab, counts)


def searchable_text(titles: Sequence[str], brand: str) -> str:
    """One string per product for the peers that index a single text field."""
    return " ".join([*titles, brand])
