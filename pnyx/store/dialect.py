"""The few statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def conflict_insert(conn: AsyncConnection, table: Table) -> Any:
    """An INSERT that accepts ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on either database."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def insert_or_ignore(conn: AsyncConnection, table: Table, **values: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the connection's database."""
    return conflict_insert(conn, table).values(**values).on_conflict_do_nothing()
