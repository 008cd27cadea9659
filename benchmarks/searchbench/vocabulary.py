"""Product words read out of the pinned registry packages.

Everything here is parsing, never execution: faker's lists come as JSON (see ``sources``),
mimesis's JSON files and its Python data modules are read from the wheel as a zip (the modules
through ``ast.literal_eval`` of their list literals), nlpaug's misspelling list is a text file in
its wheel, and usb.ids/pci.ids are Debian's plain text databases. The parsed result is cached as
JSON keyed by the sources' hashes, so later runs start in milliseconds.
"""

from __future__ import annotations

import ast
import html
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from benchmarks.searchbench.sources import CACHE_DIR, Sources

# faker locale → the language code our SearchDocument.titles use.
FAKER_LANGS = {"en": "en", "ru": "ru", "zh_CN": "zh", "ar": "ar", "es": "es", "fr": "fr"}
FAKER_LANGS |= {"pt_BR": "pt", "tr": "tr", "de": "de"}

_CORPORATE = {
    "ab",
    "ag",
    "bv",
    "b.v.",
    "co",
    "co.",
    "company",
    "corp",
    "corp.",
    "corporation",
    "gmbh",
    "group",
    "holding",
    "holdings",
    "inc",
    "inc.",
    "incorporated",
    "international",
    "kg",
    "limited",
    "llc",
    "l.p.",
    "lp",
    "ltd",
    "ltd.",
    "n.v.",
    "nv",
    "plc",
    "pte",
    "pty",
    "s.a.",
    "sa",
    "s.p.a.",
    "spa",
    "srl",
    "the",
}
_NOT_A_BRAND = re.compile(
    r"unknown|wrong id|counterfeit|reserved|fake|etf|fund|trust|bancorp|"
    r"acquisition|notes|preferred|warrant|depositary|shares|portfolio|index|%",
    re.IGNORECASE,
)
_NOT_A_DEVICE = re.compile(
    r"unknown|reserved|counterfeit|\bdevice\b|\bdummy\b|\binvalid\b|\(.*wrong|engineering sample",
    re.IGNORECASE,
)
_TRADEMARKS = str.maketrans({"™": "", "®": "", "©": "", "″": " inch"})


@dataclass
class LocaleCommerce:
    """faker's commerce words for one language (lists are not aligned translations)."""

    adjectives: list[str]
    materials: list[str]
    products: list[str]
    departments: list[str]
    colors: list[str]


@dataclass
class Vocabulary:
    """All words the catalog generator draws from, with where each came from."""

    commerce: dict[str, LocaleCommerce] = field(default_factory=dict)  # lang → words
    brands: list[str] = field(default_factory=list)
    usb_devices: list[tuple[str, str]] = field(default_factory=list)  # (vendor, device)
    pci_devices: list[tuple[str, str]] = field(default_factory=list)
    food: dict[str, list[str]] = field(default_factory=dict)  # kind → items
    phones: list[str] = field(default_factory=list)
    computer_makers: list[str] = field(default_factory=list)
    cpus: list[str] = field(default_factory=list)
    graphics: list[str] = field(default_factory=list)
    ram_sizes: list[str] = field(default_factory=list)
    screen_sizes: list[str] = field(default_factory=list)
    cars: list[str] = field(default_factory=list)
    misspellings: dict[str, list[str]] = field(default_factory=dict)  # correct → misspellings
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        raw = json.loads(text)
        raw["commerce"] = {k: LocaleCommerce(**v) for k, v in raw["commerce"].items()}
        for key in ("usb_devices", "pci_devices"):
            raw[key] = [tuple(pair) for pair in raw[key]]
        return cls(**raw)


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        item = " ".join(item.split())
        if item and item.casefold() not in seen:
            seen[item.casefold()] = item
    return sorted(seen.values())


def clean_brand(name: str) -> str:
    """A shop-style brand from a company name: no legal suffixes, at most two words."""
    name = re.sub(r"\(.*?\)|\[.*?\]", " ", html.unescape(name).translate(_TRADEMARKS))
    name = name.split(",")[0].split(" / ")[0]
    words = name.split()
    while words and words[-1].casefold() in _CORPORATE:
        words.pop()
    while words and words[0].casefold() in {"the"}:
        words.pop(0)
    if not words or len(words) > 2 or _NOT_A_BRAND.search(name):
        return ""
    brand = " ".join(words).strip(" .-&")
    return brand if len(brand) >= 2 and any(c.isalpha() for c in brand) else ""


def clean_device(name: str) -> str:
    """A product line from a usb.ids/pci.ids device name (brackets kept only when needed)."""
    name = name.translate(_TRADEMARKS)
    if _NOT_A_DEVICE.search(name):
        return ""
    outside = re.sub(r"\[.*?\]|\(.*?\)", " ", name)
    inside = " ".join(re.findall(r"\[(.*?)\]", name))
    text = outside if len(outside.split()) >= 2 else inside or outside
    text = " ".join(text.replace("/", " / ").split()).strip(" ,;:-/")
    words = text.split()
    letters = sum(c.isalpha() for c in text)
    if not 2 <= len(words) <= 7 or len(text) > 48 or letters < 4:
        return ""
    return text


def parse_ids(text: str) -> list[tuple[str, str]]:
    """(vendor, device) pairs from usb.ids/pci.ids: vendor lines, then tab-indented devices."""
    pairs: list[tuple[str, str]] = []
    vendor = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("C ") or line.startswith("AT ") or line.startswith("HID "):
            break  # the class tables that follow are not products
        if re.match(r"^[0-9a-f]{4}  ", line):
            vendor = clean_brand(line[6:])
        elif re.match(r"^\t[0-9a-f]{4}  ", line) and vendor:
            device = clean_device(line[7:])
            if device:
                pairs.append((vendor, device))
    seen: set[str] = set()
    unique = []
    for vendor, device in pairs:
        if device.casefold() not in seen:
            seen.add(device.casefold())
            unique.append((vendor, device))
    return unique


def _literal_lists(source: str, names: set[str]) -> dict[str, list[str]]:
    """Module-level ``NAME = [...]`` literals of a Python data module, without running it."""
    found: dict[str, list[str]] = {}
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in names
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue  # a computed list (a comprehension): skip rather than evaluate
            if isinstance(value, list):
                found[node.targets[0].id] = [str(v) for v in value]
    return found


def read_faker(path: Path, vocab: Vocabulary) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for locale, lang in FAKER_LANGS.items():
        entry = data.get(locale)
        commerce = entry and entry.get("commerce")
        if not commerce or "product_name" not in commerce:
            if locale != "de":
                vocab.notes.append(f"faker has no commerce words for {locale}")
            continue
        names = commerce["product_name"]
        colors = ((entry.get("color") or {}).get("human")) or []
        vocab.commerce[lang] = LocaleCommerce(
            adjectives=_dedupe(names.get("adjective", [])),
            materials=_dedupe(names.get("material", [])),
            products=_dedupe(names.get("product", [])),
            departments=_dedupe(commerce.get("department", [])),
            colors=_dedupe(colors),
        )


def read_mimesis(wheel: Path, vocab: Vocabulary) -> None:
    with zipfile.ZipFile(wheel) as archive:

        def text(name: str) -> str:
            return archive.read(f"mimesis/datasets/{name}").decode("utf-8")

        hardware = _literal_lists(
            text("int/hardware.py"),
            {"MANUFACTURERS", "PHONE_MODELS", "CPU", "GRAPHICS", "RAM_SIZES", "SCREEN_SIZES"},
        )
        transport = _literal_lists(text("int/transport.py"), {"CARS", "AUTO_MANUFACTURERS"})
        finance = _literal_lists(text("int/finance.py"), {"STOCK_NAMES"})
        food = json.loads(text("en/food.json"))
        en_text = json.loads(text("en/text.json"))

    def strip(items: list[str]) -> list[str]:
        return _dedupe(" ".join(i.translate(_TRADEMARKS).split()) for i in items)

    vocab.phones = strip(hardware.get("PHONE_MODELS", []))
    vocab.computer_makers = strip(hardware.get("MANUFACTURERS", []))
    vocab.cpus = strip(hardware.get("CPU", []))
    vocab.graphics = strip(hardware.get("GRAPHICS", []))
    vocab.ram_sizes = strip(hardware.get("RAM_SIZES", []))
    vocab.screen_sizes = strip(hardware.get("SCREEN_SIZES", []))
    vocab.cars = strip(transport.get("CARS", []))
    vocab.food = {kind: strip(items) for kind, items in food.items() if isinstance(items, list)}
    brands = [clean_brand(n) for n in finance.get("STOCK_NAMES", [])]
    brands += transport.get("AUTO_MANUFACTURERS", []) + hardware.get("MANUFACTURERS", [])
    vocab.brands = _dedupe([*vocab.brands, *filter(None, brands)])
    if "en" in vocab.commerce:  # mimesis's English colours widen faker's list
        en = vocab.commerce["en"]
        en.colors = _dedupe([*en.colors, *en_text.get("color", [])])


def read_misspellings(wheel: Path, vocab: Vocabulary) -> None:
    """nlpaug's ``spelling_en.txt``: lines of ``correct misspelling1 misspelling2 ...``.

    Kept: lowercase alphabetic pairs where the misspelling is not itself a listed correct word
    (``earphones`` for ``headphones`` is another word, not a misspelling), and is within three
    edits and half the word's length (``baic`` for ``bicycle`` is unrecoverable by any engine).
    """
    member = "nlpaug/res/word/spelling/spelling_en.txt"
    with zipfile.ZipFile(wheel) as archive:
        if member not in archive.namelist():
            raise ValueError(f"{wheel.name} has no {member}")
        lines = archive.read(member).decode("utf-8", errors="replace").splitlines()
    table: dict[str, set[str]] = {}
    for line in lines:
        parts = line.split()
        if len(parts) >= 2:
            table.setdefault(parts[0].lower(), set()).update(p.lower() for p in parts[1:])
    correct_words = set(table)
    kept: dict[str, list[str]] = {}
    for correct, wrongs in table.items():
        if not (correct.isascii() and correct.isalpha() and len(correct) >= 4):
            continue
        good = sorted(
            w
            for w in wrongs
            if w.isascii()
            and w.isalpha()
            and w != correct
            and len(w) >= 3
            and w not in correct_words
            and Levenshtein.distance(correct, w) <= min(3, len(correct) // 2)
        )
        if good:
            kept[correct] = good
    vocab.misspellings = kept


def read_ids(path: Path) -> list[tuple[str, str]]:
    return parse_ids(path.read_text(encoding="utf-8", errors="replace"))


def build_vocabulary(sources: Sources, log: Callable[[str], None] = print) -> Vocabulary:
    """Parses every available source (cached by the sources' hashes)."""
    cached = CACHE_DIR / f"vocabulary-{sources.cache_key()}.json"
    if cached.exists():
        return Vocabulary.from_json(cached.read_text(encoding="utf-8"))
    vocab = Vocabulary()
    steps: list[tuple[str, Path | None, Callable[[Path], None]]] = [
        ("faker", sources.faker_json, lambda p: read_faker(p, vocab)),
        ("mimesis", sources.mimesis_wheel, lambda p: read_mimesis(p, vocab)),
        ("nlpaug", sources.nlpaug_wheel, lambda p: read_misspellings(p, vocab)),
    ]
    for name, path, reader in steps:
        if path is None:
            vocab.notes.append(f"{name} unavailable: its words are missing from the catalog")
            continue
        reader(path)
    if sources.usb_ids:
        vocab.usb_devices = read_ids(sources.usb_ids)
    if sources.pci_ids:
        vocab.pci_devices = read_ids(sources.pci_ids)
    vendors = [v for v, _ in vocab.usb_devices + vocab.pci_devices]
    vocab.brands = _dedupe([*vocab.brands, *vendors])
    vocab.brands = [b for b in vocab.brands if _ascii_letters(b)]
    log(
        f"  vocabulary: {len(vocab.brands)} brands, {len(vocab.usb_devices)} usb + "
        f"{len(vocab.pci_devices)} pci device names, {len(vocab.commerce)} faker languages, "
        f"{sum(map(len, vocab.food.values()))} foods, {len(vocab.cars)} cars, "
        f"{len(vocab.misspellings)} misspelt words"
    )
    cached.write_text(vocab.to_json(), encoding="utf-8")
    return vocab


def _ascii_letters(text: str) -> bool:
    """Brands are typed in Latin letters in every market we sell to; skip odd encodings."""
    folded = unicodedata.normalize("NFKD", text)
    return all(ord(c) < 128 or unicodedata.combining(c) for c in folded)
