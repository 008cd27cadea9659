"""Everything a handler may use, built once by `bootstrap()`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.database import SessionFactory
from bot.settings import Settings
from merchants.secrets import SecretBox
from storefront.search_index import LiveSearchIndex

# Where product photos given as relative paths live (the demo catalog's generated photos).
DEMO_MEDIA_DIR = Path(__file__).resolve().parent / "demo" / "photos"


@dataclass
class Services:
    settings: Settings
    sessions: SessionFactory
    search_index: LiveSearchIndex = field(default_factory=LiveSearchIndex)
    media_dir: Path = DEMO_MEDIA_DIR  # product photos stored as paths are relative to this
    secrets: SecretBox | None = None  # seals and opens merchants' payment secrets
