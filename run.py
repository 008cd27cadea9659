#!/usr/bin/env python3
"""chatshop on a fresh machine with only Python 3.11+:

    python3 run.py demo     chat with the shop offline in this terminal
    python3 run.py test     run the test suite

It creates `.venv`, installs the project into it (again whenever pyproject.toml changes),
compiles the translations, then hands over to `chatshop` or `pytest`. Further arguments pass
through: `python3 run.py demo --language zh-hans`, `python3 run.py test -m "not slow"`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".chatshop-installed"


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must run on any python3
        sys.exit(f"chatshop needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not argv or argv[0] not in {"demo", "test", "install"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_installed()
    compile_translations()
    if command == "install":
        return 0
    if command == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    return subprocess.call([str(BIN / "chatshop"), "demo", *rest], cwd=ROOT)


def ensure_installed() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", file=sys.stderr)
        try:
            venv.create(VENV, with_pip=True)
        except subprocess.CalledProcessError:
            sys.exit(
                "Python's venv module cannot bootstrap pip here; on Debian/Ubuntu install "
                "the python3-venv package, then run this again."
            )
    print("Installing chatshop and its dependencies into .venv ...", file=sys.stderr)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.check_call([*pip, "--upgrade", "pip"], cwd=ROOT)
    subprocess.check_call([*pip, "--editable", ".[test]"], cwd=ROOT)
    STAMP.write_text(wanted)


def compile_translations() -> None:
    """Builds the .mo files from the .po catalogs (compiled files are never committed)."""
    if any((ROOT / "locales").glob("*/LC_MESSAGES/chatshop.po")):
        subprocess.check_call(
            [str(BIN / "pybabel"), "-q", "compile", "-d", "locales", "-D", "chatshop"], cwd=ROOT
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
