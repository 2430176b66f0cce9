"""Benchmarks of the core API, in-process through the ASGI app, on SQLite and (when reachable) PostgreSQL.

Not part of `make test`. Run `make bench`. Prints the median and 95th percentile of each
operation, measured side by side in one run on the same machine; compare ratios, not absolutes.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from sqlalchemy import insert, update

from bench import anchoring, moderation
from pnyx.config import Settings
from pnyx.services import sites as site_service
from pnyx.services.container import Services
from pnyx.store import threads as thread_store
from pnyx.store.tables import comment, thread
from pnyx.web.app import create_app

ORIGIN = "https://bench.example"
POSTGRES_ADMIN = os.environ.get("PNYX_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ROUNDS = int(os.environ.get("PNYX_BENCH_ROUNDS", "200"))
BIG_THREAD = 10_000


async def timed(rounds: int, operation: Callable[[int], Awaitable[None]]) -> list[float]:
    """Milliseconds per call of ``operation(i)`` for ``rounds`` calls."""
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        await operation(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"{name:<34} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms   n={len(samples)}"


async def seed_big_thread(services: Services, site_id: int) -> str:
    """A thread of 10,000 comments: 2,000 top-level with 4 replies each, inserted in bulk."""
    key = f"{ORIGIN}/big"
    now = datetime.now(UTC)
    async with services.db.write() as conn:
        thread_id = (await thread_store.create_thread(conn, site_id, key, key, None, now)).id
        base = dict(
            thread_id=thread_id,
            body_source="x",
            body_format="markdown",
            body_html="<p>x</p>",
            status="approved",
            up=0,
            down=0,
            rank=0,
            pinned=False,
            featured=False,
            author_name="Bench",
        )
        tops = [dict(base, depth=0, created_at=now - timedelta(seconds=i)) for i in range(BIG_THREAD // 5)]
        ids = (await conn.execute(insert(comment).returning(comment.c.id), tops)).scalars().all()
        replies = [dict(base, parent_id=i, root_id=i, depth=1, created_at=now) for i in ids for _ in range(4)]
        await conn.execute(insert(comment), replies)
        await conn.execute(update(thread).where(thread.c.id == thread_id).values(comment_count=BIG_THREAD))
    return key


async def bench_engine(label: str, database_url: str) -> list[str]:
    settings = Settings(database_url=database_url, secret_key=secrets.token_urlsafe(40), rate_limits="off")
    app = create_app(settings)
    lines = [f"== {label}"]
    async with LifespanManager(app), AsyncClient(transport=ASGITransport(app=app), base_url="http://b") as http:
        services: Services = app.state.services
        site = await site_service.add_site(services, "bench-" + secrets.token_hex(3), [ORIGIN])
        key = f"{ORIGIN}/story"
        body = {"site": site.slug, "key": key, "body": "A *benchmark* comment with a [link](https://x.example)."}
        token = (await http.post("/api/v1/comments", json=body)).json()["identity_token"]
        auth = {"Authorization": f"Bearer {token}"}

        async def post(_: int) -> None:
            assert (await http.post("/api/v1/comments", json=body, headers=auth)).status_code == 201

        lines.append(summary("POST comment", await timed(ROUNDS, post)))

        async def vote(i: int) -> None:
            payload = {"site": site.slug, "key": key, "value": 1 - 2 * (i % 2)}
            assert (await http.put("/api/v1/threads/vote", json=payload, headers=auth)).status_code == 200

        lines.append(summary("PUT article vote (change)", await timed(ROUNDS, vote)))
        big = await seed_big_thread(services, site.id)
        params = {"site": site.slug, "key": big}

        async def read_cold(_: int) -> None:
            services.pages.clear()
            assert (await http.get("/api/v1/comments", params=params)).status_code == 200

        async def read(_: int) -> None:
            assert (await http.get("/api/v1/comments", params=params)).status_code == 200

        lines.append(summary("GET page of 10k thread, cold", await timed(ROUNDS, read_cold)))
        lines.append(summary("GET page of 10k thread, cached", await timed(ROUNDS, read)))
        newest = {**params, "sort": "newest"}
        cursor = (await http.get("/api/v1/comments", params=newest)).json()["next_cursor"]

        async def read_deep(_: int) -> None:
            services.pages.clear()
            assert (await http.get("/api/v1/comments", params={**newest, "cursor": cursor})).status_code == 200

        lines.append(summary("GET second page (cursor), cold", await timed(ROUNDS, read_deep)))

        async def measure(name: str, operation: Callable[[int], Awaitable[None]]) -> str:
            return summary(name, await timed(ROUNDS, operation))

        lines += await moderation.bench(moderation.Bench(http, services, site, auth, measure), big)
    return lines


async def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        results = await bench_engine("SQLite (WAL, synchronous=FULL)", f"sqlite+aiosqlite:///{Path(folder) / 'b.db'}")
    name = f"pnyx_bench_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN, timeout=5)
    except OSError as exc:
        print(f"PostgreSQL not reachable ({exc}); SQLite only", file=sys.stderr)
    else:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
            results += await bench_engine("PostgreSQL", f"{base}/{name}")
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    print("\n".join([*results, *anchoring.main()]))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
