"""Alembic environment: runs on the connection pnyx hands over (see ``pnyx.store.migrate``)."""

from __future__ import annotations

from alembic import context

from pnyx.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations with `pnyx migrate`; it opens the database named by PNYX_DATABASE_URL.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
