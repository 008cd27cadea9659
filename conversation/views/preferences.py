"""/language and /currency: the menus and what the buyer sees after choosing."""

from __future__ import annotations

from html import escape

from babel import Locale
from babel.numbers import get_currency_name, get_currency_symbol

from conversation import callbacks
from conversation.reply import Button, Reply
from i18n import SHIPPED_LOCALES, Translator
from preferences.choices import CurrencyChoices

PER_ROW = 2


def language_name(locale: str) -> str:
    """A language as its speakers write it ("Deutsch", "中文 (简体)"), so anyone finds theirs."""
    name = Locale.parse(locale).display_name or locale
    return name[:1].upper() + name[1:]


def _rows(buttons: list[Button]) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + PER_ROW]) for i in range(0, len(buttons), PER_ROW))


def language_menu(t: Translator, current: str) -> Reply:
    buttons = [
        Button(
            ("✓ " if locale == current else "") + language_name(locale),
            callbacks.encode("lang", locale),
        )
        for locale in SHIPPED_LOCALES
    ]
    return Reply(t.gettext("Which language should I speak?"), buttons=_rows(buttons))


def language_set(t: Translator, locale: str) -> Reply:
    """Said in the newly chosen language (`t` is already its translator)."""
    return Reply(
        t.gettext("From now on I speak {language}.").format(language=escape(language_name(locale))),
        edit=True,
    )


def currency_label(code: str, locale: Locale | str) -> str:
    symbol = get_currency_symbol(code, locale=locale)
    name = get_currency_name(code, locale=locale)
    return f"{code} · {name}" if symbol == code else f"{symbol} {code} · {name}"


def currency_menu(t: Translator, choices: CurrencyChoices, *, typed: str = "") -> Reply:
    buttons = [
        Button(
            ("✓ " if code == choices.current else "") + currency_label(code, t.locale),
            callbacks.encode("cur", code),
        )
        for code in choices.codes
    ]
    if typed:
        text = t.gettext("Which currency do you mean?")
    else:
        text = t.gettext(
            "Prices are shown in {currency}. Pick another currency, or type its name "
            "or code, like <i>/currency yen</i>."
        ).format(currency=escape(currency_label(choices.current, t.locale)))
    return Reply(text, buttons=tuple((button,) for button in buttons))


def currency_set(t: Translator, code: str) -> Reply:
    return Reply(
        t.gettext(
            "Prices are now shown in {currency}. Converted prices are approximate; "
            "checkout tells you exactly what you will be charged."
        ).format(currency=escape(currency_label(code, t.locale))),
        edit=True,
    )


def currency_not_found(t: Translator, typed: str) -> Reply:
    return Reply(
        t.gettext(
            "I don't know a currency called <b>{typed}</b>. Try its code, like <i>EUR</i>, "
            "or its name, like <i>euro</i>."
        ).format(typed=escape(typed[:64]))
    )
