"""Colour, size and number words in the shipped languages (ar, de, en, es, fr, pt, ru, zh; ja too).

The same table serves the query parser ("rojas" → red) and the indexer (a variant option "Rojo" or
a title "红色杯子" gets the canonical colour term), so a Spanish buyer finds a product whose
merchant typed colours in Russian. Every word is stored folded (see :func:`text.fold`).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from catalog.search.text import fold

_RU_HARD: Final = ("ый", "ой", "ая", "ое", "ые", "ого", "ую", "ых", "ым", "ом", "ыми")
_RU_SOFT: Final = ("ий", "яя", "ее", "ие", "его", "юю", "их", "им", "ей")


def _ru(stem: str, endings: tuple[str, ...] = _RU_HARD) -> list[str]:
    return [stem + ending for ending in endings]


def _romance(stem: str) -> list[str]:
    """Spanish/Portuguese gender and number: rojo, roja, rojos, rojas."""
    return [stem + ending for ending in ("o", "a", "os", "as")]


def _de(stem: str) -> list[str]:
    return [stem] + [stem + ending for ending in ("e", "er", "es", "en", "em")]


# Words that name a colour in one language and something else in another ("rose" is pink in
# French, a flower in English): only read as colours when the buyer's language is the one given.
AMBIGUOUS: Final[dict[str, str]] = {"rose": "fr", "rot": "de", "or": "fr"}

_COLOURS: Final[dict[str, list[str]]] = {
    "black": [
        "black",
        *_romance("negr"),
        *_romance("pret"),
        "noir",
        "noire",
        "noirs",
        "noires",
        *_de("schwarz"),
        *_ru("черн"),
        "黑色",
        "黑",
        "黒",
        "黒い",
        "ブラック",
        "اسود",
        "سوداء",
    ],
    "white": [
        "white",
        *_romance("blanc"),
        *_romance("branc"),
        "blanche",
        "blancs",
        "blanches",
        *_de("weiss"),
        *_ru("бел"),
        "白色",
        "白い",
        "ホワイト",
        "ابيض",
        "بيضاء",
    ],
    "red": [
        "red",
        *_romance("roj"),
        *_romance("vermelh"),
        "rouge",
        "rouges",
        *_de("rot"),
        *_ru("красн"),
        "红色",
        "紅色",
        "赤い",
        "赤色",
        "レッド",
        "احمر",
        "حمراء",
    ],
    "green": [
        "green",
        "verde",
        "verdes",
        "vert",
        "verte",
        "verts",
        "vertes",
        *_de("grun"),
        *_ru("зелен"),
        "绿色",
        "綠色",
        "緑",
        "緑色",
        "グリーン",
        "اخضر",
        "خضراء",
    ],
    "blue": [
        "blue",
        "azul",
        "azules",
        "azuis",
        "bleu",
        "bleue",
        "bleus",
        "bleues",
        *_de("blau"),
        *_ru("син", _RU_SOFT),
        *_ru("голуб"),
        "蓝色",
        "藍色",
        "青い",
        "青色",
        "ブルー",
        "ازرق",
        "زرقاء",
    ],
    "yellow": [
        "yellow",
        *_romance("amarill"),
        *_romance("amarel"),
        "jaune",
        "jaunes",
        *_de("gelb"),
        *_ru("желт"),
        "黄色",
        "黃色",
        "イエロー",
        "اصفر",
        "صفراء",
    ],
    "orange": [
        "orange",
        "naranja",
        "naranjas",
        "laranja",
        "laranjas",
        *_de("orang"),
        *_ru("оранжев"),
        "橙色",
        "オレンジ",
        "برتقالي",
        "برتقاليه",
    ],
    "purple": [
        "purple",
        "violet",
        *_romance("morad"),
        *_romance("rox"),
        "violeta",
        "violette",
        "violets",
        "violettes",
        "pourpre",
        *_de("violett"),
        "lila",
        *_ru("фиолетов"),
        "紫色",
        "紫",
        "パープル",
        "بنفسجي",
        "بنفسجيه",
        "ارجواني",
    ],
    "pink": [
        "pink",
        "rosa",
        "rosas",
        *_romance("rosad"),
        "rose",
        "roses",
        *_ru("розов"),
        "粉色",
        "粉红色",
        "粉紅色",
        "ピンク",
        "وردي",
        "ورديه",
        "زهري",
    ],
    "brown": [
        "brown",
        "marron",
        "marrones",
        "marrom",
        "marrons",
        "brun",
        "brune",
        *_de("braun"),
        *_ru("коричнев"),
        "棕色",
        "咖啡色",
        "茶色",
        "ブラウン",
        "بني",
        "بنيه",
    ],
    "grey": [
        "grey",
        "gray",
        "gris",
        "grises",
        "grise",
        "cinza",
        *_romance("cinzent"),
        *_de("grau"),
        *_ru("сер"),
        "灰色",
        "グレー",
        "رمادي",
        "رماديه",
    ],
    "beige": ["beige", "beis", "bege", "beiges", *_ru("бежев"), "米色", "ベージュ", "بيج"],
    "gold": [
        "gold",
        "golden",
        *_romance("dorad"),
        *_romance("dourad"),
        "dore",
        "doree",
        "dores",
        "or",
        *_ru("золот"),
        *_ru("золотист"),
        "金色",
        "ゴールド",
        "ذهبي",
        "ذهبيه",
    ],
    "silver": [
        "silver",
        *_romance("platead"),
        *_romance("pratead"),
        "plata",
        "prata",
        "argent",
        "argente",
        "argentee",
        *_de("silbern"),
        "silber",
        *_ru("серебрист"),
        *_ru("серебрян"),
        "银色",
        "銀色",
        "シルバー",
        "فضي",
        "فضيه",
    ],
}

COLOURS: Final[tuple[str, ...]] = tuple(_COLOURS)
"""Canonical English colour names, the values of :attr:`ParsedQuery.colours`."""

_COLOUR_OF: Final[dict[str, str]] = {
    fold(word): colour for colour, words in _COLOURS.items() for word in words
}
_CJK_COLOUR: Final = re.compile(
    "|".join(
        sorted(
            (w for w in _COLOUR_OF if not w.isascii() and ord(w[0]) >= 0x3000),
            key=len,
            reverse=True,
        )
    )
)

LETTER_SIZES: Final[dict[str, str]] = {
    "xxs": "xxs", "xs": "xs", "s": "s", "m": "m", "l": "l", "xl": "xl", "xxl": "xxl",
    "2xl": "xxl", "xxxl": "xxxl", "3xl": "xxxl", "4xl": "4xl", "xxxxl": "4xl", "5xl": "5xl",
}  # fmt: skip
"""Letter sizes and their canonical spelling; s/m/l alone are only sizes after a size word."""

ASCII_COLOUR_AND_SIZE_WORDS: Final[frozenset[str]] = frozenset(
    [word for word in _COLOUR_OF if word.isascii()] + list(LETTER_SIZES)
)
"""Every ASCII word :func:`colour_of` or :func:`size_of` may read as a colour or size."""

SIZE_WORDS: Final[frozenset[str]] = frozenset(
    fold(w)
    for w in (
        "size", "sz", "talla", "tallas", "tamanho", "taille", "größe", "grosse", "gr", "размер",
        "размера", "р-р", "尺码", "尺寸", "码", "号", "サイズ", "مقاس", "المقاس", "eu", "us", "uk",
    )
)  # fmt: skip

NUMBER_WORDS: Final[dict[str, int]] = {
    fold(w): n
    for n, words in {
        2: (
            "two",
            "dos",
            "dois",
            "duas",
            "deux",
            "zwei",
            "два",
            "две",
            "اثنين",
            "اثنان",
            "两",
            "二",
        ),
        3: ("three", "tres", "três", "trois", "drei", "три", "ثلاثة", "三"),
        4: ("four", "cuatro", "quatro", "quatre", "vier", "четыре", "اربعة", "四"),
        5: ("five", "cinco", "cinq", "fünf", "пять", "خمسة", "五"),
        6: ("six", "seis", "sechs", "шесть", "ستة", "六"),
        10: ("ten", "diez", "dez", "dix", "zehn", "десять", "عشرة", "十"),
    }.items()
    for w in words
}
"""Spelled-out quantities a buyer may lead with ("два кружки", "两个杯子").

'One' is left out because
it is part of too many product names ("one piece")."""

CJK_COUNTERS: Final = "个個件只双雙条條台本瓶包盒套支把张張对對枚本つ"


def colour_of(word: str, language: str | None = None) -> str | None:
    """Canonical colour of one folded word, or None; knows Arabic's definite article too."""
    colour = _COLOUR_OF.get(word)
    if colour is None and word.startswith("ال") and len(word) > 4:
        colour = _COLOUR_OF.get(word[2:])
    if colour is None:
        return None
    owner = AMBIGUOUS.get(word)
    if owner is not None and (language is None or not language.startswith(owner)):
        return None
    return colour


def cjk_colours(text: str) -> list[re.Match[str]]:
    """Colour words inside unspaced Chinese/Japanese text, longest forms first."""
    return list(_CJK_COLOUR.finditer(text))


@cache
def size_of(word: str, *, after_size_word: bool = False) -> str | None:
    """Canonical size for a folded word: letter sizes (XL, 2XL), and numbers such as shoe sizes
    only when a size word came first ("size 42", "talla 38")."""
    canonical = LETTER_SIZES.get(word)
    if canonical is not None:
        if len(canonical) == 1 and not after_size_word:
            return None
        return canonical
    if after_size_word and re.fullmatch(r"\d{1,2}(?:[.,]5)?", word):
        return word.replace(",", ".")
    return None
