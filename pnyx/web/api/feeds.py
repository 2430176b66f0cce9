"""/feeds: Atom feeds of an article's comments and of the replies to one reader."""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from pnyx.services import feeds as feed_service
from pnyx.services.feeds import FeedDocument
from pnyx.web.deps import ServicesDep
from pnyx.web.params import KeyParam, SiteParam
from pnyx.web.responses import with_etag

router = APIRouter(prefix="/feeds", tags=["feeds"])

ATOM_TYPE = "application/atom+xml; charset=utf-8"
# The same for everyone, so shared caches may keep it briefly; the ETag makes checking again cheap.
THREAD_FEED_CACHE = "public, max-age=60"
# The address holds a secret: no shared cache may keep it, and the reader's own cache checks every time.
REPLIES_FEED_CACHE = "private, no-cache"
MAX_TOKEN_CHARS = 500
Token = Query(max_length=MAX_TOKEN_CHARS, description="The token of the replies_feed address from /api/v1/me.")


def _atom(request: Request, document: FeedDocument, cache_control: str) -> Response:
    response = Response(document.body, media_type=ATOM_TYPE)
    response.headers["Last-Modified"] = format_datetime(document.updated.astimezone(UTC), usegmt=True)
    return with_etag(request, response, cache_control)


@router.get("/thread.atom")
async def thread_feed(request: Request, services: ServicesDep, site: SiteParam, key: KeyParam) -> Response:
    """The latest 50 approved comments of an article, newest first, as an Atom feed."""
    document = await feed_service.thread_feed(services, site, key)
    return _atom(request, document, THREAD_FEED_CACHE)


@router.get("/replies.atom")
async def replies_feed(request: Request, services: ServicesDep, token: str = Token) -> Response:
    """The latest 50 replies others wrote to one reader's comments, as an Atom feed; the address is private."""
    document = await feed_service.replies_feed(services, token)
    response = _atom(request, document, REPLIES_FEED_CACHE)
    # A leaked address should at least stay out of search engines.
    response.headers["X-Robots-Tag"] = "noindex"
    return response
