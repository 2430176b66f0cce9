"""Every router, mounted in one place."""

from __future__ import annotations

from fastapi import FastAPI

from pnyx.web import health
from pnyx.web.api import comments, reports, threads
from pnyx.web.embed import routes as embed


def mount(app: FastAPI) -> None:
    """Attach all routes to the app."""
    app.include_router(health.router)
    app.include_router(comments.router)
    app.include_router(threads.router)
    app.include_router(embed.router)
    app.include_router(reports.router)
