"""Console sessions: the cookie, the dependencies of every console route, CSRF and site scope.

Build every console router with ``admin_router()``. Each of its routes needs a live session
(``SessionDep``: without one a GET answers 303 to ``/admin/login?next=<path>``, any other method
401) and each request other than GET or HEAD must carry the session's CSRF token, as the form
field ``csrf`` or the header ``X-CSRF-Token``, or it gets 403. Refusals are console pages, not JSON.
Forms are parsed with ``admin_form`` (browsers send ``application/x-www-form-urlencoded``).

Site scope, which tests/integration/test_admin_inventory.py checks on every console route: a route
acting on one site names it by slug, in a path parameter ``{site}`` or a query parameter ``site``,
and resolves it with ``SiteDep`` (or ``OptionalSiteDep`` where the site may be left out); both
answer 403 to a moderator outside that site. A route reaching a site through an object (a comment)
calls ``require_site(session, site_id)``. Admin-only pages take ``AdminOnlyDep``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlencode, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import RedirectResponse, Response

from pnyx.domain.models import Site
from pnyx.domain.net import client_address
from pnyx.errors import Forbidden, NotFound, PnyxError, RateLimited, Unauthorized
from pnyx.services import signin
from pnyx.services import sites as site_service
from pnyx.services.container import Services
from pnyx.web.admin.render import admin_error
from pnyx.web.deps import ServicesDep
from pnyx.web.errors import validation_sentence
from pnyx.web.formdata import first_values, form_pairs, is_form

SESSION_COOKIE = "__Host-pnyx_admin"
HOME = "/admin"
LOGIN_PATH = "/admin/login"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Bulk actions post one field per selected comment.
MAX_FORM_FIELDS = 500
MAX_NEXT_CHARS = 2000
OUTSIDE_SITE = "Your account does not moderate this site."


class LoginRequired(Unauthorized):
    """No live console session: sign in first."""


class CsrfRefused(Forbidden):
    """A console form or call without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class AdminSession:
    """The signed-in moderator of a console request; ``sites`` None means every site."""

    moderator_id: int
    email: str
    role: Literal["admin", "moderator"]
    sites: frozenset[int] | None
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_moderate(self, site_id: int) -> bool:
        """Whether this moderator may act on the site."""
        return self.is_admin or self.sites is None or site_id in self.sites


def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    """Set a console cookie: host-only, HTTPS only, invisible to scripts, never sent cross-site."""
    response.set_cookie(name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict")


def clear_cookie(response: Response, name: str) -> None:
    """Tell the browser to drop a console cookie."""
    response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="strict")


def forget_session(request: Request, response: Response) -> None:
    """Drop the session cookie (after signing out), and cancel refreshing it on this response."""
    request.state.admin_refresh = None
    clear_cookie(response, SESSION_COOKIE)


def request_address(request: Request, services: Services) -> str | None:
    """The client's address; ``X-Forwarded-For`` is believed only from trusted proxies."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), services.settings.trusted_proxies)


def session_token(request: Request) -> str:
    """The raw token of the request's session cookie ('' without one)."""
    return request.cookies.get(SESSION_COOKIE, "")


async def current_session(request: Request, services: ServicesDep) -> AdminSession:
    """The request's console session; raises LoginRequired without a live one."""
    token = session_token(request)
    active = await signin.resolve_session(services, token) if token else None
    if active is None:
        raise LoginRequired("Please sign in to use the admin console.")
    staff = active.staff
    role: Literal["admin", "moderator"] = "admin" if staff.role == "admin" else "moderator"
    session = AdminSession(staff.moderator_id, staff.email, role, staff.sites, staff.csrf)
    request.state.admin_session = session
    if active.refreshed:
        request.state.admin_refresh = (token, active.max_age_s)
    return session


SessionDep = Annotated[AdminSession, Depends(current_session)]


async def _form_pairs(request: Request) -> list[tuple[str, str]]:
    cached: list[tuple[str, str]] | None = getattr(request.state, "admin_form", None)
    if cached is None:
        # Cached: the CSRF check and the route both read the one body.
        cached = request.state.admin_form = await form_pairs(request, MAX_FORM_FIELDS)
    return cached


async def admin_form(request: Request) -> dict[str, str]:
    """The posted form's fields, the first value of each name."""
    return first_values(await _form_pairs(request))


async def admin_form_values(request: Request, name: str) -> list[str]:
    """Every value posted under ``name`` (checkbox lists)."""
    return [value for field, value in await _form_pairs(request) if field == name]


def tokens_match(sent: str, expected: str) -> bool:
    """Constant-time comparison of a posted token with the expected one."""
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


async def check_csrf(request: Request, session: SessionDep) -> None:
    """Refuse a request other than GET or HEAD that lacks the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and is_form(request):
        sent = (await admin_form(request)).get("csrf")
    if not tokens_match(sent or "", session.csrf):
        raise CsrfRefused(
            "This form has expired or did not come from the admin console. Reload the page and try again."
        )


CsrfDep = Annotated[None, Depends(check_csrf)]


def require_site(session: AdminSession, site_id: int) -> None:
    """Raise Forbidden when the moderator may not act on this site."""
    if not session.can_moderate(site_id):
        raise Forbidden(OUTSIDE_SITE)


def require_admin(session: SessionDep) -> AdminSession:
    """The session, when it is an admin's; Forbidden for moderators."""
    if not session.is_admin:
        raise Forbidden("Only admins may open this page.")
    return session


AdminOnlyDep = Annotated[AdminSession, Depends(require_admin)]


async def _scoped(session: AdminSession, services: Services, slug: str) -> Site:
    try:
        found = await site_service.site_by_slug(services, slug)
    except NotFound:
        # A moderator limited to some sites learns nothing about which other sites exist.
        if not session.is_admin and session.sites is not None:
            raise Forbidden(OUTSIDE_SITE) from None
        raise NotFound(f"There is no site named {slug[:80]!r}.") from None
    require_site(session, found.id)
    return found


async def scoped_site(session: SessionDep, services: ServicesDep, site: str) -> Site:
    """The site named by the ``site`` path or query parameter, when this moderator may act on it."""
    return await _scoped(session, services, site)


async def optional_scoped_site(session: SessionDep, services: ServicesDep, site: str | None = None) -> Site | None:
    """Like ``scoped_site``, or None when the request names no site."""
    return await _scoped(session, services, site) if site else None


SiteDep = Annotated[Site, Depends(scoped_site)]
OptionalSiteDep = Annotated[Site | None, Depends(optional_scoped_site)]


def safe_next(value: str | None) -> str:
    """``value`` when it is a path inside the console (never another site): where to go after signing in."""
    if not value or len(value) > MAX_NEXT_CHARS or not value.isascii() or "\\" in value:
        return HOME
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value):
        return HOME
    parts = urlsplit(value)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or not (path == HOME or path.startswith(HOME + "/")):
        return HOME
    if ".." in path.split("/") or path.startswith(LOGIN_PATH):
        return HOME
    return value


def login_redirect(request: Request) -> Response:
    """303 to the sign-in page, which comes back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{LOGIN_PATH}?{urlencode({'next': here})}", status_code=303)


def _login_required(request: Request, exc: LoginRequired) -> Response:
    response = login_redirect(request) if request.method in ("GET", "HEAD") else admin_error(request, 401, exc.detail)
    if session_token(request):
        # The cookie names a session that ended: drop it.
        clear_cookie(response, SESSION_COOKIE)
    return response


def _refresh_cookie(request: Request, response: Response) -> None:
    refresh: tuple[str, int] | None = getattr(request.state, "admin_refresh", None)
    if refresh is not None:
        set_cookie(response, SESSION_COOKIE, *refresh)


class AdminRoute(APIRoute):
    """A console route: refusals answer as console pages, a missing session as the way to sign in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except LoginRequired as exc:
                return _login_required(request, exc)
            except PnyxError as exc:
                headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
                response = admin_error(request, exc.status, exc.detail, headers)
            except RequestValidationError as exc:
                status, _code, detail = validation_sentence(exc)
                response = admin_error(request, status, detail)
            _refresh_cookie(request, response)
            return response

        return handle


def admin_router() -> APIRouter:
    """A router for console pages: every route needs a session, and a CSRF token on all but GET and HEAD."""
    return APIRouter(
        route_class=AdminRoute,
        include_in_schema=False,
        dependencies=[Depends(current_session), Depends(check_csrf)],
    )


def public_router() -> APIRouter:
    """A router for the few console pages used before signing in (the sign-in steps)."""
    return APIRouter(route_class=AdminRoute, include_in_schema=False)


async def _login_required_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return _login_required(request, exc)


def install(app: FastAPI) -> None:
    """Answer LoginRequired the console's way even on a route not built with ``admin_router()``."""
    app.add_exception_handler(LoginRequired, _login_required_handler)
