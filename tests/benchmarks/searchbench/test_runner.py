import pytest

from benchmarks.searchbench.report import render
from benchmarks.searchbench.runner import Settings, run_size


@pytest.mark.slow
def test_a_small_run_measures_every_engine_and_renders_a_report(vocab) -> None:
    settings = Settings(
        sizes=[400],
        engines=["chatshop", "fts5", "rapidfuzz"],
        per_class=5,
        budget_s=2.0,
        qps_seconds=0.1,
    )
    run = run_size(400, vocab, settings, log=lambda _: None)
    assert [e.engine for e in run.engines] == settings.engines
    for engine in run.engines:
        assert not engine.error
        assert engine.n_queries > 0
        assert engine.qps_2 > 0
        clean = next(c for c in engine.classes if c.qclass == "clean")
        assert clean.recall10 is not None and clean.recall10 > 0.5
    report = render([run], [], {"seed": "20260"}, [])
    assert "## Relevance at 400 products" in report
    assert "| clean | **chatshop** |" in report


def test_a_missing_optional_engine_is_reported_not_raised(vocab, monkeypatch) -> None:
    import benchmarks.searchbench.runner as runner

    def missing(name: str):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(runner, "engine_class", missing)
    settings = Settings(sizes=[100], engines=["tantivy"], per_class=2)
    run = run_size(100, vocab, settings, log=lambda _: None)
    assert run.engines[0].error.startswith("not installed")
    assert "not installed" in render([run], [], {}, [])
