"""Builders and a small API driver for tests: a site of one's own, readers with tokens, posting and voting."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from httpx import AsyncClient, Response

from pnyx.services import sites as site_service
from pnyx.services.container import Services

ORIGIN = "https://news.example"


@dataclass
class Reader:
    """A browser's view of one reader: the token it keeps once pnyx hands one out."""

    token: str | None = None

    def headers(self, origin: str | None = ORIGIN) -> dict[str, str]:
        headers = {"Origin": origin} if origin else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def keep_token(self, response: Response) -> Response:
        if response.status_code < 300 and response.content:
            token = response.json().get("identity_token")
            if token:
                self.token = token
        return response


@dataclass
class Api:
    """Calls the public API the way embed.js does, on a site created for one test."""

    client: AsyncClient
    site: str
    services: Services
    origin: str = ORIGIN
    _articles: int = field(default=0)

    @classmethod
    async def with_new_site(cls, client: AsyncClient, services: Services) -> Api:
        slug = "t-" + secrets.token_hex(5)
        await site_service.add_site(services, slug, [ORIGIN, "http://localhost:8001"])
        return cls(client, slug, services)

    def article(self) -> str:
        """A fresh article URL on the site."""
        self._articles += 1
        return f"{self.origin}/news/{self.site}/story-{self._articles}"

    async def post(self, reader: Reader, key: str, body: str = "A thoughtful comment.", **extra: Any) -> Response:
        payload = {"site": self.site, "key": key, "body": body, **extra}
        response = await self.client.post("/api/v1/comments", json=payload, headers=reader.headers())
        return reader.keep_token(response)

    async def post_ok(
        self, reader: Reader, key: str, body: str = "A thoughtful comment.", **extra: Any
    ) -> dict[str, Any]:
        response = await self.post(reader, key, body, **extra)
        assert response.status_code == 201, response.text
        comment: dict[str, Any] = response.json()["comment"]
        return comment

    async def page(self, key: str, **params: Any) -> dict[str, Any]:
        response = await self.client.get("/api/v1/comments", params={"site": self.site, "key": key, **params})
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    async def vote(self, reader: Reader, comment_id: int, value: int) -> Response:
        response = await self.client.put(
            f"/api/v1/comments/{comment_id}/vote", json={"value": value}, headers=reader.headers()
        )
        return reader.keep_token(response)

    async def points(self, reader: Reader, key: str, value: int) -> Response:
        payload = {"site": self.site, "key": key, "value": value}
        response = await self.client.put("/api/v1/threads/vote", json=payload, headers=reader.headers())
        return reader.keep_token(response)

    async def me(self, reader: Reader, key: str) -> dict[str, Any]:
        response = await self.client.get("/api/v1/me", params={"site": self.site, "key": key}, headers=reader.headers())
        assert response.status_code == 200, response.text
        state: dict[str, Any] = response.json()
        return state
