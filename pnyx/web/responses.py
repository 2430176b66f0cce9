"""Responses: JSON encoded with orjson, and validators (ETags) for bodies that are the same for every reader."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response


class JSON(Response):
    """A JSON response; datetimes as ISO 8601, non-ASCII kept as UTF-8."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error_body(code: str, detail: str) -> dict[str, str]:
    """The one error shape: a stable code and a sentence for a person."""
    return {"error": code, "detail": detail}


def etag_of(body: bytes | memoryview) -> str:
    """A strong validator for a response body."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def with_etag(request: Request, response: Response, cache_control: str = "no-cache") -> Response:
    """``response`` with an ETag, or an empty 304 when the client already holds that body.

    Public payloads are the same for every reader, so a validator lets browsers and CDNs skip the body.
    """
    headers = {"ETag": etag_of(response.body), "Cache-Control": cache_control}
    if headers["ETag"] in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
