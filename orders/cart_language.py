"""Plain-words cart edits: "make it 3", "убери кружку", "再加两个" → the cart's own operations.

A compact phrase table per shipped language finds the intent (set, add more, take fewer,
remove, empty) and the quantity (digits in any script, or a small number word); what is left
names the line, matched against the cart's titles and options with rapidfuzz. When the line is
not certain the result is `Ambiguous` with the candidates, so the handler asks with buttons
instead of guessing. Quantities are passed through unchecked: the use case answers "-3" and
"10^9" with its typed error, in the buyer's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from rapidfuzz import fuzz


class EditAction(StrEnum):
    SET = "set"  # the line's quantity becomes `quantity`
    ADD = "add"  # the line's quantity grows by `quantity`
    SUBTRACT = "subtract"  # the line's quantity shrinks by `quantity` (to nothing: removed)
    REMOVE = "remove"  # the line goes
    EMPTY = "empty"  # every line goes


@dataclass(frozen=True, slots=True)
class CartEdit:
    action: EditAction
    line_id: int | None = None  # None only for EMPTY
    quantity: int | None = None  # for SET, ADD, SUBTRACT


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """The edit is clear, the line is not: ask which of `line_ids` the buyer means."""

    action: EditAction
    quantity: int | None
    line_ids: tuple[int, ...]

    def resolve(self, line_id: int) -> CartEdit:
        """The edit once the buyer pressed the button of `line_id` (still checked by the cart)."""
        return CartEdit(self.action, line_id, self.quantity)


class NamedLine(Protocol):
    """What the parser needs of a cart line (`orders.cart.CartLineView` has it)."""

    @property
    def line_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def option_values(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class _Phrases:
    empty: str
    remove: str
    subtract: str
    add: str
    set: str
    numbers: dict[str, int]
    stopwords: frozenset[str]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _numbers(one_to_ten: str, extra: dict[str, int] | None = None) -> dict[str, int]:
    """Number words from "one two/couple three ...": the n-th group names n; "/" separates forms."""
    table = {
        form: value
        for value, group in enumerate(one_to_ten.split(), start=1)
        for form in group.split("/")
    }
    return {**table, **(extra or {})}


# Regex fragments matched on casefolded text at word starts (except Chinese, matched anywhere).
# Stems end in \w* so "entferne", "entfernen" and "entfernt" all read as one verb.
PHRASES: dict[str, _Phrases] = {
    "en": _Phrases(
        empty=r"(?:empty|clear)(?: out)?(?: the| my)? (?:cart|basket)|(?:remove|delete|clear) "
        r"(?:everything|all)|start over",
        remove=r"remove|delete|drop|take out|take off|get rid of|don'?t want|no more",
        subtract=r"(?:\d+|one|two|three) (?:less|fewer)|minus|take away|reduce by",
        add=r"add|more|another|extra|plus|increase by",
        set=r"make(?: it| that| them)?|change (?:it )?to|set (?:it )?to|i (?:want|need)|"
        r"i'?ll take|only|just|quantity",
        numbers=_numbers("one two/couple/pair three four five six seven eight nine ten"),
        stopwords=_words(
            "the a an one ones it them that this of please pls my from cart to "
            "item items x pcs pieces piece units unit and in basket"
        ),
    ),
    "ru": _Phrases(
        empty=r"очист\w*(?: мою)?(?: корзин\w*)?|удал\w* вс[её]|убер\w* вс[её]",
        remove=r"убер\w*|убра\w*|удал\w*|выкин\w*|не нужн\w*|не надо",
        subtract=r"на (?:\d+|один|одну|два|две|три) меньше|минус",
        add=r"добав\w*|ещ[её]|плюс|докин\w*",
        set=r"пусть|будет|будут|сделай|сделать|постав\w*|хочу|измени\w* на|нужно|нужна|"
        r"нужен|только",
        numbers=_numbers(
            "один/одна/одну/одно два/две/пару/пара три четыре пять шесть семь восемь девять десять"
        ),
        stopwords=_words(
            "пожалуйста плиз из в корзины корзине корзину шт штук штуки штука "
            "её ее его их это эту этот эти и мне"
        ),
    ),
    "zh": _Phrases(
        empty=r"清空|全部删|都删|全删|全部去掉|都不要",
        remove=r"删掉|删除|删了|删|去掉|拿掉|不要了|不要|移除",
        subtract=r"少[一二两三四五六七八九十\d]+|减[一二两三四五六七八九十\d]+|减少",
        add=r"再加|再来|再要|多加|多来|多要|加",
        set=r"改成|改为|换成|变成|要|来",
        numbers=_numbers("一 两/俩/二 三 四 五 六 七 八 九 十"),
        stopwords=frozenset("把个件只的了吧请一下再给我购物车里中呢啊"),
    ),
    "es": _Phrases(
        empty=r"vac[ií]a\w*(?: el| mi)?(?: carrito| cesta)?|borra\w* todo|quita\w* todo|"
        r"elimina\w* todo",
        remove=r"quit\w*|elimin\w*|borr\w*|saca\w*|ya no quiero",
        subtract=r"(?:\d+|uno|una|dos|tres) menos|resta\w*",
        add=r"añad\w*|agreg\w*|m[aá]s|otr[oa]s?",
        set=r"pon\w*|que sean?|cambia\w*(?: a)?|quiero|d[eé]jal[oa]s? en|solo",
        numbers=_numbers("uno/una/un dos tres cuatro cinco seis siete ocho nueve diez"),
        stopwords=_words(
            "el la los las lo de del por favor mi carrito cesta a en unidades unidad y me"
        ),
    ),
    "de": _Phrases(
        empty=r"(?:leere?|leeren) (?:den |meinen )?warenkorb|warenkorb leeren|alles (?:löschen|"
        r"entfernen|raus)|lösch\w* alles|entfern\w* alles",
        remove=r"entfern\w*|lösch\w*|nimm \w+ raus|raus|weg|streich\w*",
        subtract=r"(?:\d+|eins|ein|eine|zwei|drei) weniger|minus",
        add=r"noch|mehr|zusätzlich|füg\w*|plus",
        set=r"mach\w*|änder\w* (?:auf|in)|setz\w* auf|ich (?:will|möchte|brauche)|nur",
        numbers=_numbers("eins/ein/eine/einen zwei drei vier fünf sechs sieben acht neun zehn"),
        stopwords=_words(
            "der die das den dem des daraus davon draus bitte aus dem warenkorb "
            "stück stk mal es sie zu und mir"
        ),
    ),
    "fr": _Phrases(
        empty=r"vide\w*(?: le| mon)? panier|supprim\w* tout|enl[eè]v\w* tout|tout supprimer",
        remove=r"enl[eè]v\w*|supprim\w*|retir\w*|[oô]te\w*",
        subtract=r"(?:\d+|un|une|deux|trois) de moins|moins",
        add=r"ajout\w*|encore|de plus|en plus|rajout\w*",
        set=r"mets[ -]en|met\w*|change\w*(?: à| a)?|je (?:veux|voudrais)|passe\w* à|seulement",
        numbers=_numbers("un/une deux trois quatre cinq six sept huit neuf dix"),
        stopwords=_words(
            "le la les l' de du des en s'il te plaît plait stp svp mon panier à "
            "au pièces pièce exemplaires et moi"
        ),
    ),
    "pt": _Phrases(
        empty=r"esvazi\w*(?: o| meu)?(?: carrinho)?|limp\w* o carrinho|(?:tira|remove|apaga)\w* "
        r"tudo",
        remove=r"tir\w*|remov\w*|apag\w*|exclu\w*|delet\w*|n[aã]o quero mais",
        subtract=r"(?:\d+|um|uma|dois|duas|tr[eê]s) a menos|menos",
        add=r"adicion\w*|acrescent\w*|mais|outr[oa]s?",
        set=r"coloc\w*|p[oõ]e|mud\w*(?: para| pra)?|quero|deix\w* (?:com|em)|s[oó]",
        numbers=_numbers("um/uma dois/duas três/tres quatro cinco seis sete oito nove dez"),
        stopwords=_words(
            "o a os as de do da dos das por favor meu minha carrinho no na unidades unidade e me"
        ),
    ),
    "ar": _Phrases(
        empty=r"[أا]فرغ\w*(?: ال)?(?:سلة)?|امسح الكل|احذف الكل|احذف كل شيء|فرغ السلة",
        remove=r"[اإ]?حذف\w*|[أا]زل\w*|[اإ]زالة|شيل\w*|امسح\w*|لا اريد|لا أريد",
        subtract=r"[أا]نقص\w*|قلل\w*",
        add=r"[أا]ضف\w*|[اإ]ضافة|زيد\w*|زود\w*|كمان|[أا]يضا",
        set=r"اجعل\w*|خلي\w*|غير\w*(?: [اإ]لى)?|[أا]ريد|عدل\w*",
        numbers=_numbers(
            "واحد/واحدة اثنين/اثنان/اثنتين ثلاثة/ثلاث أربعة/اربعة خمسة ستة سبعة ثمانية تسعة عشرة"
        ),
        stopwords=_words("من في السلة سلة لو سمحت من فضلك و لي قطع قطعة حبة"),
    ),
}
_FALLBACK_ORDER = ("en", "ru", "zh", "es", "de", "fr", "pt", "ar")

_NUMBER = re.compile(r"(?<![\w^])([-−]?)(\d+)(?:\s*\^\s*(\d+))?")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PUNCTUATION = re.compile(r"[^\w\s'-]")
_MATCH_SCORE = 70  # a line whose words score below this on average is not named
_NOISE = 60  # a word scoring below this against every line names none of them
_PART_WEIGHT = 0.9  # a word found inside a longer one counts a little less than a whole match
_TIE = 10  # lines within this of the best are all offered
_HUGE = 10**12  # stands for any number too long to read; the cart refuses it as out of range


def language_of(locale: str) -> str:
    """`pt_BR` → `pt`, `zh_Hans` → `zh`: the phrase table a locale reads."""
    return (locale or "en").replace("-", "_").split("_")[0].lower()


def parse_cart_edit(
    text: str, language: str, cart_lines: Sequence[NamedLine]
) -> CartEdit | Ambiguous | None:
    """The cart edit `text` asks for, `Ambiguous` if the line is unsure, None if no edit.

    The buyer's own language is tried first, then the others (buyers mix languages).
    """
    if not cart_lines or not isinstance(text, str) or len(text) > 300:
        return None
    normalised = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    first = language_of(language)
    for code in (first, *(code for code in _FALLBACK_ORDER if code != first)):
        phrases = PHRASES.get(code)
        if phrases is not None:
            found = _parse(normalised, phrases, cjk=code == "zh", lines=cart_lines)
            if found is not None:
                return found
    return None


def may_be_cart_edit(text: str) -> bool:
    """False when no language's edit phrase ("remove", "make it", "再加") is in `text`: then
    `parse_cart_edit` finds no edit whatever the cart holds, and the cart need not be read."""
    if not isinstance(text, str) or len(text) > 300:
        return False
    normalised = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return any(
        _search(pattern, normalised, cjk=code == "zh") is not None
        for code, phrases in PHRASES.items()
        for pattern in (
            phrases.empty, phrases.subtract, phrases.remove, phrases.add, phrases.set,
        )
    )  # fmt: skip


def _parse(
    text: str, phrases: _Phrases, *, cjk: bool, lines: Sequence[NamedLine]
) -> CartEdit | Ambiguous | None:
    for action, pattern in (
        (EditAction.EMPTY, phrases.empty),
        (EditAction.SUBTRACT, phrases.subtract),
        (EditAction.REMOVE, phrases.remove),
        (EditAction.ADD, phrases.add),
        (EditAction.SET, phrases.set),
    ):
        match = _search(pattern, text, cjk=cjk)
        if match is None:
            continue
        if action == EditAction.EMPTY:
            return CartEdit(EditAction.EMPTY)
        rest = _remove(pattern, text, cjk=cjk)
        quantity, rest = _quantity(rest, phrases, words=action != EditAction.REMOVE)
        if action == EditAction.SUBTRACT and quantity is None:
            quantity = _quantity(match.group(0), phrases, words=True)[0]
        if action == EditAction.REMOVE and quantity is not None:
            action = EditAction.SUBTRACT  # "remove 2 mugs": two fewer, not the whole line
        if action in (EditAction.ADD, EditAction.SUBTRACT) and quantity is None:
            quantity = 1
        if action == EditAction.SET and quantity is None:
            continue  # "make it" without a number is not an edit we can do
        return _target(action, quantity, _name_words(rest, phrases, cjk=cjk), lines)
    return None


def _search(pattern: str, text: str, *, cjk: bool) -> re.Match[str] | None:
    if cjk:
        return re.search(f"(?:{pattern})", text)
    return re.search(rf"(?<![\w'])(?:{pattern})(?![\w'])", text)


def _remove(pattern: str, text: str, *, cjk: bool) -> str:
    """`text` without any of the intent's phrases ("add 2 more": both "add" and "more")."""
    if cjk:
        return re.sub(f"(?:{pattern})", " ", text)
    return re.sub(rf"(?<![\w'])(?:{pattern})(?![\w'])", " ", text)


def _quantity(text: str, phrases: _Phrases, *, words: bool) -> tuple[int | None, str]:
    """The quantity in `text` (digits in any script, or a number word) and the text without it."""
    match = _NUMBER.search(text)
    if match is not None:
        sign, digits, power = match.groups()
        value = int(digits) if len(digits) <= 12 else _HUGE
        if power is not None:  # "10^9", typed as such
            value = value ** int(power) if len(power) <= 2 and value < 10**6 else _HUGE
        if sign:
            value = -value
        return value, text[: match.start()] + " " + text[match.end() :]
    if words:
        for word, value in sorted(phrases.numbers.items(), key=lambda item: -len(item[0])):
            found = re.search(
                re.escape(word) if _CJK.match(word) else rf"(?<!\w){re.escape(word)}(?!\w)",
                text,
            )
            if found is not None:
                return value, text[: found.start()] + " " + text[found.end() :]
    return None, text


def _name_words(text: str, phrases: _Phrases, *, cjk: bool) -> list[str]:
    """What is left of the text once intent, numbers and filler words are gone."""
    if cjk:
        chars = [char for char in text if char.strip() and char not in phrases.stopwords]
        leftover = "".join(char for char in chars if not _PUNCTUATION.match(char))
        return [leftover] if leftover else []
    words = _PUNCTUATION.sub(" ", text).replace("-", " ").split()
    return [_stem(word) for word in words if word.strip("'") and word not in phrases.stopwords]


def _stem(word: str) -> str:
    """Drops what attaches to a noun without changing it: Arabic "ال", French "l'"."""
    for prefix in ("وال", "ال", "l'", "d'"):
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            return word[len(prefix) :]
    return word


def _target(
    action: EditAction, quantity: int | None, words: list[str], lines: Sequence[NamedLine]
) -> CartEdit | Ambiguous:
    everyone = Ambiguous(action, quantity, tuple(line.line_id for line in lines))
    scores = [[_word_score(word, line) for line in lines] for word in words]
    # Words that fit no line at all ("bei", "please" in some language) are filler, not names.
    naming = [row for row in scores if max(row) >= _NOISE]
    if not naming:
        return CartEdit(action, lines[0].line_id, quantity) if len(lines) == 1 else everyone
    totals = [sum(row[index] for row in naming) / len(naming) for index in range(len(lines))]
    best = max(totals)
    if best < _MATCH_SCORE:
        return everyone
    close = tuple(
        line.line_id for line, total in zip(lines, totals, strict=True) if total >= best - _TIE
    )
    if len(close) == 1:
        return CartEdit(action, close[0], quantity)
    return Ambiguous(action, quantity, close)


def _word_score(word: str, line: NamedLine) -> float:
    """How well one of the buyer's words names `line`: against its best word (or, for
    Chinese, anywhere in its text)."""
    haystack = unicodedata.normalize("NFKC", " ".join((line.title, *line.option_values))).casefold()
    if _CJK.search(word):
        return float(fuzz.partial_ratio(word, haystack.replace(" ", "")))
    targets = [_stem(target) for target in _PUNCTUATION.sub(" ", haystack).split()]
    best = max((fuzz.ratio(word, target) for target in targets), default=0.0)
    if len(word) >= 4:  # German compounds: "Tasse" names a "Keramiktasse"
        partial = max((fuzz.partial_ratio(word, target) for target in targets), default=0.0)
        best = max(best, _PART_WEIGHT * partial)
    return best
