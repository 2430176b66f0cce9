"""Rate limits on writes answer 429 with Retry-After, in memory and in Redis."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
import redis
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from pnyx.config import Settings
from pnyx.web.app import create_app
from tests.conftest import missing_service
from tests.factories import Api, Reader

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except (OSError, redis.RedisError) as exc:
        missing_service(f"Redis is not reachable at {REDIS_URL}: {exc}")
    finally:
        client.close()
    return REDIS_URL


async def _limited_api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings)
    async with LifespanManager(app), AsyncClient(transport=ASGITransport(app=app), base_url="http://pnyx.test") as http:
        yield await Api.with_new_site(http, app.state.services)


async def _post_until_limited(api: Api, reader: Reader) -> tuple[int, dict[str, str], dict[str, str]]:
    key = api.article()
    for attempt in range(1, 20):
        response = await api.post(reader, key, f"Comment number {attempt}")
        if response.status_code == 429:
            return attempt, dict(response.headers), response.json()
        assert response.status_code == 201, response.text
    raise AssertionError("never limited")


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_comment_writes_are_limited(backend: str, sqlite_url: str, request: pytest.FixtureRequest) -> None:
    redis_url = request.getfixturevalue("redis_url") if backend == "redis" else None
    # A unique key prefix per run keeps Redis counters of earlier runs out of this one.
    settings = Settings(
        database_url=sqlite_url, secret_key="k" * 40 + secrets.token_hex(8), rate_limits="on", redis_url=redis_url
    )
    async for api in _limited_api(settings):
        attempt, headers, body = await _post_until_limited(api, Reader())
        assert attempt == 7  # six a minute are allowed
        assert body["error"] == "rate_limited" and body["detail"]
        assert 1 <= int(headers["retry-after"]) <= 60
        # A new token does not escape the limit: the address is counted too.
        fresh = await api.post(Reader(), api.article(), "The same person with a fresh token")
        assert fresh.status_code == 429


async def test_locating_anchors_in_texts_nobody_sent_before_is_limited(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, secret_key="k" * 40 + secrets.token_hex(8), rate_limits="on")
    async for api in _limited_api(settings):
        key = api.article()
        quote = {"type": "TextQuoteSelector", "exact": "night buses"}
        await api.post(Reader(), key, "On a passage.", anchor={"kind": "reader", "selector": [quote]})
        body = {"site": api.site, "key": key, "text": "The night buses run late."}
        # The same text again is answered from the cache and costs nothing.
        for _ in range(40):
            assert (await api.client.post("/api/v1/anchors/locate", json=body)).status_code == 200
        statuses = []
        for attempt in range(40):
            text = f"Edition {attempt}: the night buses run late."
            statuses.append((await api.client.post("/api/v1/anchors/locate", json={**body, "text": text})).status_code)
        # 30 new texts a minute: the first text above was one of them.
        assert statuses.count(200) == 29 and set(statuses[29:]) == {429}, statuses
