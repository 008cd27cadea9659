"""Everything a handler may use, built once by `bootstrap()`."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.database import SessionFactory
from bot.settings import Settings
from storefront.search_index import LiveSearchIndex


@dataclass
class Services:
    settings: Settings
    sessions: SessionFactory
    search_index: LiveSearchIndex = field(default_factory=LiveSearchIndex)
