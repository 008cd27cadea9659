"""Plain-words cart edits in every shipped language map to the cart's own operations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from orders.cart_language import Ambiguous, CartEdit, EditAction, parse_cart_edit

SET, ADD, SUB, REMOVE, EMPTY = (
    EditAction.SET,
    EditAction.ADD,
    EditAction.SUBTRACT,
    EditAction.REMOVE,
    EditAction.EMPTY,
)


@dataclass(frozen=True)
class Line:
    line_id: int
    title: str
    option_values: tuple[str, ...] = ()


# What the cart shows each buyer: titles in their language, a mug and headphones.
CARTS = {
    "en": [Line(1, "Ceramic mug", ("Red",)), Line(2, "Wireless headphones", ("Black",))],
    "ru": [Line(1, "Кружка керамическая", ("Красный",)), Line(2, "Наушники", ("Чёрный",))],
    "zh_Hans": [Line(1, "陶瓷杯子", ("红色",)), Line(2, "无线耳机", ("黑色",))],
    "es": [Line(1, "Taza de cerámica", ("Rojo",)), Line(2, "Auriculares", ("Negro",))],
    "de": [Line(1, "Keramiktasse", ("Rot",)), Line(2, "Kopfhörer", ("Schwarz",))],
    "fr": [Line(1, "Mug en céramique", ("Rouge",)), Line(2, "Casque sans fil", ("Noir",))],
    "pt_BR": [Line(1, "Caneca de cerâmica", ("Vermelho",)), Line(2, "Fones", ("Preto",))],
    "ar": [Line(1, "كوب سيراميك", ("أحمر",)), Line(2, "سماعات لاسلكية", ("أسود",))],
}

CASES = [
    # language, text, expected edit (line 1 is the mug, line 2 the headphones)
    ("en", "make the mug 3", CartEdit(SET, 1, 3)),
    ("en", "remove the mug", CartEdit(REMOVE, 1)),
    ("en", "add 2 more headphones", CartEdit(ADD, 2, 2)),
    ("en", "delete the red one", CartEdit(REMOVE, 1)),
    ("en", "one less headphones", CartEdit(SUB, 2, 1)),
    ("en", "empty my cart", CartEdit(EMPTY)),
    ("en", "make the mug three", CartEdit(SET, 1, 3)),
    ("ru", "пусть кружек будет 3", CartEdit(SET, 1, 3)),
    ("ru", "убери кружку", CartEdit(REMOVE, 1)),
    ("ru", "добавь ещё две кружки", CartEdit(ADD, 1, 2)),
    ("ru", "удали наушники", CartEdit(REMOVE, 2)),
    ("ru", "очисти корзину", CartEdit(EMPTY)),
    ("zh_Hans", "把杯子删掉", CartEdit(REMOVE, 1)),
    ("zh_Hans", "耳机再加两个", CartEdit(ADD, 2, 2)),
    ("zh_Hans", "杯子改成3个", CartEdit(SET, 1, 3)),
    ("zh_Hans", "清空购物车", CartEdit(EMPTY)),
    ("es", "quita la taza", CartEdit(REMOVE, 1)),
    ("es", "pon 3 tazas", CartEdit(SET, 1, 3)),
    ("es", "añade 2 más auriculares", CartEdit(ADD, 2, 2)),
    ("es", "vacía el carrito", CartEdit(EMPTY)),
    ("de", "mach 3 daraus bei der Tasse", CartEdit(SET, 1, 3)),
    ("de", "entferne die Kopfhörer", CartEdit(REMOVE, 2)),
    ("de", "noch zwei Kopfhörer", CartEdit(ADD, 2, 2)),
    ("de", "Warenkorb leeren", CartEdit(EMPTY)),
    ("fr", "enlève le mug", CartEdit(REMOVE, 1)),
    ("fr", "mets-en 3 pour le casque", CartEdit(SET, 2, 3)),
    ("fr", "ajoute encore deux mugs", CartEdit(ADD, 1, 2)),
    ("fr", "vide le panier", CartEdit(EMPTY)),
    ("pt_BR", "tira a caneca", CartEdit(REMOVE, 1)),
    ("pt_BR", "quero 3 canecas", CartEdit(SET, 1, 3)),
    ("pt_BR", "mais 2 fones", CartEdit(ADD, 2, 2)),
    ("pt_BR", "esvazia o carrinho", CartEdit(EMPTY)),
    ("ar", "احذف الكوب", CartEdit(REMOVE, 1)),
    ("ar", "أضف سماعات اثنين", CartEdit(ADD, 2, 2)),
    ("ar", "اجعل الكوب 3", CartEdit(SET, 1, 3)),
    ("ar", "افرغ السلة", CartEdit(EMPTY)),
]


@pytest.mark.parametrize(("language", "text", "expected"), CASES)
def test_phrases(language: str, text: str, expected: CartEdit) -> None:
    assert parse_cart_edit(text, language, CARTS[language]) == expected


def test_every_shipped_language_has_cases() -> None:
    assert {language for language, _, _ in CASES} == set(CARTS)


@pytest.mark.parametrize(
    ("language", "text", "action", "quantity"),
    [
        ("en", "make it 3", SET, 3),
        ("en", "remove it", REMOVE, None),
        ("ru", "пусть будет 3", SET, 3),
        ("zh_Hans", "再加两个", ADD, 2),
        ("de", "mach 3 daraus", SET, 3),
    ],
)
def test_unnamed_line_in_a_two_line_cart_asks(
    language: str, text: str, action: EditAction, quantity: int | None
) -> None:
    result = parse_cart_edit(text, language, CARTS[language])
    assert result == Ambiguous(action, quantity, (1, 2))
    assert result.resolve(2) == CartEdit(action, 2, quantity)


def test_unnamed_line_in_a_one_line_cart_is_that_line() -> None:
    only = CARTS["ru"][:1]
    assert parse_cart_edit("пусть будет 3", "ru", only) == CartEdit(SET, 1, 3)
    assert parse_cart_edit("再加两个", "zh_Hans", CARTS["zh_Hans"][1:]) == CartEdit(ADD, 2, 2)


def test_two_lines_fitting_the_words_are_offered_both() -> None:
    lines = [Line(1, "Ceramic mug", ("Red",)), Line(2, "Ceramic mug", ("Blue",)), Line(3, "Tea")]
    assert parse_cart_edit("remove the mug", "en", lines) == Ambiguous(REMOVE, None, (1, 2))
    assert parse_cart_edit("remove the blue mug", "en", lines) == CartEdit(REMOVE, 2)


def test_garbage_quantities_pass_through_for_the_cart_to_refuse() -> None:
    lines = CARTS["en"][:1]
    assert parse_cart_edit("make it -3", "en", lines) == CartEdit(SET, 1, -3)
    assert parse_cart_edit("make it 10^9", "en", lines) == CartEdit(SET, 1, 10**9)
    assert parse_cart_edit("make it 1000000000", "en", lines) == CartEdit(SET, 1, 10**9)
    huge = parse_cart_edit("make it " + "9" * 200, "en", lines)
    assert isinstance(huge, CartEdit) and huge.quantity is not None and huge.quantity > 99


@pytest.mark.parametrize(
    "text", ["red mug", "hello", "", "😀😀", "x" * 5000, "3", "wireless headphones under 50"]
)
def test_not_an_edit(text: str) -> None:
    assert parse_cart_edit(text, "en", CARTS["en"]) is None


def test_empty_cart_never_edits() -> None:
    assert parse_cart_edit("remove the mug", "en", []) is None


def test_other_languages_are_understood_too() -> None:
    """A buyer whose Telegram speaks German may still type English."""
    assert parse_cart_edit("remove the headphones", "de", CARTS["en"]) == CartEdit(REMOVE, 2)
