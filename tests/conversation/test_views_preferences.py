"""The language and currency menus: every button parses, names read in their own language."""

from __future__ import annotations

from conversation import callbacks
from conversation.views.preferences import currency_menu, language_menu, language_name
from i18n import SHIPPED_LOCALES, translator
from preferences.choices import CurrencyChoices


def test_every_shipped_language_has_a_button_that_decodes_to_it() -> None:
    reply = language_menu(translator("en"), current="de")
    pressed = [callbacks.decode(b.action) for row in reply.buttons for b in row]
    assert [p.str(0) for p in pressed] == list(SHIPPED_LOCALES)
    labels = [b.text for row in reply.buttons for b in row]
    assert "✓ Deutsch" in labels


def test_languages_are_named_in_themselves() -> None:
    assert language_name("zh_Hans") == "中文 (简体)"
    assert language_name("ar") == "العربية"
    assert language_name("fr") == "Français"


def test_currency_buttons_carry_codes_and_localised_names() -> None:
    choices = CurrencyChoices(current="BRL", codes=("BRL", "USD"))
    reply = currency_menu(translator("pt_BR"), choices)
    labels = [b.text for row in reply.buttons for b in row]
    assert labels[0].startswith("✓ R$ BRL")
    assert "dólar" in labels[1].lower()
    assert [callbacks.decode(b.action).str(0) for row in reply.buttons for b in row] == [
        "BRL",
        "USD",
    ]
