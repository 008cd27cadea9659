"""Alembic environment: runs on the connection `bot.database.upgrade` hands over."""

from __future__ import annotations

from alembic import context

from bot.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `chatshop db upgrade` (bot.database.upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that for us
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
