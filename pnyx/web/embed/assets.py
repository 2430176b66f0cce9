"""/embed.js and /embed.css: public static files any page may load, with a validator and a short cache life.

/inline.js and /inline.css (inline feedback) are served the same way; embed.js loads them on pages that use it.

They stay outside the per-site CORS middleware (it covers /api/ and /embed/ only): the script and
its stylesheet are public, and one cached copy serves every publisher.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from starlette.responses import Response

from pnyx.web.responses import with_etag

router = APIRouter(tags=["embed"])

ASSET_CACHE = "public, max-age=300"
PUBLIC_HEADERS = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}
TYPES = {
    "embed.js": "text/javascript; charset=utf-8",
    "embed.css": "text/css; charset=utf-8",
    "inline.js": "text/javascript; charset=utf-8",
    "inline.css": "text/css; charset=utf-8",
}


@cache
def asset(name: str) -> bytes:
    """The file's bytes, read once per process."""
    return (files("pnyx") / "static" / name).read_bytes()


def _serve(request: Request, name: str) -> Response:
    response = with_etag(request, Response(asset(name), media_type=TYPES[name]), ASSET_CACHE)
    response.headers.update(PUBLIC_HEADERS)
    return response


# Each public file with what it is for (the route's summary in the API docs).
PURPOSES = {
    "embed.js": "The widget's script.",
    "embed.css": "The widget's default theme.",
    "inline.js": "Inline feedback: prompts, highlighted passages, their panels.",
    "inline.css": "Inline feedback's styles, for the publisher's page and for pnyx's shadow roots.",
}


def _route(name: str) -> None:
    async def serve(request: Request) -> Response:
        return _serve(request, name)

    router.add_api_route(f"/{name}", serve, methods=["GET", "HEAD"], summary=PURPOSES[name], name=name)


for _name in PURPOSES:
    _route(_name)
