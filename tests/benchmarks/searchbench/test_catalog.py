from benchmarks.searchbench.catalog import CatalogGenerator, is_held_out, terms_of
from benchmarks.searchbench.queries import QueryGenerator


def test_same_seed_same_catalog_and_queries(vocab) -> None:
    first = CatalogGenerator(vocab, seed=7).generate(300)
    again = CatalogGenerator(vocab, seed=7).generate(300)
    other = CatalogGenerator(vocab, seed=8).generate(300)
    assert first.documents == again.documents
    assert first.documents != other.documents
    assert QueryGenerator(first, 7).generate(5) == QueryGenerator(again, 7).generate(5)


def test_held_out_brands_never_enter_a_catalog(vocab) -> None:
    held_out = {b for b in vocab.brands if is_held_out(b)}
    assert held_out, "the fixture needs a held-out brand for negative queries"
    catalog = CatalogGenerator(vocab, seed=7).generate(500)
    assert not held_out & {d.brand for d in catalog.documents}


def test_every_query_aims_at_one_product_that_holds_its_words(vocab) -> None:
    catalog = CatalogGenerator(vocab, seed=7).generate(500)
    queries = QueryGenerator(catalog, 7).generate(10)
    by_class = {q.qclass for q in queries}
    assert {"clean", "shuffled", "typo", "prefix", "ru", "zh", "negative"} <= by_class
    for query in queries:
        if query.qclass in ("clean", "shuffled"):
            assert catalog.terms.matches(terms_of(query.text)) == [query.target]
        if query.qclass == "negative":
            assert query.target is None
            assert catalog.terms.matches(terms_of(query.text), limit=1) == []
