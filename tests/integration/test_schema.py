"""Migrations: they build exactly ``pnyx.store.tables.metadata``, the same schema on both engines, safely.

Each test gets a database of its own (a fresh SQLite file, a fresh PostgreSQL database created
here and dropped after), since the shared test databases are migrated already.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, func, insert, inspect, select
from sqlalchemy.engine import Connection

from pnyx.store import tables
from pnyx.store.engine import Database
from pnyx.store.migrate import alembic_config, current_revision, head_revision, upgrade
from pnyx.store.tables import metadata
from tests.conftest import temporary_postgres

Schema = dict[str, dict[str, Any]]


@pytest.fixture
async def fresh_postgres_url() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test, dropped after it."""
    async with temporary_postgres("pnyx_schema") as url:
        yield url


@pytest.fixture
def fresh_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each engine in turn."""
    name = "fresh_sqlite_url" if request.param == "sqlite" else "fresh_postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
async def fresh_db(fresh_url: str) -> AsyncIterator[Database]:
    db = Database.open(fresh_url)
    try:
        yield db
    finally:
        await db.close()


def _autogenerate_diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _describe(conn: Connection) -> Schema:
    """The parts of a schema that must agree across engines, in a comparable form."""
    inspector = inspect(conn)
    schema: Schema = {}
    for table in sorted(inspector.get_table_names()):
        schema[table] = {
            "columns": [(column["name"], column["nullable"]) for column in inspector.get_columns(table)],
            # Columns only: SQLite writes an AUTOINCREMENT key inline, where it has no name to reflect.
            "primary_key": tuple(inspector.get_pk_constraint(table)["constrained_columns"]),
            # PostgreSQL also lists the index behind each unique constraint; those are compared as constraints.
            "indexes": sorted(
                (index["name"], tuple(index["column_names"]), bool(index["unique"]))
                for index in inspector.get_indexes(table)
                if not index.get("duplicates_constraint")
            ),
            "unique": sorted(
                (unique["name"], tuple(unique["column_names"])) for unique in inspector.get_unique_constraints(table)
            ),
            "foreign_keys": sorted(
                (
                    key["name"],
                    tuple(key["constrained_columns"]),
                    key["referred_table"],
                    tuple(key["referred_columns"]),
                    (key.get("options") or {}).get("ondelete"),
                )
                for key in inspector.get_foreign_keys(table)
            ),
            "checks": sorted(str(check["name"]) for check in inspector.get_check_constraints(table)),
        }
    return schema


def _timestamp_timezones(conn: Connection) -> dict[tuple[str, str], bool]:
    inspector = inspect(conn)
    return {
        (table, column["name"]): bool(getattr(column["type"], "timezone", False))
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if column["name"].endswith("_at")
    }


async def _schema_of(url: str) -> Schema:
    db = Database.open(url)
    try:
        await upgrade(db)
        async with db.read() as conn:
            return await conn.run_sync(_describe)
    finally:
        await db.close()


async def test_migrations_build_exactly_the_declared_tables(fresh_db: Database) -> None:
    assert await current_revision(fresh_db) is None
    await upgrade(fresh_db)
    async with fresh_db.read() as conn:
        assert await conn.run_sync(_autogenerate_diff) == []
        tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    assert tables == set(metadata.tables) | {"alembic_version"}


async def test_upgrade_is_idempotent_and_reaches_head(fresh_db: Database) -> None:
    head = head_revision()
    assert head is not None
    await upgrade(fresh_db)
    assert await current_revision(fresh_db) == head
    await upgrade(fresh_db)
    await upgrade(fresh_db)
    assert await current_revision(fresh_db) == head
    async with fresh_db.read() as conn:
        assert await conn.run_sync(_autogenerate_diff) == []


async def test_sqlite_and_postgresql_get_the_same_schema(fresh_sqlite_url: str, fresh_postgres_url: str) -> None:
    on_sqlite = await _schema_of(fresh_sqlite_url)
    on_postgres = await _schema_of(fresh_postgres_url)
    assert set(on_sqlite) == set(on_postgres)
    for table in on_sqlite:
        assert on_sqlite[table] == on_postgres[table], table
    # The page queries depend on these indexes existing under these names on both engines.
    indexes = {name for name, _columns, _unique in on_sqlite["comment"]["indexes"]}
    assert {"ix_comment_thread_id_root_id_rank_id", "ix_comment_thread_id_root_id_created_at_id"} <= indexes
    assert ("uq_vote_target_kind_target_id_identity_id", ("target_kind", "target_id", "identity_id")) in on_sqlite[
        "vote"
    ]["unique"]


async def test_postgresql_timestamps_keep_their_time_zone(fresh_postgres_url: str) -> None:
    db = Database.open(fresh_postgres_url)
    try:
        await upgrade(db)
        async with db.read() as conn:
            zones = await conn.run_sync(_timestamp_timezones)
    finally:
        await db.close()
    assert zones, "the schema has timestamp columns"
    assert all(zones.values()), [column for column, aware in zones.items() if not aware]


async def test_concurrent_upgrades_on_a_fresh_database_both_succeed(fresh_url: str) -> None:
    """Several app processes starting together all migrate; one does the work, the others wait (advisory lock)."""
    databases = [Database.open(fresh_url) for _ in range(3)]
    try:
        async with asyncio.timeout(60):
            await asyncio.gather(*(upgrade(db) for db in databases))
        for db in databases:
            assert await current_revision(db) == head_revision()
        async with databases[0].read() as conn:
            assert await conn.run_sync(_autogenerate_diff) == []
    finally:
        for db in databases:
            await db.close()


def _upgrade_to(conn: Connection, revision: str) -> None:
    command.upgrade(alembic_config(conn), revision)


async def _populate_at_0002(db: Database) -> None:
    """A site, a thread, three comments (the newest then removed outright) and a report on the first."""
    now = {"created_at": datetime.now(UTC)}
    async with db.write() as conn:
        site_id = (
            await conn.execute(insert(tables.site).values(slug="s", name="s", origins=[], settings={}, **now))
        ).inserted_primary_key[0]
        thread_row = {"site_id": site_id, "key": "k", "closed": False, "comment_count": 2, "version": 1}
        thread_id = (
            await conn.execute(insert(tables.thread).values(**thread_row, points_up=0, points_down=0, **now))
        ).inserted_primary_key[0]
        guest = {"kind": "guest", "email_verified": False, "banned": False, "shadowbanned": False}
        identity_id = (await conn.execute(insert(tables.identity).values(**guest, **now))).inserted_primary_key[0]
        body = {"body_source": "b", "body_format": "markdown", "body_html": "<p>b</p>", "status": "approved"}
        counters = {"up": 0, "down": 0, "rank": 0, "pinned": False, "featured": False, "depth": 0}
        for _ in range(3):
            await conn.execute(insert(tables.comment).values(thread_id=thread_id, **body, **counters, **now))
        await conn.execute(delete(tables.comment).where(tables.comment.c.id == 3))
        report = {"comment_id": 1, "identity_id": identity_id, "reason": "spam", "resolved": False}
        await conn.execute(insert(tables.report).values(**report, **now))


async def test_upgrading_a_populated_database_keeps_its_rows_and_never_reuses_a_comment_id(fresh_db: Database) -> None:
    # Adding comment.anchor_id copies the comment table on SQLite: that copy must cascade nothing and keep ids unique.
    async with fresh_db.write() as conn:
        await conn.run_sync(_upgrade_to, "0002")
    await _populate_at_0002(fresh_db)
    await upgrade(fresh_db)
    async with fresh_db.write() as conn:
        assert (await conn.execute(select(func.count()).select_from(tables.report))).scalar_one() == 1
        assert (await conn.execute(select(tables.comment.c.id).order_by(tables.comment.c.id))).scalars().all() == [1, 2]
        row = (await conn.execute(select(tables.comment).where(tables.comment.c.id == 1))).one()
        new = {column: getattr(row, column) for column in tables.comment.c.keys() if column != "id"}
        assert (await conn.execute(insert(tables.comment).values(**new))).inserted_primary_key[0] == 4
