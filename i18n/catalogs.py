"""Maintains the gettext catalogs: `python -m i18n.catalogs [extract|compile]`.

extract: collect every marked string into locales/chatshop.pot and merge it into each shipped
         language's .po (new languages are initialised), keeping existing translations.
compile: build the .mo files the bot loads (run by `run.py` before the demo and the tests).
"""

from __future__ import annotations

import sys

from babel.messages.frontend import CommandLineInterface

from i18n.locales import SHIPPED_LOCALES
from i18n.translator import DOMAIN, LOCALES_DIR

ROOT = LOCALES_DIR.parent
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
KEYWORDS = ["-k", "N_", "-k", "ngettext:1,2", "-k", "pgettext:1c,2"]


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> None:
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *KEYWORDS,
        "--no-location",
        "--sort-output",
        "--project",
        "chatshop",
        "-o",
        str(TEMPLATE),
        str(ROOT),
    )
    for locale in SHIPPED_LOCALES:
        po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        action = "update" if po.exists() else "init"
        extra = ["--no-fuzzy-matching", "--ignore-obsolete"] if action == "update" else []
        _pybabel(
            action, "-i", str(TEMPLATE), "-d", str(LOCALES_DIR), "-D", DOMAIN, "-l", locale, *extra
        )


def compile_all() -> None:
    _pybabel("compile", "-d", str(LOCALES_DIR), "-D", DOMAIN)


def main(argv: list[str]) -> int:
    actions = {"extract": extract, "compile": compile_all}
    if len(argv) != 1 or argv[0] not in actions:
        print(__doc__, file=sys.stderr)
        return 2
    actions[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
