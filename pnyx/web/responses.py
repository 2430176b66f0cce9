"""JSON responses encoded with orjson."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class JSON(Response):
    """A JSON response; datetimes as ISO 8601, non-ASCII kept as UTF-8."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error_body(code: str, detail: str) -> dict[str, str]:
    """The one error shape: a stable code and a sentence for a person."""
    return {"error": code, "detail": detail}
