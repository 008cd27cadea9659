"""Every shipped catalog is complete: no message untranslated, fuzzy or with other placeholders.

The template is extracted afresh from the code, so a new string that nobody translated fails here
rather than reaching a buyer in English.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from i18n import SHIPPED_LOCALES
from i18n.catalogs import ROOT
from i18n.translator import DOMAIN, LOCALES_DIR

# {name} for str.format, %(name)s for %-formatting, and the HTML tags a message carries.
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)[sd]|</?[a-z]+>")
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def _source_messages() -> set[str]:
    found: set[str] = set()
    method_map = [(f"{package}/**.py", "python") for package in _packages()]
    for _, _, message, _, _ in extract_from_dir(ROOT, method_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _packages() -> list[str]:
    config = (ROOT / "babel.cfg").read_text()
    return re.findall(r"^\[python: (\w+)/\*\*\.py\]", config, re.MULTILINE)


def _catalog(locale: str) -> Catalog:
    path: Path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    return _source_messages()


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_catalog_is_complete_and_consistent(locale: str, source_messages: set[str]) -> None:
    catalog = _catalog(locale)
    translated = {
        message.id[0] if isinstance(message.id, tuple) else message.id
        for message in catalog
        if message.id
    }
    missing = sorted(source_messages - translated)
    assert not missing, (
        f"{locale}: not in the catalog, run `python -m i18n.catalogs extract`: {missing[:5]}"
    )
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)
        strings = (
            tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)
        )
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            if locale != "en":  # English falls back to the source itself
                problems.append(f"untranslated: {ids[0]!r}")
            continue
        for string in filter(None, strings):  # all of them, checked above
            if _placeholders(string) != _placeholders(ids[-1]) and _placeholders(
                string
            ) != _placeholders(ids[0]):
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert not problems, f"{locale}: " + "; ".join(problems[:10])


def test_placeholder_check_catches_a_renamed_placeholder() -> None:
    assert _placeholders("Hi {name}!") != _placeholders("Hola {nombre}!")
    assert _placeholders("<b>{query}</b>") == _placeholders("«<b>{query}</b>»")
