"""/embed/thread and /embed/comment: the thread and single comments rendered on the server, one renderer for all."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from pnyx.domain.models import MAX_ID, Sort
from pnyx.domain.urls import is_url
from pnyx.i18n import negotiate
from pnyx.services import feeds, lookup, reading
from pnyx.services.container import Services
from pnyx.web.deps import ReaderDep, ServicesDep
from pnyx.web.embed.html import FragmentRoute, fragment
from pnyx.web.embed.labels import Counted, plural_forms, plural_label
from pnyx.web.embed.views import comment_view, shown_quote, tree_views
from pnyx.web.params import KeyParam, SiteParam
from pnyx.web.responses import with_etag

router = APIRouter(route_class=FragmentRoute, tags=["embed"])

MAX_URL_CHARS = 2000
MAX_TITLE_CHARS = 500


def _public(services: Services, path: str) -> str:
    """An address on pnyx as readers reach it."""
    return services.settings.public_url.rstrip("/") + path


def form_action(services: Services) -> str:
    """Where the fragment's comment form posts without JavaScript."""
    return _public(services, "/embed/comments")


def follow_action(services: Services) -> str:
    """Where the fragment's subscription form posts without JavaScript."""
    return _public(services, "/embed/subscriptions")


def feed_url(services: Services, site: str, key: str, page: reading.ThreadPage) -> str | None:
    """The thread's Atom feed; None before the thread exists (its feed starts with it)."""
    if page.thread is None:
        return None
    return _public(services, f"{feeds.THREAD_FEED_PATH}?{urlencode({'site': site, 'key': key})}")


def _forms(language: str, counted: Counted) -> str:
    # Plain text: autoescape turns the quotes into entities inside the attribute.
    return orjson.dumps(plural_forms(language, counted)).decode()


def _block(language: str, page: reading.ThreadPage) -> dict[str, Any]:
    thread = page.thread
    points, count = (thread.points, thread.comment_count) if thread else (0, 0)
    return {
        "points": points,
        "points_label": plural_label(language, Counted.POINTS, points),
        "points_forms": _forms(language, Counted.POINTS),
        "count": count,
        "count_label": plural_label(language, Counted.COMMENTS, count),
        "count_forms": _forms(language, Counted.COMMENTS),
    }


@router.get("/embed/thread")
async def thread_fragment(
    request: Request,
    services: ServicesDep,
    site: SiteParam,
    key: KeyParam,
    sort: Sort = Sort.BEST,
    cursor: str | None = None,
    view: Literal["page", "all"] = "page",
    part: Annotated[Literal["block", "comments"], Query(description="`comments`: only the next comments.")] = "block",
    lang: str | None = None,
    url: Annotated[str | None, Query(max_length=MAX_URL_CHARS)] = None,
    title: Annotated[str | None, Query(max_length=MAX_TITLE_CHARS)] = None,
    anchor: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only the comments on this anchor: a passage's panel.")
    ] = None,
) -> Response:
    """The thread as an HTML fragment: the whole block, or (part=comments) the next comments and paging controls.

    With ``anchor``, the block is the compact one of a passage's panel: the form and the comments on it.
    """
    language = negotiate(lang)
    request_page = reading.PageRequest(site, key, sort, cursor, view_all=view == "all", anchor=anchor)
    page = await reading.list_comments(services, request_page)
    context: dict[str, Any] = {
        "site": site,
        "key": key,
        "url": url or (key if is_url(key) else None),
        "title": title,
        "sort": page.sort.value,
        # In the main thread each comment on a passage shows the passage; its own panel needs no reminder.
        "comments": tree_views(page.nodes, services.tokens, language, None if anchor else page.anchors),
        "next_cursor": page.next_cursor,
        "view_all": view == "all",
        "closed": bool(page.thread and page.thread.closed),
        "action": form_action(services),
        "inline_in_main": page.inline_in_main,
    }
    if part == "comments":
        return with_etag(request, fragment(language, "part.html", **context))
    if anchor is not None:
        anchor_id = page.focus.anchor.id if page.focus else None
        return with_etag(request, fragment(language, "panel.html", **context, anchor_id=anchor_id))
    context.update(_block(language, page), follow_action=follow_action(services))
    context["feed_url"] = feed_url(services, site, key, page)
    return with_etag(request, fragment(language, "thread.html", **context))


@router.get("/embed/comment")
async def comment_fragment(
    request: Request,
    services: ServicesDep,
    reader: ReaderDep,
    comment_id: Annotated[int, Query(alias="id", ge=1, le=MAX_ID, description="The comment's id.")],
    lang: str | None = None,
    quote: Annotated[bool, Query(description="`false`: without the passage above it (for a panel).")] = True,
) -> Response:
    """One comment (without its replies) as an HTML fragment; embed.js inserts it after a write."""
    language = negotiate(lang)
    shown = await lookup.public_comment(services, comment_id, reader.identity_id)
    anchors = {shown.anchor.id: shown.anchor} if shown.anchor and quote else {}
    view = comment_view(shown.comment, services.tokens, language, [], shown_quote(shown.comment, anchors))
    response = with_etag(request, fragment(language, "comment.html", comment=view, closed=shown.thread.closed))
    if not lookup.visible_to(shown.comment, None):
        # Only its author may see this one: no shared cache may keep it.
        response.headers["Cache-Control"] = "private, no-store"
    return response
