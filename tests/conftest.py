"""Shared fixtures: a real SQLite file and a real PostgreSQL database per test run, the app, a client.

Every API test runs once per engine. PostgreSQL is taken from PNYX_TEST_POSTGRES_URL (default: the
local server as user postgres); a database is created for the run and dropped after it. Without
PostgreSQL those runs skip, unless PNYX_REQUIRE_SERVICES=1 (CI), where a missing service fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from pnyx.config import Settings
from pnyx.web.app import create_app
from tests.factories import Api

POSTGRES_ADMIN_URL = os.environ.get("PNYX_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_SERVICES = os.environ.get("PNYX_REQUIRE_SERVICES") == "1"
TEST_SECRET = "test-secret-" + "x" * 40


def missing_service(reason: str) -> None:
    """Skip, or fail in CI where every service must be present."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (PNYX_REQUIRE_SERVICES=1 makes this a failure)")
    pytest.skip(reason)


def pytest_report_header() -> list[str]:
    return [f"postgres admin url: {POSTGRES_ADMIN_URL}", f"require services: {REQUIRE_SERVICES}"]


class FakeClock:
    """A clock tests move by hand; starts at the real time so stored rows look ordinary."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'pnyx-test.db'}"


async def _admin_connection() -> Any:
    try:
        return await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        missing_service(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")


@asynccontextmanager
async def temporary_postgres(prefix: str) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database named ``prefix`` + random, yielded as its URL and dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = await _admin_connection()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        admin = await _admin_connection()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str]:
    async with temporary_postgres("pnyx_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The database URL of this test's engine; every test using it runs on both."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # External: tests that deliver the outbox drive a Worker themselves, and an embedded one would race them.
    return Settings(
        database_url=db_url, secret_key=TEST_SECRET, rate_limits="off", data_dir=tmp_path, worker="external"
    )


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock=clock)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://pnyx.test") as http:
        yield http


@pytest.fixture
async def api(client: AsyncClient, app: FastAPI) -> Api:
    """A client with a fresh site of its own, so tests never see each other's threads."""
    return await Api.with_new_site(client, app.state.services)


@pytest.fixture
def shared_data() -> Iterator[Path]:
    """../shared/data beside the checkout: present in CI and for the team, absent in a user's clone."""
    path = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not path.is_dir():
        missing_service(f"shared test data not found at {path}")
    yield path
