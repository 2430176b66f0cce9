"""Every console route, found from the app itself, refuses whoever may not use it.

Routes added later are covered without touching this file: without a session each answers 401,
403 or 303 to the sign-in page; a request other than GET without the session's CSRF token gets
403; a moderator gets 403 from admin-only routes and from site-scoped routes (a ``site`` path or
query parameter, see pnyx.web.admin.session) of a site outside their account.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from httpx import AsyncClient, Response
from starlette.responses import PlainTextResponse

from pnyx.services import sites as site_service
from pnyx.services.container import Services
from pnyx.web.admin import session as admin_session
from pnyx.web.admin.auth_routes import CODE_PATH, LOGIN_PATH
from tests.factories import ORIGIN
from tests.integration.admin_support import Signed, browser, new_account, sign_in

# The sign-in steps are the console's only pages open to anyone.
PUBLIC = {LOGIN_PATH, CODE_PATH}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?}")


@dataclass(frozen=True)
class ConsoleRoute:
    path: str
    method: str
    dependant: Dependant

    def url(self, site: str) -> str:
        """The path with ``{site}`` as the given slug and every other parameter as 1."""
        filled = _PARAM.sub(lambda match: site if match.group(1) == "site" else "1", self.path)
        return filled + (f"?site={site}" if "site" in _names(self.dependant, "query_params") else "")

    @property
    def site_scoped(self) -> bool:
        return "site" in _names(self.dependant, "path_params") | _names(self.dependant, "query_params")

    @property
    def admin_only(self) -> bool:
        return admin_session.require_admin in _calls(self.dependant)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def _names(dependant: Dependant, kind: str) -> set[str]:
    return {field.alias for found in _walk(dependant) for field in getattr(found, kind)}


def _calls(dependant: Dependant) -> set[Callable[..., Any]]:
    return {found.call for found in _walk(dependant) if found.call is not None}


def console_routes(app: FastAPI) -> list[ConsoleRoute]:
    """Every (path, method) under /admin, nested routers included."""
    found: list[ConsoleRoute] = []
    for context in iter_route_contexts(app.routes):
        path, dependant = context.path, getattr(context, "dependant", None)
        if not path or not (path == "/admin" or path.startswith("/admin/")):
            continue
        assert dependant is not None, f"{path} is not a FastAPI route: build it with admin_router()"
        found.extend(ConsoleRoute(path, method, dependant) for method in sorted(context.methods or ()))
    return found


def guarded(app: FastAPI) -> list[ConsoleRoute]:
    return [route for route in console_routes(app) if route.path not in PUBLIC]


async def call(client: AsyncClient, route: ConsoleRoute, site: str, csrf: str | None) -> Response:
    data = {"csrf": csrf} if csrf is not None else {}
    return await client.request(route.method, route.url(site), data=data if route.method in UNSAFE else None)


@pytest.fixture
def services(app: FastAPI) -> Services:
    found: Services = app.state.services
    return found


@pytest.fixture
async def site_slug(services: Services) -> str:
    """A site nobody in these tests moderates by name."""
    return (await site_service.add_site(services, f"inv-{secrets.token_hex(5)}", [ORIGIN])).slug


@pytest.fixture
async def moderator(app: FastAPI, services: Services) -> AsyncIterator[Signed]:
    """A moderator limited to a site of their own."""
    own = await site_service.add_site(services, f"own-{secrets.token_hex(5)}", [ORIGIN])
    async with browser(app) as client:
        yield await sign_in(client, await new_account(services, "moderator", [own.slug]))


@pytest.fixture
async def admin(app: FastAPI, services: Services) -> AsyncIterator[Signed]:
    async with browser(app) as client:
        yield await sign_in(client, await new_account(services, "admin"))


def test_the_inventory_finds_the_console(app: FastAPI) -> None:
    found = {str(route) for route in console_routes(app)}
    expected = {"GET /admin/login", "POST /admin/login", "GET /admin/account", "POST /admin/logout"}
    assert expected <= found
    assert "POST /admin/logout/everywhere" in found and "POST /admin/account/totp" in found


def test_every_guarded_route_needs_a_session(app: FastAPI) -> None:
    for route in guarded(app):
        calls = _calls(route.dependant)
        assert admin_session.current_session in calls, f"{route} does not depend on the session"
        if route.method in UNSAFE:
            assert admin_session.check_csrf in calls, f"{route} does not check the CSRF token"


async def test_without_a_session_every_route_refuses(app: FastAPI, site_slug: str) -> None:
    async with browser(app) as client:
        for route in guarded(app):
            response = await call(client, route, site_slug, csrf=None)
            if response.status_code == 303:
                assert response.headers["location"].startswith(f"{LOGIN_PATH}?next="), route
                assert route.method == "GET", route
            else:
                assert response.status_code in (401, 403), f"{route} answered {response.status_code}"


async def test_a_stale_cookie_is_refused_too(app: FastAPI, site_slug: str) -> None:
    async with browser(app) as client:
        client.cookies.set(admin_session.SESSION_COOKIE, "forged-token", domain="pnyx.test")
        for route in guarded(app):
            response = await call(client, route, site_slug, csrf="anything")
            assert response.status_code in (303, 401), f"{route} answered {response.status_code}"


async def test_posts_without_the_csrf_token_are_refused(app: FastAPI, admin: Signed, site_slug: str) -> None:
    unsafe = [route for route in guarded(app) if route.method in UNSAFE]
    assert unsafe
    for route in unsafe:
        for csrf in (None, "", "wrong-" + admin.csrf[6:], admin.csrf + "x"):
            response = await call(admin.client, route, site_slug, csrf)
            assert response.status_code == 403, f"{route} with csrf={csrf!r} answered {response.status_code}"
    # The session survived all of that.
    assert (await admin.client.get("/admin/account")).status_code == 200


async def test_a_moderator_is_refused_outside_their_sites(app: FastAPI, moderator: Signed, site_slug: str) -> None:
    for route in guarded(app):
        if not (route.site_scoped or route.admin_only):
            continue
        response = await call(moderator.client, route, site_slug, moderator.csrf)
        assert response.status_code == 403, f"{route} answered {response.status_code} to a moderator of another site"
    assert (await moderator.client.get("/admin/account")).status_code == 200


def probe_router() -> APIRouter:
    """Console routes of each kind the conventions name, to show the checks above catch them."""
    router = admin_session.admin_router()

    @router.get("/admin/probe/{site}")
    async def by_path(site: admin_session.SiteDep) -> PlainTextResponse:
        return PlainTextResponse(site.slug)

    @router.post("/admin/probe")
    async def by_query(site: admin_session.OptionalSiteDep) -> PlainTextResponse:
        return PlainTextResponse(site.slug if site else "every site")

    @router.get("/admin/probe-admin")
    async def admins(session: admin_session.AdminOnlyDep) -> PlainTextResponse:
        return PlainTextResponse(session.email)

    return router


async def test_the_checks_catch_scoped_and_admin_only_routes(app: FastAPI, services: Services, site_slug: str) -> None:
    app.include_router(probe_router())
    probes = [route for route in guarded(app) if "probe" in route.path]
    assert {str(route) for route in probes} == {
        "GET /admin/probe/{site}",
        "POST /admin/probe",
        "GET /admin/probe-admin",
    }
    assert [route.site_scoped for route in probes] == [True, True, False]
    assert [route.admin_only for route in probes] == [False, False, True]
    own = await site_service.add_site(services, f"own-{secrets.token_hex(5)}", [ORIGIN])
    async with browser(app) as client:
        moderator = await sign_in(client, await new_account(services, "moderator", [own.slug]))
        for route in probes:
            assert (await call(client, route, site_slug, moderator.csrf)).status_code == 403
            assert (await call(client, route, "no-such-site", moderator.csrf)).status_code == 403
        assert (await call(client, probes[0], own.slug, moderator.csrf)).text == own.slug
    async with browser(app) as client:
        admin = await sign_in(client, await new_account(services, "admin"))
        for route in probes:
            assert (await call(client, route, site_slug, admin.csrf)).status_code == 200
        assert (await call(client, probes[0], "no-such-site", admin.csrf)).status_code == 404
