"""Which languages ship, and how a Telegram `language_code` picks one of them."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

# Babel identifiers; each has locales/<id>/LC_MESSAGES/chatshop.po.
SHIPPED_LOCALES: tuple[str, ...] = ("en", "zh_Hans", "es", "ru", "de", "fr", "pt_BR", "ar")
DEFAULT_LOCALE = "en"

# A shipped locale that stands in for its whole language: "pt-PT" reads pt_BR, "zh-TW" zh_Hans
# (better than English for a reader of Chinese, even if the script differs).
_BY_LANGUAGE = {identifier.split("_")[0]: identifier for identifier in SHIPPED_LOCALES}


def negotiate_locale(language_code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """The shipped locale for a Telegram `language_code` such as `de-CH`, `zh-hans` or `pt-br`.

    Babel's own negotiation does not fall back from `de_CH` to `de`; we match the exact
    identifier first, then the language alone, then `default`.
    """
    if not language_code:
        return default
    try:
        locale = Locale.parse(language_code.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return default
    for candidate in (
        str(locale),
        f"{locale.language}_{locale.script}",
        f"{locale.language}_{locale.territory}",
    ):
        if candidate in SHIPPED_LOCALES:
            return candidate
    return _BY_LANGUAGE.get(locale.language, default)


def catalog_language(locale: str) -> str:
    """The bare language code product translations are stored under: `pt_BR` → `pt`."""
    return locale.split("_")[0]
