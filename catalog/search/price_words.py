"""Words around prices in the shipped languages (ar, de, en, es, fr, pt, ru, zh; ja too).

Every word is written folded (lower case, no accents, Arabic letter variants unified: see
:func:`text.fold`) because the parser matches folded text. Currency words only count next to a
number, so English words such as "real" or "pound" are safe here.
"""

from __future__ import annotations

from typing import Final

UPPER: Final = "max"
LOWER: Final = "min"

# Before the number: "under 50", "до 50", "低于50", "أقل من 50".
PRICE_BEFORE: Final[dict[str, str]] = {
    **dict.fromkeys(
        (
            # en
            "under", "below", "less than", "cheaper than", "up to", "upto", "max", "maximum",
            "at most", "no more than", "not more than", "within", "<", "<=", "=<", "≤",
            # ru
            "до", "дешевле", "меньше", "менее", "ниже", "не дороже", "не более", "максимум",
            "макс", "в пределах",
            # zh / ja
            "低于", "少于", "小于", "不超过", "不到", "不高于", "最多", "至多", "便宜于",
            # es
            "menos de", "hasta", "bajo", "por debajo de", "menor a", "menor que", "maximo",
            "no mas de", "inferior a", "mas barato que", "mas baratos que",
            # de
            "unter", "bis", "bis zu", "maximal", "hochstens", "weniger als", "gunstiger als",
            "billiger als", "unterhalb von",
            # fr
            "moins de", "jusqu'a", "jusqu’a", "jusqua", "sous", "pas plus de", "inferieur a",
            "en dessous de", "moins cher que", "moins chers que",
            # pt
            "abaixo de", "ate", "no maximo", "mais barato que", "mais baratos que",
            # ar
            "اقل من", "باقل من", "حتى", "تحت", "ارخص من", "لا يزيد عن", "بحد اقصى", "اقصى",
        ),
        UPPER,
    ),
    **dict.fromkeys(
        (
            # en
            "over", "above", "more than", "at least", "min", "minimum", "from", "starting at",
            "upwards of", ">", ">=", "=>", "≥",
            # ru
            "от", "дороже", "больше", "более", "свыше", "выше", "не менее", "не дешевле",
            "минимум",
            # zh / ja
            "高于", "超过", "大于", "多于", "至少", "不低于",
            # es
            "mas de", "desde", "sobre", "por encima de", "minimo", "a partir de", "superior a",
            "mayor a", "mayor que",
            # de
            "uber", "ab", "mehr als", "mindestens", "teurer als", "oberhalb von",
            # fr
            "plus de", "au moins", "des", "au-dessus de", "au dessus de", "superieur a",
            "plus cher que",
            # pt
            "acima de", "mais de", "no minimo",
            # ar
            "اكثر من", "باكثر من", "فوق", "اعلى من", "على الاقل",
        ),
        LOWER,
    ),
}  # fmt: skip

# After the number: "50元以下", "50 or less", "50 и выше".
PRICE_AFTER: Final[dict[str, str]] = {
    **dict.fromkeys(
        (
            "以下", "以下的", "以内", "以内的", "未満", "まで", "or less", "or under",
            "and under", "and below", "or cheaper", "max", "и дешевле", "или дешевле",
            "и меньше", "o menos", "ou menos", "oder weniger", "und weniger", "ou moins",
            "maximum", "максимум", "او اقل",
        ),
        UPPER,
    ),
    **dict.fromkeys(
        (
            "以上", "以上的", "起", "or more", "and up", "and above", "+", "и выше",
            "и дороже", "или дороже", "o mas", "ou mais", "und mehr", "oder mehr", "ou plus",
            "او اكثر",
        ),
        LOWER,
    ),
}  # fmt: skip

# "between 50 and 100", "от 50 до 100", "entre 50 y 100", "von 50 bis 100", "بين 50 و 100".
RANGE_OPENERS: Final = (
    "between", "from", "от", "entre", "de", "desde", "zwischen", "von", "بين", "من", "从", "在",
)  # fmt: skip
RANGE_JOINERS: Final = (
    "and", "to", "до", "по", "y", "a", "hasta", "und", "bis", "et", "a", "e", "ate", "و",
    "الى", "حتى", "-", "–", "—", "~", "～", "..", "到", "至", "和", "之间",
)  # fmt: skip
RANGE_CLOSERS: Final = ("之间", "之间的", "范围")

# Words a buyer puts between the product and the price: "mugs for under 50", "цена до 500".
PRICE_FILLERS: Final = (
    "for", "at", "price", "priced", "cost", "costing", "with price", "за", "цена", "ценой",
    "стоимостью", "по цене", "por", "precio", "para", "preis", "fur", "pour", "prix", "preco",
    "سعر", "بسعر", "价格", "价钱", "价位", "价格在", "値段", "価格",
)  # fmt: skip

# Currency tokens (symbols, ISO codes, words) → ISO 4217 code; None when it names a currency
# without saying which (a peso of which country?). "¥" is decided by the language (see query).
CURRENCIES: Final[dict[str, str | None]] = {
    **dict.fromkeys(
        ("$", "us$", "usd", "dollar", "dollars", "dolar", "dolares", "доллар", "долларов",
         "доллара", "доллары", "долл", "бакс", "баксов", "دولار", "美元", "美金", "ドル"),
        "USD",
    ),
    **dict.fromkeys(("€", "eur", "euro", "euros", "евро", "يورو", "欧元", "ユーロ"), "EUR"),
    **dict.fromkeys(
        ("元", "块", "块钱", "元钱", "rmb", "cny", "yuan", "юань", "юаней", "юаня", "юани",
         "人民币", "يوان", "￥"),
        "CNY",
    ),
    **dict.fromkeys(("円", "jpy", "yen", "иен", "иена", "иены", "ين"), "JPY"),
    **dict.fromkeys(
        ("₽", "руб", "руб.", "рубль", "рублей", "рубля", "рубли", "р", "р.", "rub", "روبل"),
        "RUB",
    ),
    **dict.fromkeys(("r$", "brl", "reais", "real"), "BRL"),
    **dict.fromkeys(("£", "gbp", "pound", "pounds", "фунт", "фунтов", "英镑"), "GBP"),
    **dict.fromkeys(("₹", "inr", "rupees", "rs", "rs."), "INR"),
    **dict.fromkeys(("₴", "uah", "грн", "гривен", "гривна"), "UAH"),
    **dict.fromkeys(("₸", "kzt", "тенге", "тг"), "KZT"),
    **dict.fromkeys(("₺", "tl"), "TRY"),
    **dict.fromkeys(("₩", "krw"), "KRW"),
    **dict.fromkeys(("ريال", "ر.س", "sar"), "SAR"),
    **dict.fromkeys(("درهم", "د.ا", "aed"), "AED"),
    **dict.fromkeys(("جنيه", "ج.م", "egp"), "EGP"),
    **{code.lower(): code for code in (
        "CHF", "CAD", "AUD", "NZD", "MXN", "ARS", "CLP", "COP", "PEN", "UYU", "PLN", "CZK",
        "HUF", "SEK", "NOK", "DKK", "BYN", "HKD", "TWD", "SGD", "THB", "VND", "IDR", "MYR",
        "ILS", "QAR", "KWD", "BHD", "OMR", "JOD", "MAD", "DZD", "TND", "NGN", "ZAR", "KES",
    )},
    **dict.fromkeys(("peso", "pesos", "песо", "franc", "francs", "франков"), None),
}  # fmt: skip

# Thousands after a number: "5k", "2 тыс", "1万".
MULTIPLIERS: Final[dict[str, int]] = {"k": 1000, "к": 1000, "тыс": 1000, "千": 1000, "万": 10_000}

# A leading number followed by these is a measure, not a quantity ("20 inch monitor").
UNITS: Final = frozenset(
    (
        "in", "inch", "inches", "cm", "mm", "m", "km", "ml", "l", "g", "kg", "mg", "oz", "lb",
        "lbs", "gb", "tb", "mb", "mah", "w", "v", "hz", "mp", "x", "in1", "pack", "ft",
        "дюйм", "дюйма", "дюймов", "см", "мм", "мл", "л", "г", "кг", "гб", "тб", "вт", "в",
        "zoll", "pulgadas", "pouces", "polegadas", "en", "em", "dans", "و",
    )
)  # fmt: skip

# A number followed by these measures something, so it is no price ("up to 64 gb", "under 2 kg").
# Words that are also prepositions or sizes ("in", "m", "x", "в", "و") are left out.
MEASURES: Final = UNITS - {"in", "m", "l", "x", "in1", "pack", "в", "en", "em", "dans", "و"}

# "2 pcs mugs", "3 шт": consumed with a leading quantity.
PIECES: Final = frozenset(
    (
        "pcs", "pc", "pieces", "piece", "шт", "штук", "штуки", "штука", "unidades",
        "unidad", "uds", "stuck", "stk", "pieces", "pecas", "unites", "قطع", "قطعة",
    )
)  # fmt: skip
