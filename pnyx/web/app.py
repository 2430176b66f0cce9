"""The composition root: ``create_app(settings)`` builds the FastAPI app; run it with ``uvicorn --factory``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from pnyx import __version__
from pnyx.config import Settings, load_settings, resolve_secret
from pnyx.jobs.worker import Worker
from pnyx.services import sites as site_service
from pnyx.services.container import Clock, Services, utc_now
from pnyx.store.migrate import upgrade
from pnyx.web import errors, routes
from pnyx.web.security import CORSMiddleware, LimitsMiddleware, OriginCache

log = logging.getLogger("pnyx.web")
# On shutdown the worker may finish its batch this long; what it has not sent by then waits for its lease.
WORKER_STOP_TIMEOUT_S = 5.0
CANCEL_ATTEMPTS = 3
CANCEL_WAIT_S = 0.5


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
            async with embedded_worker(services):
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


@asynccontextmanager
async def embedded_worker(services: Services) -> AsyncIterator[None]:
    """Deliver the outbox in this process while the app serves, when ``settings.worker`` is ``embedded``."""
    settings = services.settings
    # Without SMTP the mailer only logs; outside the demo that would count unsent mail as sent.
    if settings.worker != "embedded" or (settings.smtp_host is None and not settings.demo):
        yield
        return
    stop = asyncio.Event()
    # Under `uvicorn --workers N` every process runs one; safe, because a claim leases its rows to one worker.
    task = asyncio.create_task(Worker.from_services(services).run_forever(stop), name="pnyx-outbox-worker")
    try:
        yield
    finally:
        stop.set()
        await _stop_worker(task)


async def _stop_worker(task: asyncio.Task[None]) -> None:
    done, _ = await asyncio.wait({task}, timeout=WORKER_STOP_TIMEOUT_S)
    if done:
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox worker had stopped with an error", exc_info=task.exception())
        return
    # A mail cut off here was never marked sent: it goes out again, same Message-ID, when its lease runs out.
    log.warning("outbox worker did not stop within %s s; cancelling it", WORKER_STOP_TIMEOUT_S)
    for _ in range(CANCEL_ATTEMPTS):
        # Cancelled mid-send, aiosmtplib still says QUIT and waits for the answer: a second cancel ends that wait.
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=CANCEL_WAIT_S)
        if done:
            return
    log.error("outbox worker ignored cancellation; shutting down without it")
