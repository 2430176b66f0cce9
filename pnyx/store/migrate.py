"""Bringing a database to the newest schema with Alembic, safely from several processes at once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from pnyx.store.engine import Database

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed number: PostgreSQL advisory lock held while one process migrates, so others wait.
_MIGRATION_LOCK_ID = 0x706E7978


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at pnyx's migrations, bound to ``connection`` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
    command.upgrade(alembic_config(connection), "head")
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"The migration left rows whose foreign keys name no row: {broken[:5]}")


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(db: Database) -> None:
    """Apply every migration the database lacks, in one transaction."""
    # SQLite changes a table's constraints by copying it (Alembic's batch mode); with foreign keys
    # enforced, dropping the old copy would cascade and delete every row referring to it (reports of
    # comments, say). So they are off while migrating, and checked all at once before the commit.
    async with db.write(foreign_keys=False) as conn:
        await conn.run_sync(_upgrade)


async def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    async with db.read() as conn:
        return await conn.run_sync(_current)


def head_revision() -> str | None:
    """The newest revision pnyx ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
