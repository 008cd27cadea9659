"""Translations: the locale is resolved once per update and passed around, never global."""

from i18n.locales import DEFAULT_LOCALE, SHIPPED_LOCALES, negotiate_locale
from i18n.translator import N_, Translator, translator

__all__ = [
    "DEFAULT_LOCALE",
    "N_",
    "SHIPPED_LOCALES",
    "Translator",
    "negotiate_locale",
    "translator",
]
