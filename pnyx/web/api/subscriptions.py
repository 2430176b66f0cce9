"""Subscriptions: subscribe by e-mail, confirm by link, unsubscribe in one click (RFC 8058), manage them all."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query
from pydantic import Field
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pnyx.domain.models import MAX_ID
from pnyx.errors import BadRequest, PnyxError
from pnyx.i18n import preferred, translations
from pnyx.services import subscriptions as subscription_service
from pnyx.services.threads import ThreadRef
from pnyx.web.api.comments import Strict
from pnyx.web.deps import ReaderDep, ServicesDep
from pnyx.web.embed.forms import form_fields
from pnyx.web.embed.html import notice_page
from pnyx.web.responses import JSON
from pnyx.web.templating import render

router = APIRouter(tags=["subscriptions"])
pages = APIRouter(tags=["subscriptions"], include_in_schema=False)
MAX_TOKEN_CHARS = 500
# The link pages load nothing and may only post their own forms back here.
FORM_CSP = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
Token = Query(max_length=MAX_TOKEN_CHARS, description="The token from the link in the mail.")
AcceptLanguage = Annotated[str | None, Header(max_length=500)]


class SubscribeBody(Strict):
    site: str = Field(description="The site's slug.")
    key: str = Field(description="The thread's key (usually the article's URL).")
    url: str | None = Field(None, description="The article URL; needed when nobody has commented yet.")
    title: str | None = Field(None, description="The article title, stored with a new thread.")
    email: str = Field(max_length=254, description="Where the mails should go.")
    kind: Literal["followups", "replies"] = Field(description="New comments in the thread, or replies to one comment.")
    comment_id: int | None = Field(None, ge=1, le=MAX_ID, description="The comment whose replies are wanted.")
    digest: bool = Field(False, description="At most one mail per thread and digest interval instead of one a comment.")


@router.post("/api/v1/subscriptions", status_code=202)
async def subscribe(body: SubscribeBody, services: ServicesDep, reader: ReaderDep) -> Response:
    """Ask for mail about a thread or a comment; a confirmation mail goes out first unless the address is verified."""
    ref = ThreadRef(body.site, body.key, body.url, body.title)
    wish = subscription_service.Wish(body.email, body.kind, body.comment_id, body.digest)
    status = await subscription_service.subscribe(services, ref, wish, reader)
    return JSON({"status": status}, status_code=202)


def _page(language: str, status: int, heading: str, detail: str, back: str | None) -> Response:
    # Link pages carry no comment form, so no hint about text kept in one.
    return notice_page(language, status, heading, detail, back, form_hint=False)


def _link_failed(language: str, exc: PnyxError) -> Response:
    return _page(language, exc.status, translations(language).gettext("This link did not work"), exc.detail, None)


def _form_page(language: str, template: str, **context: object) -> Response:
    body = render(language, template, **context)
    return HTMLResponse(body, headers={"Content-Security-Policy": FORM_CSP, "Cache-Control": "no-store"})


@pages.get("/subscriptions/confirm")
async def confirm(services: ServicesDep, accept_language: AcceptLanguage = None, token: str = Token) -> Response:
    """The page a confirmation link opens."""
    language = preferred(accept_language)
    _ = translations(language).gettext
    try:
        done = await subscription_service.confirm(services, token)
    except PnyxError as exc:
        return _link_failed(language, exc)
    if not done.changed:
        detail = _("This subscription was cancelled since; subscribe again from the article.")
        return _page(language, 404, _("Nothing to confirm"), detail, None)
    detail = _("You will get a mail when something new is written. Every mail has a link to stop them.")
    return _page(language, 200, _("Subscription confirmed"), detail, done.back)


@pages.get("/subscriptions/unsubscribe")
async def unsubscribe_page(
    services: ServicesDep, accept_language: AcceptLanguage = None, token: str = Token
) -> Response:
    """A page with one button; following a link alone never unsubscribes (mail scanners open links)."""
    language = preferred(accept_language)
    try:
        services.tokens.unsubscribed_subscription(token)
    except PnyxError as exc:
        return _link_failed(language, exc)
    action = f"/subscriptions/unsubscribe?{urlencode({'token': token})}"
    return _form_page(language, "embed/unsubscribe.html", action=action)


@pages.post("/subscriptions/unsubscribe")
async def unsubscribe(services: ServicesDep, accept_language: AcceptLanguage = None, token: str = Token) -> Response:
    """One-click unsubscribe (RFC 8058): no login, answers 200 even when it was done already."""
    language = preferred(accept_language)
    _ = translations(language).gettext
    try:
        done = await subscription_service.unsubscribe(services, token)
    except PnyxError as exc:
        return _link_failed(language, exc)
    detail = _("You will get no more of these mails.") if done.changed else _("You had unsubscribed already.")
    return _page(language, 200, _("Unsubscribed"), detail, done.back)


@pages.get("/subscriptions/manage")
async def manage_page(
    services: ServicesDep, accept_language: AcceptLanguage = None, token: str = Token, done: str | None = None
) -> Response:
    """Every subscription of the address the link names, each with buttons to change or end it."""
    language = preferred(accept_language)
    try:
        managed = await subscription_service.managed(services, token)
    except PnyxError as exc:
        return _link_failed(language, exc)
    action = f"/subscriptions/manage?{urlencode({'token': token})}"
    return _form_page(language, "pages/manage.html", managed=managed, action=action, done=done == "1")


@pages.post("/subscriptions/manage")
async def manage(
    request: Request, services: ServicesDep, accept_language: AcceptLanguage = None, token: str = Token
) -> Response:
    """Apply one change from the manage page, then show the page again (post, redirect, get)."""
    language = preferred(accept_language)
    try:
        fields = await form_fields(request)
        action, subscription_id = _change(fields)
        await subscription_service.change(services, token, action, subscription_id)
    except PnyxError as exc:
        return _link_failed(language, exc)
    target = f"/subscriptions/manage?{urlencode({'token': token, 'done': '1'})}"
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


CHANGES: dict[str, subscription_service.Change] = {
    "unsubscribe": "unsubscribe",
    "unsubscribe_all": "unsubscribe_all",
    "digest": "digest",
    "instant": "instant",
}


def _change(fields: dict[str, str]) -> tuple[subscription_service.Change, int | None]:
    """The change a manage form asks for, and the subscription it names."""
    action = CHANGES.get(fields.get("action", ""))
    raw = fields.get("id", "")
    if action is None or (raw and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID)):
        raise BadRequest("The form could not be read; please open the link from the mail again.")
    return action, int(raw) if raw else None
