"""Persistence: SQLAlchemy Core tables, queries and Alembic migrations. The only place with SQL."""
