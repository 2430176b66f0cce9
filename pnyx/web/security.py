"""Per-site CORS, a request-size cap and security headers, as plain ASGI middleware.

CORS: the browser's preflight names no site, so it is answered for the union of all
sites' origins; the services then refuse a write whose Origin is not one of the named
site's origins (403). Origins are cached and re-read from the database on a miss, at
most once a second, so a site added by the CLI in another process is seen at once
without letting unknown origins hammer the database.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pnyx.web.responses import error_body

MAX_REQUEST_BYTES = 256 * 1024
REFRESH_INTERVAL_S = 1.0
# /embed.js and /embed.css are public to every page; they are not covered (see pnyx.web.embed.assets).
CORS_PATHS = ("/api/", "/embed/")
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = "Authorization, Content-Type"
EXPOSED_HEADERS = "ETag, Retry-After"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class OriginCache:
    """The set of allowed origins, refreshed from ``load`` on a miss at most once per interval."""

    def __init__(self, load: Callable[[], Awaitable[set[str]]], interval: float = REFRESH_INTERVAL_S) -> None:
        self._load = load
        self._interval = interval
        self._origins: set[str] = set()
        self._loaded_at = float("-inf")

    async def allows(self, origin: str) -> bool:
        if origin in self._origins:
            return True
        if time.monotonic() - self._loaded_at >= self._interval:
            self._origins = await self._load()
            self._loaded_at = time.monotonic()
        return origin in self._origins


async def _send_error(send: Send, status: int, code: str, detail: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = orjson.dumps(error_body(code, detail))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class CORSMiddleware:
    """Answers preflights and marks responses readable only for origins some site embeds pnyx from."""

    def __init__(self, app: ASGIApp, origins: OriginCache) -> None:
        self.app = app
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(CORS_PATHS):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = await self.origins.allows(origin)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(send, origin, allowed)
            return
        await self.app(scope, receive, self._marking(send, origin) if allowed else send)

    async def _preflight(self, send: Send, origin: str, allowed: bool) -> None:
        vary = [(b"vary", b"Origin")]
        if not allowed:
            detail = f"Pages on {origin} may not use this pnyx server; the publisher must add the origin to a site."
            await _send_error(send, 403, "origin_not_allowed", detail, vary)
            return
        cors = [
            (b"access-control-allow-origin", origin.encode()),
            (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
            (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
            (b"access-control-max-age", b"600"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": [*vary, *cors]})
        await send({"type": "http.response.body", "body": b""})

    def _marking(self, send: Send, origin: str) -> Send:
        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["access-control-allow-origin"] = origin
                headers["access-control-expose-headers"] = EXPOSED_HEADERS
                headers.add_vary_header("Origin")
            await send(message)

        return marked


class LimitsMiddleware:
    """Refuses request bodies over the cap (413) and adds security headers to every response.

    ``larger`` names paths allowed a bigger body than ``max_bytes``, with their own cap.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_REQUEST_BYTES, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.larger.get(str(scope["path"]), self.max_bytes)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await _send_error(send, 413, "too_large", self._too_large(cap), [])
            return
        await self.app(scope, self._counting(receive, cap), self._securing(send))

    def _too_large(self, cap: int) -> str:
        if cap != self.max_bytes:
            return f"The request is larger than {cap // 1024} KB, more than this call accepts."
        return f"The request is larger than {cap // 1024} KB; a comment must be much shorter."

    def _counting(self, receive: Receive, cap: int) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise RequestTooLarge(self._too_large(cap))
            return message

        return counted

    def _securing(self, send: Send) -> Send:
        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A page that chose its own value (the admin console's same-origin referrers) keeps it.
                present = {name.lower() for name, _ in headers}
                message["headers"] = [*headers, *(pair for pair in SECURITY_HEADERS if pair[0] not in present)]
            await send(message)

        return secured


class RequestTooLarge(HTTPException):
    """A chunked request body grew past the cap while being read."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail)
