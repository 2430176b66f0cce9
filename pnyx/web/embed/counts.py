"""/embed/counts: comment counts of many articles with labels in the page's language, for listing pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from pnyx.i18n import negotiate
from pnyx.services import reading
from pnyx.web.deps import ServicesDep
from pnyx.web.embed.labels import Counted, plural_label
from pnyx.web.params import SiteParam
from pnyx.web.responses import JSON, with_etag

router = APIRouter(tags=["embed"])

# Counts on a listing page may lag a minute; a busy front page then costs one request a minute per reader.
COUNTS_CACHE = "public, max-age=60"


@router.get("/embed/counts")
async def counts(
    request: Request,
    services: ServicesDep,
    site: SiteParam,
    key: Annotated[list[str], Query(description="Up to 100 thread keys or article URLs.")],
    lang: str | None = None,
) -> Response:
    """``{key: {"count": n, "label": "3 Comments"}}`` for every key, in the page's language."""
    language = negotiate(lang)
    found = await reading.comment_counts(services, site, key)
    payload = {name: {"count": n, "label": plural_label(language, Counted.COMMENTS, n)} for name, n in found.items()}
    return with_etag(request, JSON(payload), COUNTS_CACHE)
