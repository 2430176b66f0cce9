"""Every router, mounted in one place."""

from __future__ import annotations

from fastapi import FastAPI

from pnyx.web import admin, health
from pnyx.web.api import anchors, comments, feeds, reports, subscriptions, threads
from pnyx.web.embed import routes as embed


def mount(app: FastAPI) -> None:
    """Attach all routes to the app."""
    app.include_router(health.router)
    app.include_router(comments.router)
    app.include_router(threads.router)
    app.include_router(embed.router)
    app.include_router(reports.router)
    app.include_router(anchors.router)
    app.include_router(subscriptions.router)
    app.include_router(subscriptions.pages)
    app.include_router(feeds.router)
    admin.mount(app)


# Request bodies above the general cap, by path: an article's text is longer than any comment.
LARGE_BODIES = {anchors.LOCATE_PATH: anchors.LOCATE_MAX_BYTES}
