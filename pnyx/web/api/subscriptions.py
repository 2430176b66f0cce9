"""Subscriptions: subscribe by e-mail, confirm by link, unsubscribe in one click (RFC 8058)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from pydantic import Field
from starlette.responses import HTMLResponse, Response

from pnyx.domain.models import MAX_ID
from pnyx.errors import PnyxError
from pnyx.i18n import negotiate
from pnyx.services import subscriptions as subscription_service
from pnyx.web.api.comments import Strict
from pnyx.web.deps import ReaderDep, ServicesDep
from pnyx.web.embed.html import notice_page
from pnyx.web.responses import JSON
from pnyx.web.templating import render

router = APIRouter(tags=["subscriptions"])
pages = APIRouter(tags=["subscriptions"], include_in_schema=False)
MAX_TOKEN_CHARS = 500
# The unsubscribe page loads nothing and may only post its own form back here.
FORM_CSP = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
Token = Query(max_length=MAX_TOKEN_CHARS, description="The token from the link in the mail.")


class SubscribeBody(Strict):
    site: str = Field(description="The site's slug.")
    key: str = Field(description="The thread's key (usually the article's URL).")
    email: str = Field(max_length=254, description="Where the mails should go.")
    kind: Literal["followups", "replies"] = Field(description="New comments in the thread, or replies to one comment.")
    comment_id: int | None = Field(None, ge=1, le=MAX_ID, description="The comment whose replies are wanted.")


@router.post("/api/v1/subscriptions", status_code=202)
async def subscribe(body: SubscribeBody, services: ServicesDep, reader: ReaderDep) -> Response:
    """Ask for mail about a thread or a comment; a confirmation mail goes out first."""
    status = await subscription_service.subscribe(
        services, body.site, body.key, body.email, body.kind, body.comment_id, reader
    )
    return JSON({"status": status}, status_code=202)


def _page(status: int, heading: str, detail: str, back: str | None) -> Response:
    # Link pages carry no comment form, so no hint about text kept in one.
    return notice_page(negotiate(None), status, heading, detail, back, form_hint=False)


def _link_failed(exc: PnyxError) -> Response:
    return _page(exc.status, "This link did not work", exc.detail, None)


@pages.get("/subscriptions/confirm")
async def confirm(services: ServicesDep, token: str = Token) -> Response:
    """The page a confirmation link opens."""
    try:
        done = await subscription_service.confirm(services, token)
    except PnyxError as exc:
        return _link_failed(exc)
    if not done.changed:
        detail = "This subscription was cancelled since; subscribe again from the article."
        return _page(404, "Nothing to confirm", detail, None)
    detail = "You will get a mail when something new is written. Every mail has a link to stop them."
    return _page(200, "Subscription confirmed", detail, done.back)


@pages.get("/subscriptions/unsubscribe")
async def unsubscribe_page(services: ServicesDep, token: str = Token) -> Response:
    """A page with one button; following a link alone never unsubscribes (mail scanners open links)."""
    try:
        services.tokens.unsubscribed_subscription(token)
    except PnyxError as exc:
        return _link_failed(exc)
    action = f"/subscriptions/unsubscribe?{urlencode({'token': token})}"
    body = render(negotiate(None), "embed/unsubscribe.html", action=action)
    return HTMLResponse(body, headers={"Content-Security-Policy": FORM_CSP, "Cache-Control": "no-store"})


@pages.post("/subscriptions/unsubscribe")
async def unsubscribe(services: ServicesDep, token: str = Token) -> Response:
    """One-click unsubscribe (RFC 8058): no login, answers 200 even when it was done already."""
    try:
        done = await subscription_service.unsubscribe(services, token)
    except PnyxError as exc:
        return _link_failed(exc)
    detail = "You will get no more of these mails." if done.changed else "You had unsubscribed already."
    return _page(200, "Unsubscribed", detail, done.back)
