"""SQLite FTS5 with the trigram tokenizer: what a shop on SQLite reaches for first.

The trigram tokenizer matches any substring of three or more characters, so the query is first
run as an AND of its words (each a substring match, ranked by bm25). Typos break substrings, so
when that finds nothing the query falls back to an OR of all the words' trigrams, ranked by bm25
— the usual way to get typo tolerance out of a trigram index. Words shorter than three
characters cannot be matched by a trigram index and are left out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from benchmarks.searchbench.catalog import SearchDocument
from benchmarks.searchbench.engines.base import Engine, document_text
from benchmarks.searchbench.queries import BenchQuery


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class Fts5Engine(Engine):
    name = "fts5"
    description = (
        "SQLite FTS5, tokenize='trigram': AND of words, else OR of their trigrams; bm25 order"
    )
    persistent = True

    def build(self, docs: Sequence[SearchDocument]) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / "fts5.db"
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='trigram');"
        )
        with db:
            db.executemany(
                "INSERT INTO docs(rowid, body) VALUES (?, ?)",
                ((d.product_id, document_text(d)) for d in docs),
            )
        with db:
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")  # one b-tree per term
        db.close()
        self.remember_prices(docs)
        self._connect()

    def _connect(self) -> None:
        uri = f"file:{self.workdir / 'fts5.db'}?mode=ro"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)

    def reopen(self) -> None:
        super().reopen()
        self._connect()

    def _run(self, match: str, limit: int) -> list[int]:
        rows = self.db.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?", (match, limit)
        )
        return [row[0] for row in rows]

    def _search(self, query: BenchQuery, limit: int) -> list[int]:
        words = [w for w in query.words_text.split() if len(w) >= 3]
        if not words:
            return []
        found = self._run(" ".join(_quote(w) for w in words), limit)
        if found:
            return found
        grams = sorted({w[i : i + 3].lower() for w in words for i in range(len(w) - 2)})
        return self._run(" OR ".join(_quote(g) for g in grams), limit)

    def close(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            db.close()
