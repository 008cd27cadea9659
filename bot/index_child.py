"""`python -m bot.index_child`: the child process that builds a large catalog's search index.

The mechanism is `storefront.index_child`; this program gives it the worker's own engine
settings (`bot.database.create_engine`: on SQLite WAL, the busy timeout and a read that never
takes the write lock). Started by the worker's `LiveSearchIndex` (see `bot.services`), not by
hand.
"""

from __future__ import annotations

from bot.database import create_engine
from storefront.index_child import serve_child

if __name__ == "__main__":
    serve_child(lambda url, search_path: create_engine(url, search_path=search_path))
