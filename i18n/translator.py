"""gettext catalogs compiled by pybabel, loaded once per locale.

A `Translator` is a value handed to whoever renders text (a buyer's reply, a merchant's
notice), so two languages can be spoken in one update without any global switch.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from i18n.locales import DEFAULT_LOCALE, SHIPPED_LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "chatshop"
log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Marks a string for extraction without translating it yet (translated where rendered)."""
    return message


@dataclass(frozen=True, slots=True)
class Translator:
    locale: Locale
    catalog: NullTranslations

    @property
    def code(self) -> str:
        return str(self.locale)

    @property
    def rtl(self) -> bool:
        return self.locale.text_direction == "rtl"

    def isolate(self, text: str) -> str:
        """`text` as a unit inside a right-to-left sentence (Unicode first-strong isolate).

        An Arabic sentence holding "US$ 49.99" or "Red Mug 2" would otherwise let the bidi
        algorithm reorder the digits and symbols around it; left-to-right text needs nothing.
        """
        return f"\u2068{text}\u2069" if self.rtl and text else text

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.catalog.pgettext(context, message)


@cache
def translator(locale: str = DEFAULT_LOCALE) -> Translator:
    """The translator for a shipped locale (unknown ones get English)."""
    if locale not in SHIPPED_LOCALES:
        locale = DEFAULT_LOCALE
    return Translator(Locale.parse(locale), _load_catalog(locale))


def _load_catalog(locale: str) -> NullTranslations:
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return GNUTranslations(handle)
    if po.exists():
        # No compiled catalog yet (a fresh checkout before `pybabel compile`): compile in memory.
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return GNUTranslations(buffer)
    if locale != DEFAULT_LOCALE:
        log.warning("no catalog for %s in %s", locale, LOCALES_DIR)
    return NullTranslations()
