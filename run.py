#!/usr/bin/env python3
"""chatshop on a fresh machine with only Python 3.11+:

    python3 run.py demo     chat with the shop offline in this terminal
    python3 run.py test     run the test suite

It creates `.venv`, installs the exact versions pinned in requirements.lock into it (again
whenever the lock or pyproject.toml changes), compiles the translations, then hands over to
`chatshop` or `pytest`. Further arguments pass through: `python3 run.py demo --language zh-hans`,
`python3 run.py test -m "not slow"`.

    python3 run.py lock                      re-pin after changing pyproject.toml's dependencies
    python3 run.py lock --upgrade            move every pin to the newest version the ranges allow
    python3 run.py lock --upgrade-package X  move one
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
LOCK = ROOT / "requirements.lock"
# The lock is written by uv (fast, universal: one file for every platform and Python 3.11+) but
# installed by plain pip with --require-hashes, so a fresh machine needs nothing but Python.
UV = "uv==0.13.10"
# Installed into .venv from the lock too: the editable install is built without isolation, so
# that the build backend is pinned like everything else.
BUILD_TOOLS = "pip>=25\nsetuptools>=77\n"
LOCK_EXTRAS = ("test", "bench")


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must run on any python3
        sys.exit(f"chatshop needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not argv or argv[0] not in {"demo", "test", "install", "lock"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "lock":
        return lock(rest)
    ensure_installed()
    compile_translations()
    compile_bytecode()
    if command == "install":
        return 0
    if command == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *parallel(rest)], cwd=ROOT)
    return subprocess.call([str(BIN / "chatshop"), "demo", *rest], cwd=ROOT)


def parallel(pytest_args: list[str]) -> list[str]:
    """Spreads the tests over worker processes (pytest-xdist) unless the caller chose (`-n`).

    Two per core: the end-to-end tests spend most of their time waiting on sockets and the
    databases, not on the CPU. Each worker has its own SQLite files and PostgreSQL schema.
    CHATSHOP_TEST_WORKERS overrides the count (0 runs everything in this process)."""
    if any(arg.startswith(("-n", "--numprocesses")) for arg in pytest_args):
        return pytest_args
    workers = os.environ.get("CHATSHOP_TEST_WORKERS") or str(2 * (os.cpu_count() or 1))
    # loadgroup: a module that shares costly processes (the fault suite's workers) says so with
    # `xdist_group` and stays on one worker; every other test goes wherever a worker is free.
    return ["-n", workers, "--dist", "loadgroup", *pytest_args]


def ensure_installed() -> None:
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    create_venv()
    print("Installing chatshop and its pinned dependencies into .venv ...", file=sys.stderr)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.check_call([*pip, "--require-hashes", "--no-deps", "-r", str(LOCK)], cwd=ROOT)
    subprocess.check_call([*pip, "--no-deps", "--no-build-isolation", "--editable", "."], cwd=ROOT)
    # --no-deps trusts the lock to be complete; this says so when pyproject.toml asks for more.
    if subprocess.call([str(BIN / "python"), "-m", "pip", "check"], cwd=ROOT) != 0:
        sys.exit("requirements.lock does not satisfy pyproject.toml: run `python3 run.py lock`.")
    STAMP.write_text(wanted)


def create_venv() -> None:
    if (BIN / "python").exists():
        return
    print("Creating .venv ...", file=sys.stderr)
    try:
        venv.create(VENV, with_pip=True)
    except subprocess.CalledProcessError:
        sys.exit(
            "Python's venv module cannot bootstrap pip here; on Debian/Ubuntu install "
            "the python3-venv package, then run this again."
        )


def lock(options: list[str]) -> int:
    """Re-pins requirements.lock with uv; `--upgrade` or `--upgrade-package X` move pins."""
    create_venv()
    python = str(BIN / "python")
    subprocess.check_call([python, "-m", "pip", "install", "--quiet", UV], cwd=ROOT)
    extras = [arg for extra in LOCK_EXTRAS for arg in ("--extra", extra)]
    command = [
        str(BIN / "uv"), "pip", "compile", "pyproject.toml", "-", *extras, "--universal",
        "--python-version", "3.11", "--generate-hashes", "--quiet",
        "--custom-compile-command", "python3 run.py lock", "-o", str(LOCK), *options,
    ]  # fmt: skip
    subprocess.run(command, input=BUILD_TOOLS, text=True, check=True, cwd=ROOT)
    ensure_installed()
    return 0


def compile_translations() -> None:
    """Builds the .mo files from the .po catalogs (compiled files are never committed)."""
    if any((ROOT / "locales").glob("*/LC_MESSAGES/chatshop.po")):
        subprocess.check_call(
            [str(BIN / "pybabel"), "-q", "compile", "-d", "locales", "-D", "chatshop"], cwd=ROOT
        )


def compile_bytecode() -> None:
    """Writes our modules' bytecode now, so a start does not compile ~250 files first.

    Python would cache it itself, unless PYTHONDONTWRITEBYTECODE is set (as on many CI and
    container images): then every start paid ~0.7 s of CPU compiling. Up-to-date files are
    only stat'ed. The venv's Python is this one, so the cache's version tag matches."""
    import compileall
    import re

    skip = re.compile(r"[/\\](\.venv|\.git|tests|benchmarks|data|locales)([/\\]|$)")
    compileall.compile_dir(ROOT, quiet=2, rx=skip, workers=1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
