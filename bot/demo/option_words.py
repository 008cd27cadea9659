"""The demo's option names and colour values in every shipped language.

The demo's products.toml gives colours in English; a buyer whose app speaks German should choose
"Farbe: Rot", not "Colour: Red", and the Chinese shop's staff read 颜色 in their notices. Sizes
(S, M, 42...) are written the same way everywhere and have no entry.
"""

from __future__ import annotations

from typing import Final

# Option name → {language: name}; the English name is the CSV's own option name.
NAMES: Final[dict[str, dict[str, str]]] = {
    "Colour": {"zh": "颜色", "es": "Color", "ru": "Цвет", "de": "Farbe", "fr": "Couleur",
               "pt": "Cor", "ar": "اللون"},
    "Size": {"zh": "尺码", "es": "Talla", "ru": "Размер", "de": "Größe", "fr": "Taille",
             "pt": "Tamanho", "ar": "المقاس"},
}  # fmt: skip

# Colour (as products.toml writes it) → {language: the value a buyer sees on the button}.
COLOURS: Final[dict[str, dict[str, str]]] = {
    "beige": {"zh": "米色", "es": "Beige", "ru": "Бежевый", "de": "Beige", "fr": "Beige",
              "pt": "Bege", "ar": "بيج"},
    "black": {"zh": "黑色", "es": "Negro", "ru": "Чёрный", "de": "Schwarz", "fr": "Noir",
              "pt": "Preto", "ar": "أسود"},
    "blue": {"zh": "蓝色", "es": "Azul", "ru": "Синий", "de": "Blau", "fr": "Bleu", "pt": "Azul",
             "ar": "أزرق"},
    "brown": {"zh": "棕色", "es": "Marrón", "ru": "Коричневый", "de": "Braun", "fr": "Marron",
              "pt": "Marrom", "ar": "بني"},
    "green": {"zh": "绿色", "es": "Verde", "ru": "Зелёный", "de": "Grün", "fr": "Vert",
              "pt": "Verde", "ar": "أخضر"},
    "grey": {"zh": "灰色", "es": "Gris", "ru": "Серый", "de": "Grau", "fr": "Gris", "pt": "Cinza",
             "ar": "رمادي"},
    "navy": {"zh": "藏青色", "es": "Azul marino", "ru": "Тёмно-синий", "de": "Marineblau",
             "fr": "Bleu marine", "pt": "Azul-marinho", "ar": "كحلي"},
    "orange": {"zh": "橙色", "es": "Naranja", "ru": "Оранжевый", "de": "Orange", "fr": "Orange",
               "pt": "Laranja", "ar": "برتقالي"},
    "pink": {"zh": "粉色", "es": "Rosa", "ru": "Розовый", "de": "Rosa", "fr": "Rose", "pt": "Rosa",
             "ar": "وردي"},
    "red": {"zh": "红色", "es": "Rojo", "ru": "Красный", "de": "Rot", "fr": "Rouge",
            "pt": "Vermelho", "ar": "أحمر"},
    "silver": {"zh": "银色", "es": "Plateado", "ru": "Серебристый", "de": "Silber",
               "fr": "Argenté", "pt": "Prateado", "ar": "فضي"},
    "white": {"zh": "白色", "es": "Blanco", "ru": "Белый", "de": "Weiß", "fr": "Blanc",
              "pt": "Branco", "ar": "أبيض"},
    "yellow": {"zh": "黄色", "es": "Amarillo", "ru": "Жёлтый", "de": "Gelb", "fr": "Jaune",
               "pt": "Amarelo", "ar": "أصفر"},
}  # fmt: skip
