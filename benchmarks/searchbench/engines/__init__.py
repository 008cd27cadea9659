"""Engines by name, imported on demand so a missing optional package skips only that engine."""

from __future__ import annotations

import importlib

from benchmarks.searchbench.engines.base import Engine

ENGINES = {
    "chatshop": "benchmarks.searchbench.engines.chatshop:ChatshopEngine",
    "tantivy": "benchmarks.searchbench.engines.tantivy_peer:TantivyEngine",
    "fts5": "benchmarks.searchbench.engines.fts5:Fts5Engine",
    "rapidfuzz": "benchmarks.searchbench.engines.brute:BruteForceEngine",
}
OURS = "chatshop"
BRUTE_FORCE = "rapidfuzz"


def engine_class(name: str) -> type[Engine]:
    """The engine's class; ImportError (with the reason) when its package is missing."""
    module, _, attribute = ENGINES[name].partition(":")
    return getattr(importlib.import_module(module), attribute)
