import pytest

from i18n import SHIPPED_LOCALES, negotiate_locale, translator


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("de-CH", "de"),  # babel's negotiation alone would not fall back
        ("zh-hans", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),
        ("es-MX", "es"),
        ("ar", "ar"),
        ("ja", "en"),  # not shipped: English
        ("", "en"),
        (None, "en"),
        ("?!", "en"),
    ],
)
def test_negotiate(code: str | None, expected: str) -> None:
    assert negotiate_locale(code) == expected


def test_every_shipped_locale_loads_and_arabic_is_rtl() -> None:
    for locale in SHIPPED_LOCALES:
        assert translator(locale).code == locale
    assert translator("ar").rtl and not translator("en").rtl


def test_unknown_locale_gets_english() -> None:
    assert translator("xx").code == "en"


def test_isolate_wraps_embedded_text_only_in_right_to_left_languages() -> None:
    assert translator("ar").isolate("US$ 49.99") == "\u2068US$ 49.99\u2069"
    assert translator("en").isolate("US$ 49.99") == "US$ 49.99"
    assert translator("ar").isolate("") == ""
