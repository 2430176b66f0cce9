"""/healthz (the process answers) and /readyz (and its database does)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from starlette.responses import Response

from pnyx.web.deps import ServicesDep
from pnyx.web.responses import JSON, error_body

router = APIRouter(tags=["health"])
log = logging.getLogger("pnyx.web")


@router.get("/healthz")
async def healthz() -> Response:
    """The process is up."""
    return JSON({"status": "ok"})


@router.get("/readyz")
async def readyz(services: ServicesDep) -> Response:
    """The database answers; a load balancer sends traffic only then."""
    try:
        await services.db.ping()
    except Exception:  # any failure to reach the database means "not ready", not a crash
        log.warning("readiness check failed", exc_info=True)
        return JSON(error_body("not_ready", "The database does not answer."), status_code=503)
    return JSON({"status": "ok", "database": "ok"})
