"""Opening the database: SQLite pragmas, one guarded writer on SQLite, a pool on PostgreSQL.

SQLite allows one writer at a time. Every write transaction here starts with
``BEGIN IMMEDIATE`` (so a second process waits on the busy timeout instead of
failing with "database is locked" half-way) and, inside one process, writes
queue on an asyncio lock rather than on SQLite's busy loop (datasette's
single-writer idea). Reads never take the lock; WAL lets them run beside the writer.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
WAL_SWITCH_TIMEOUT_S = 10.0
_WRITE_OPTION = "pnyx_write"

# Services name connections by this alias so that only store/ spells SQLAlchemy.
Conn = AsyncConnection


# SQLite's own lower() folds ASCII letters only; this function, registered on every connection, folds them all.
SQLITE_LOWER = "pnyx_lower"


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's begin event issue BEGIN itself, so writes can ask for IMMEDIATE.
    dbapi_connection.isolation_level = None
    dbapi_connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    for pragma in (f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}", "synchronous=FULL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    _ensure_wal(cursor)
    cursor.close()


def _ensure_wal(cursor: Any) -> None:
    """Switch the file to WAL once (the mode is stored in the file)."""
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() == "wal":
        return
    # Switching answers "database is locked" at once, without the busy handler, while another
    # process opening the same fresh file holds a lock: retry briefly. Only a new file ever gets here.
    deadline = time.monotonic() + WAL_SWITCH_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _foreign_keys(conn: Connection, enforced: bool) -> None:
    # Straight to the driver: SQLite ignores this pragma inside a transaction, and SQLAlchemy would open one.
    cursor = conn.connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` with pnyx's connection settings."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class Database:
    """The engine plus the two ways in: ``read()`` and ``write()`` transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @classmethod
    def open(cls, url: str) -> Database:
        return cls(make_engine(url))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction (a consistent snapshot on both engines)."""
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    @asynccontextmanager
    async def write(self, *, foreign_keys: bool = True) -> AsyncIterator[AsyncConnection]:
        """One write transaction; committed on success, rolled back on any error.

        ``foreign_keys=False`` lifts SQLite's enforcement for this transaction (migrations: see migrate.py).
        """
        if self._write_lock is None:
            async with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        async with self._write_lock, self.engine.connect() as conn:
            await conn.execution_options(**{_WRITE_OPTION: True})
            if not foreign_keys:
                await conn.run_sync(_foreign_keys, False)
            try:
                async with conn.begin():
                    yield conn
            finally:
                if not foreign_keys:
                    await conn.run_sync(_foreign_keys, True)

    async def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def close(self) -> None:
        await self.engine.dispose()
