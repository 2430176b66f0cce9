"""Helpers of the admin console tests: accounts, a browser-like HTTPS client, signing in, reading tokens."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from pnyx.services import accounts
from pnyx.services.container import Services

PASSWORD = "correct horse battery staple"
# httpx sends Secure cookies (all of the console's) over https only.
BASE_URL = "https://pnyx.test"
_HIDDEN_CSRF = re.compile(r'name="csrf" value="([^"]*)"')
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


@asynccontextmanager
async def browser(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """A client with its own cookie jar, talking HTTPS to the app, not following redirects."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url=BASE_URL) as client:
        yield client


async def new_account(
    services: Services, role: str = "admin", sites: Sequence[str] = (), password: str = PASSWORD
) -> str:
    """A fresh account with a unique address (the test databases live for the whole run); returns the address."""
    email = f"staff-{secrets.token_hex(5)}@example.org"
    await accounts.create_account(services, email, password, role, list(sites))
    return email


def hidden_csrf(html: str) -> str:
    """The first hidden ``csrf`` field of a page."""
    found = _HIDDEN_CSRF.search(html)
    assert found, "the page has no csrf field"
    return found.group(1)


async def post_login(client: AsyncClient, email: str, password: str = PASSWORD, next: str | None = None) -> Response:
    """Open the sign-in page, then send its form."""
    page = await client.get("/admin/login", params={"next": next} if next else None)
    form = {"csrf": hidden_csrf(page.text), "email": email, "password": password, "next": next or "/admin"}
    return await client.post("/admin/login", data=form)


async def session_csrf(client: AsyncClient) -> str:
    """The CSRF token of the client's session, read from a console page."""
    page = await client.get("/admin/account")
    assert page.status_code == 200, page.status_code
    found = _META_CSRF.search(page.text)
    assert found, "the console page has no csrf-token meta element"
    return found.group(1)


@dataclass
class Signed:
    """A signed-in client and what its forms need."""

    client: AsyncClient
    email: str
    csrf: str


async def sign_in(client: AsyncClient, email: str, password: str = PASSWORD) -> Signed:
    """Sign ``client`` in (no second factor) and read its CSRF token."""
    response = await post_login(client, email, password)
    assert response.status_code == 303, response.text
    return Signed(client, email, await session_csrf(client))
