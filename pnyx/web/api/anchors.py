"""/api/v1/anchors: an article's passages and prompts with comments, and finding them in the article's text."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field
from starlette.responses import Response

from pnyx.domain.anchoring import Anchor, selector_json
from pnyx.services import anchors as anchor_service
from pnyx.web.api.comments import Strict
from pnyx.web.api.views import anchor_view
from pnyx.web.deps import ReaderDep, ServicesDep
from pnyx.web.params import KeyParam, SiteParam
from pnyx.web.responses import JSON, with_etag

router = APIRouter(prefix="/api/v1/anchors", tags=["anchors"])

LOCATE_PATH = "/api/v1/anchors/locate"
# 200,000 characters of UTF-8 (up to 4 bytes each) and their JSON escapes: above the 256 KB cap of other calls.
LOCATE_MAX_BYTES = 1024 * 1024


class LocateBody(Strict):
    site: str = Field(description="The site's slug.")
    key: str = Field(description="The thread: an explicit id or the article URL.")
    text: str = Field(description="The textContent of the element marked data-pnyx-article (at most 200,000 chars).")


def _listed(anchor: Anchor, count: int) -> dict[str, Any]:
    selector = anchor.selector
    return {**anchor_view(anchor), "selector": selector_json(selector) if selector else None, "count": count}


@router.get("")
async def list_anchors(
    request: Request,
    services: ServicesDep,
    site: SiteParam,
    key: KeyParam,
) -> Response:
    """The article's passages and prompts that have visible comments, with their stored selectors and counts."""
    found = await anchor_service.list_anchors(services, site, key)
    return with_etag(request, JSON({"anchors": [_listed(item.anchor, item.count) for item in found]}))


def _located(item: anchor_service.Located) -> dict[str, Any]:
    place = item.location
    if item.anchor.selector is None:
        match = "publisher"
    else:
        match = place.match.value if place else "orphan"
    return {
        **_listed(item.anchor, item.count),
        "start": place.start if place else None,
        "end": place.end if place else None,
        "match": match,
    }


@router.post("/locate")
async def locate(body: LocateBody, services: ServicesDep, reader: ReaderDep) -> Response:
    """Where each anchor of the article is in the text the reader's browser sends (UTF-16 offsets, as the DOM)."""
    found = await anchor_service.locate_anchors(services, body.site, body.key, body.text, reader)
    return JSON({"anchors": [_located(item) for item in found]})
