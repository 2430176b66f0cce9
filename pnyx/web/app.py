"""The composition root: ``create_app(settings)`` builds the FastAPI app; run it with ``uvicorn --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from pnyx import __version__
from pnyx.config import Settings, load_settings, resolve_secret
from pnyx.services import sites as site_service
from pnyx.services.container import Clock, Services, utc_now
from pnyx.store.migrate import upgrade
from pnyx.web import errors, routes
from pnyx.web.security import CORSMiddleware, LimitsMiddleware, OriginCache


def create_app(settings: Settings | None = None, *, clock: Clock = utc_now) -> FastAPI:
    """The pnyx app for ``settings`` (read from the environment when None); a bad setting raises ConfigError."""
    settings = settings or load_settings()
    resolve_secret(settings)  # fail before serving anything, not on the first request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services.build(settings, clock=clock)
        try:
            await upgrade(services.db)
            app.state.services = services
            yield
        finally:
            await services.close()

    app = FastAPI(
        title="pnyx",
        version=__version__,
        summary="Reader engagement for news and opinion sites.",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    errors.install(app)
    routes.mount(app)

    async def load_origins() -> set[str]:
        return await site_service.allowed_origins(app.state.services)

    app.add_middleware(CORSMiddleware, origins=OriginCache(load_origins))
    app.add_middleware(LimitsMiddleware, larger=routes.LARGE_BODIES)
    return app
