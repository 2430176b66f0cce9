"""The admin console under /admin: session auth, pages rendered on the server, its stylesheet and script.

``mount`` attaches every console router; build new ones with ``session.admin_router()`` and add them there.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import PlainTextResponse, Response

from pnyx.web.admin import auth_routes, pages, session
from pnyx.web.embed.assets import asset
from pnyx.web.responses import with_etag

ASSET_CACHE = "public, max-age=300"
ASSETS = {"admin.css": "text/css; charset=utf-8", "admin.js": "text/javascript; charset=utf-8"}

assets = APIRouter(include_in_schema=False)


def _asset_route(name: str) -> None:
    async def serve(request: Request) -> Response:
        try:
            body = asset(name)
        except FileNotFoundError:
            return PlainTextResponse(f"{name} is not part of this pnyx build.", status_code=404)
        return with_etag(request, Response(body, media_type=ASSETS[name]), ASSET_CACHE)

    assets.add_api_route(f"/static/{name}", serve, methods=["GET", "HEAD"], name=f"static-{name}")


for _name in ASSETS:
    _asset_route(_name)


def mount(app: FastAPI) -> None:
    """Attach the console's routes and its sign-in redirect to the app."""
    session.install(app)
    app.include_router(assets)
    app.include_router(auth_routes.public)
    app.include_router(auth_routes.router)
    app.include_router(pages.router)
