"""A whole search index built in a child process, for a large catalog.

At 100k products, reading the catalog and building its index takes seconds of CPU and a few
hundred MB of short-lived rows and documents. In the worker's own process that CPU competes with
the buyers for the interpreter (every answer meanwhile takes seconds), and the memory, once freed,
mostly stays with the process. So the worker runs a child program (`python -m bot.index_child`,
which calls `serve_child` with the worker's own engine settings): the child reads the catalog
over a connection of its own, builds, writes the finished index to its stdout (numpy arrays,
pickled: tens of MB at 100k) and exits, taking its memory with it. The worker meanwhile answers
searches from the database (`storefront.stopgap_search`); the child runs at a lower CPU
priority, so it takes only what the worker leaves.

The database address (it may hold a password) goes to the child on stdin, never on its command
line. The pickle comes from a child this worker started, over a pipe only the two share.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pickle
import resource
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from catalog.models import Product, ProductStatus
from catalog.search.index import SearchIndex
from catalog.version import catalog_version
from db import READ_ONLY
from storefront.documents import load_search_documents

# Makes the child's engine from the database's URL and, on PostgreSQL, the schema to use.
EngineMaker = Callable[[str, str | None], AsyncEngine]

CHILD_ABOVE = 20_000
"""Active products from which a child builds the index. Below, the build takes a fraction of a
second in the worker, less than starting a child (about a second of imports)."""

NICENESS = 10
"""How much the child yields the CPU to its worker: on a small machine the build takes a little
longer, and the worker's buyers are answered meanwhile as if it were not running."""

_ROOT = Path(__file__).resolve().parents[1]  # where the child finds this project's packages


@dataclass(frozen=True, slots=True)
class ChildBuild:
    version: int
    index: SearchIndex
    seconds: float  # the child's whole run, start-up included
    peak_rss_mb: float  # the child's own peak: memory the worker never holds


async def child_source(session: AsyncSession, *, above: int = CHILD_ABOVE) -> dict[str, str] | None:
    """Where a child finds the catalog `session` reads: its URL and, on PostgreSQL, the schema
    search path; None when another process cannot open it (an in-memory SQLite) or the catalog
    has fewer than `above` active products (built here, at once)."""
    url = session.get_bind().engine.url
    in_memory = url.database in (None, "", ":memory:") or "memory" in str(url.query.get("mode"))
    if url.get_backend_name() == "sqlite" and in_memory:
        return None
    count = await session.scalar(
        select(func.count())
        .select_from(Product)
        .where(Product.status == ProductStatus.ACTIVE.value)
    )
    if int(count or 0) < above:
        return None
    source = {"url": url.render_as_string(hide_password=False)}
    if url.get_backend_name() == "postgresql":
        path = str(await session.scalar(text("SELECT current_setting('search_path')")))
        if "$user" not in path:  # not the default: the one schema this worker's engine uses
            source["search_path"] = path.split(",")[0].strip().strip('"')
    return source


async def build_in_child(source: dict[str, str], module: str) -> ChildBuild:
    """Runs `python -m module` (a program that calls `serve_child`) and reads its index back;
    the child is killed if this is cancelled."""
    started = asyncio.get_running_loop().time()
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (
        str(_ROOT), os.environ.get("PYTHONPATH")
    )))}  # fmt: skip
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=environment,
    )  # fmt: skip
    with contextlib.suppress(OSError):  # from its first import on, not only once it runs main
        os.setpriority(os.PRIO_PROCESS, child.pid, NICENESS)
    try:
        output, _ = await child.communicate(json.dumps(source).encode())
    except BaseException:
        if child.returncode is None:
            child.kill()
            await child.wait()
        raise
    if child.returncode != 0:
        raise RuntimeError(f"the index child exited with {child.returncode}")
    header, _, data = output.partition(b"\n")
    facts = json.loads(header)
    index = await asyncio.to_thread(pickle.loads, data)
    if not isinstance(index, SearchIndex):
        raise RuntimeError("the index child sent something else than an index")
    seconds = asyncio.get_running_loop().time() - started
    return ChildBuild(int(facts["version"]), index, seconds, float(facts["peak_rss_mb"]))


async def _read(engine: AsyncEngine) -> tuple[int, SearchIndex]:
    try:
        async with AsyncSession(engine) as session:
            await session.connection(execution_options={READ_ONLY: True})
            version = await catalog_version(session)
            batch = await load_search_documents(session)
    finally:
        await engine.dispose()
    return version, SearchIndex.build(batch.documents)


def serve_child(make_engine: EngineMaker) -> None:
    """The child's whole work: the source from stdin, the index (after a line of facts) to
    stdout."""
    source = json.loads(sys.stdin.buffer.read())
    engine = make_engine(source["url"], source.get("search_path"))
    version, index = asyncio.run(_read(engine))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    header = json.dumps({"version": version, "peak_rss_mb": round(peak_mb, 1)}).encode()
    out = sys.stdout.buffer
    out.write(header + b"\n")
    pickle.dump(index, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
