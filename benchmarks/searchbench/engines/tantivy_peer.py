"""tantivy (PyPI ``tantivy``) with fuzzy term queries, set up as a search engineer would.

Each query word becomes "exact term (boosted, BM25) OR fuzzy term", with the edit distance by
word length as Elasticsearch's ``fuzziness: AUTO`` does (0 up to 2 characters, 1 up to 5, else 2;
a swap of neighbours costs one) and the last word matched as a prefix too (the buyer may still be
typing). All words must match; when that finds nothing, any may. tantivy's default tokenizer
would keep a Chinese title as one token, so CJK characters are indexed and queried as unigrams.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence

import tantivy

from benchmarks.searchbench.catalog import SearchDocument
from benchmarks.searchbench.engines.base import Engine, document_text, split_cjk
from benchmarks.searchbench.queries import BenchQuery

_TOKEN = re.compile(r"[^\W_]+")
HEAP_BYTES = 256_000_000
EXACT_BOOST = 2.0


def fuzziness(term: str) -> int:
    return 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2


class TantivyEngine(Engine):
    name = "tantivy"
    description = (
        "tantivy: per word exact(BM25, boost 2) OR fuzzy(AUTO distance); prefix on the last "
        "word; AND, else OR"
    )
    persistent = True

    def build(self, docs: Sequence[SearchDocument]) -> None:
        path = self.workdir / "tantivy"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", stored=False, tokenizer_name="default")
        builder.add_integer_field("pid", stored=True, indexed=False)
        self.schema = builder.build()
        index = tantivy.Index(self.schema, path=str(path))
        writer = index.writer(heap_size=HEAP_BYTES)
        for doc in docs:
            writer.add_document(
                tantivy.Document(body=split_cjk(document_text(doc)), pid=doc.product_id)
            )
        writer.commit()
        writer.wait_merging_threads()
        self.remember_prices(docs)
        self._open(index)

    def _open(self, index: tantivy.Index | None = None) -> None:
        if index is None:
            index = tantivy.Index.open(str(self.workdir / "tantivy"))
        index.reload()
        self.index = index
        self.schema = index.schema
        self.searcher = index.searcher()

    def reopen(self) -> None:
        super().reopen()
        self._open()

    def _word(self, term: str, last: bool) -> tantivy.Query:
        exact = tantivy.Query.boost_query(
            tantivy.Query.term_query(self.schema, "body", term), EXACT_BOOST
        )
        distance = fuzziness(term)
        if distance == 0 and not last:
            return exact
        fuzzy = tantivy.Query.fuzzy_term_query(
            self.schema, "body", term, distance=distance, transposition_cost_one=True, prefix=last
        )
        should = tantivy.Occur.Should
        return tantivy.Query.boolean_query([(should, exact), (should, fuzzy)])

    def _search(self, query: BenchQuery, limit: int) -> list[int]:
        text = split_cjk(query.words_text)
        terms = _TOKEN.findall(text.lower())
        if not terms:
            return []
        typing = not query.words_text.endswith(" ")
        clauses = [self._word(t, typing and i == len(terms) - 1) for i, t in enumerate(terms)]
        for occur in (tantivy.Occur.Must, tantivy.Occur.Should):
            combined = tantivy.Query.boolean_query([(occur, c) for c in clauses])
            hits = self.searcher.search(combined, limit).hits
            if hits:
                return [self.searcher.doc(address)["pid"][0] for _, address in hits]
        return []

    def close(self) -> None:
        del self.searcher, self.index  # frees the peer's memory before the next engine runs
