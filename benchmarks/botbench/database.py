"""A freshly migrated database with the demo catalog (and a generated one), for one scenario.

SQLite: a file in the run's directory. PostgreSQL: the database named in the URL is dropped and
created again (through the server's `postgres` database), so a scenario never inherits another
run's buyers, carts or inbox.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.botbench import big_catalog
from benchmarks.searchbench.catalog import Catalog
from bot.database import create_engine, session_factory, upgrade
from bot.demo.seed import seed_demo_catalog


async def recreate_postgres(url: str) -> None:
    name = make_url(url).database
    admin_url = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def prepare(
    kind: str, directory: Path, postgres_url: str, generated: Catalog | None = None
) -> str:
    """The URL of a migrated database holding the demo shops and, when given, a generated
    catalog; kind is "sqlite" or "postgres"."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{directory / 'chatshop.sqlite'}"
    else:
        await recreate_postgres(postgres_url)
        url = postgres_url
    engine = create_engine(url)
    try:
        await upgrade(engine)
        await seed_demo_catalog(session_factory(engine))
        if generated is not None:
            await big_catalog.seed(session_factory(engine), generated)
    finally:
        await engine.dispose()
    if kind != "sqlite":
        await _settle_postgres(url)
    return url


async def _settle_postgres(url: str) -> None:
    """VACUUM ANALYZE after the bulk load, as a database in use has long had: else autovacuum
    wakes up for the 100k fresh rows in the middle of a measured load and takes a core."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()
