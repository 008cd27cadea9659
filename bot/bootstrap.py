"""Builds the services from settings: the database first, then what stands on it."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import (
    create_engine,
    is_sqlite,
    session_factory,
    transaction,
    upgrade_if_behind,
)
from bot.services import Services
from bot.settings import ConfigurationError, Settings
from merchants.secrets import SecretKeyError, box_from, seal_stored_secrets

log = logging.getLogger(__name__)


async def open_database(settings: Settings, *, migrate: bool | None = None) -> AsyncEngine:
    """Connects (and, for the embedded SQLite, migrates); an unreachable database is one sentence.

    PostgreSQL is migrated by the operator with `chatshop db upgrade`, so several workers
    starting at once never race on a schema change; the embedded SQLite upgrades itself.
    """
    url = settings.effective_database_url
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        if migrate if migrate is not None else is_sqlite(url):
            await upgrade_if_behind(engine)
    except (OSError, OperationalError, DBAPIError) as error:
        await engine.dispose()
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise ConfigurationError(
            f"The database at CHATSHOP_DATABASE_URL cannot be reached: {reason}."
        ) from None
    return engine


async def bootstrap(
    settings: Settings, *, migrate: bool | None = None
) -> tuple[Services, AsyncEngine]:
    engine = await open_database(settings, migrate=migrate)
    services = Services(settings=settings, sessions=session_factory(engine))
    try:
        services.secrets = box_from(settings.secret_key)
        # Secrets stored plain (older versions) or under an older key are sealed anew here.
        async with transaction(services.sessions) as session:
            sealed = await seal_stored_secrets(session, services.secrets)
    except SecretKeyError as error:
        await engine.dispose()
        raise ConfigurationError(f"{error}.") from None
    if sealed:
        log.info("%d stored payment secrets sealed with the current key", sealed)
    return services, engine
