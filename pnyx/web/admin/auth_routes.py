"""Signing in and out of the console, and the account page (password, TOTP second factor).

The sign-in forms come before any session, so they carry their own CSRF defence: a random token in
a short-lived ``__Host-`` cookie that the form must repeat (double submit; the prefix keeps sibling
subdomains from planting the cookie). Between the password and the code, a signed cookie says
which account got its password right, for five minutes.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request
from starlette.responses import RedirectResponse, Response

from pnyx.errors import PnyxError, RateLimited
from pnyx.services import accounts, signin
from pnyx.web.admin.render import admin_page
from pnyx.web.admin.session import (
    LOGIN_PATH,
    SESSION_COOKIE,
    AdminSession,
    SessionDep,
    admin_form,
    admin_router,
    clear_cookie,
    forget_session,
    public_router,
    request_address,
    safe_next,
    session_token,
    set_cookie,
    tokens_match,
)
from pnyx.web.deps import ServicesDep

public = public_router()
router = admin_router()

LOGIN_COOKIE = "__Host-pnyx_login"
CODE_COOKIE = "__Host-pnyx_code"
CODE_PATH = "/admin/login/code"
LOGIN_COOKIE_MAX_AGE_S = 3600
CODE_COOKIE_MAX_AGE_S = int(signin.CODE_STEP_MAX_AGE.total_seconds())
EXPIRED_FORM = "The sign-in form had expired; please sign in again."
# Sentences the sign-in and account pages show after a redirect, by the `done` query value.
DONE = {
    "signed-out": "You are signed out.",
    "signed-out-everywhere": "You are signed out on every device.",
    "password": "Your password is changed; your other sessions are signed out.",
    "totp-on": "The second factor is on: signing in now asks for a code from your app.",
    "totp-off": "The second factor is off: signing in asks for your password only.",
}
NextParam = Annotated[str | None, Query(max_length=2000)]
DoneParam = Annotated[str | None, Query(max_length=40)]


def _login_token(request: Request) -> str:
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(signin.TOKEN_BYTES)


def _sign_in_page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    token = _login_token(request)
    response = admin_page(request, None, template, status, csrf=token, **context)
    set_cookie(response, LOGIN_COOKIE, token, LOGIN_COOKIE_MAX_AGE_S)
    return response


def _signed_in(response: Response, new: signin.NewSession) -> Response:
    set_cookie(response, SESSION_COOKIE, new.token, new.max_age_s)
    clear_cookie(response, LOGIN_COOKIE)
    clear_cookie(response, CODE_COOKIE)
    return response


def _refusal_status(exc: PnyxError) -> tuple[int, dict[str, str]]:
    if isinstance(exc, RateLimited):
        return 429, {"Retry-After": str(exc.retry_after)}
    return exc.status, {}


def _too_fast(exc: RateLimited) -> str:
    return f"Too many sign-in attempts from your network; wait {exc.retry_after} seconds and try again."


async def _posted_login_form(request: Request) -> tuple[dict[str, str], bool]:
    """The form, and whether it repeats the token of the sign-in cookie."""
    form = await admin_form(request)
    return form, tokens_match(form.get("csrf", ""), request.cookies.get(LOGIN_COOKIE, ""))


@public.get(LOGIN_PATH)
async def login_page(
    request: Request, services: ServicesDep, next: NextParam = None, done: DoneParam = None
) -> Response:
    """The sign-in form; someone already signed in goes straight on."""
    target = safe_next(next)
    if await signin.resolve_session(services, session_token(request)) is not None:
        return RedirectResponse(target, status_code=303)
    return _sign_in_page(request, "login.html", next=target, notice=DONE.get(done or ""), email="")


@public.post(LOGIN_PATH)
async def login(request: Request, services: ServicesDep) -> Response:
    """Check the address and password: a session, or on to the code step."""
    form, fresh = await _posted_login_form(request)
    target, email = safe_next(form.get("next")), form.get("email", "")[:254]
    if not fresh:
        return _sign_in_page(request, "login.html", 403, next=target, error=EXPIRED_FORM, email=email)
    try:
        outcome = await signin.sign_in(services, email, form.get("password", ""), request_address(request, services))
    except PnyxError as exc:
        status, headers = _refusal_status(exc)
        detail = _too_fast(exc) if isinstance(exc, RateLimited) else exc.detail
        response = _sign_in_page(request, "login.html", status, next=target, error=detail, email=email)
        response.headers.update(headers)
        return response
    if isinstance(outcome, signin.CodeNeeded):
        response = RedirectResponse(f"{CODE_PATH}?next={quote(target, safe='')}", status_code=303)
        set_cookie(response, CODE_COOKIE, outcome.pending, CODE_COOKIE_MAX_AGE_S)
        return response
    return _signed_in(RedirectResponse(target, status_code=303), outcome)


@public.get(CODE_PATH)
async def code_page(request: Request, next: NextParam = None) -> Response:
    """The second step: a code from the authenticator app."""
    if not request.cookies.get(CODE_COOKIE):
        return RedirectResponse(LOGIN_PATH, status_code=303)
    return _sign_in_page(request, "code.html", next=safe_next(next))


@public.post(CODE_PATH)
async def code(request: Request, services: ServicesDep) -> Response:
    """Check the code: a session, or the form again."""
    form, fresh = await _posted_login_form(request)
    target = safe_next(form.get("next"))
    pending = request.cookies.get(CODE_COOKIE, "")
    if not fresh or not pending:
        return _sign_in_page(request, "login.html", 403, next=target, error=EXPIRED_FORM, email="")
    try:
        new = await signin.verify_code(services, pending, form.get("code", ""), request_address(request, services))
    except PnyxError as exc:
        status, headers = _refusal_status(exc)
        detail = _too_fast(exc) if isinstance(exc, RateLimited) else exc.detail
        again = isinstance(exc, signin.SignInExpired)
        response = _sign_in_page(request, "login.html" if again else "code.html", status, next=target, error=detail)
        response.headers.update(headers)
        return response
    return _signed_in(RedirectResponse(target, status_code=303), new)


@router.post("/admin/logout")
async def logout(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """End this session."""
    await signin.sign_out(services, session_token(request))
    response = RedirectResponse(f"{LOGIN_PATH}?done=signed-out", status_code=303)
    forget_session(request, response)
    return response


@router.post("/admin/logout/everywhere")
async def logout_everywhere(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """End every session of this account, on every device."""
    await signin.sign_out_everywhere(services, session.moderator_id)
    response = RedirectResponse(f"{LOGIN_PATH}?done=signed-out-everywhere", status_code=303)
    forget_session(request, response)
    return response


async def _account_page(
    request: Request, services: ServicesDep, session: AdminSession, status: int = 200, **context: object
) -> Response:
    listing = await accounts.account_overview(services, session.moderator_id)
    return admin_page(request, session, "account.html", status, listing=listing, **context)


@router.get("/admin/account")
async def account(request: Request, services: ServicesDep, session: SessionDep, done: DoneParam = None) -> Response:
    """The signed-in account: its sites, its second factor, a new password."""
    return await _account_page(request, services, session, notice=DONE.get(done or ""))


@router.post("/admin/account/password")
async def change_password(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """Replace the password; other sessions end."""
    form = await admin_form(request)
    current, new, repeat = form.get("current", ""), form.get("new", ""), form.get("repeat", "")
    try:
        await accounts.change_password(services, session.moderator_id, session_token(request), current, new, repeat)
    except PnyxError as exc:
        return await _account_page(request, services, session, exc.status, error=exc.detail)
    return RedirectResponse("/admin/account?done=password", status_code=303)


def _totp_page(request: Request, session: AdminSession, secret: str, status: int = 200, error: str = "") -> Response:
    uri = accounts.totp_uri(secret, session.email)
    return admin_page(request, session, "totp.html", status, secret=secret, uri=uri, error=error)


@router.get("/admin/account/totp")
async def totp_setup(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """A new secret for the authenticator app, and the form that confirms it with a code."""
    if (await accounts.account_overview(services, session.moderator_id)).account.totp_secret is not None:
        return RedirectResponse("/admin/account", status_code=303)
    return _totp_page(request, session, accounts.new_totp_secret())


@router.post("/admin/account/totp")
async def totp_enable(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """Turn the second factor on, once a code proves the app has the secret."""
    form = await admin_form(request)
    secret = form.get("secret", "")[:64]
    try:
        await accounts.enable_totp(services, session.moderator_id, secret, form.get("code", ""))
    except PnyxError as exc:
        if exc.status == 409:
            return await _account_page(request, services, session, exc.status, error=exc.detail)
        kept = secret if accounts.is_totp_secret(secret) else accounts.new_totp_secret()
        return _totp_page(request, session, kept, exc.status, exc.detail)
    return RedirectResponse("/admin/account?done=totp-on", status_code=303)


@router.post("/admin/account/totp/disable")
async def totp_disable(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """Turn the second factor off after checking the password."""
    form = await admin_form(request)
    try:
        await accounts.disable_totp(services, session.moderator_id, form.get("password", ""))
    except PnyxError as exc:
        return await _account_page(request, services, session, exc.status, error=exc.detail)
    return RedirectResponse("/admin/account?done=totp-off", status_code=303)
