"""Signing in to the admin console: passwords, lockout, the TOTP second factor, sessions, CSRF, redirects."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pyotp
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import select

from pnyx.config import Settings
from pnyx.services.container import Services
from pnyx.store import tables
from pnyx.web.app import create_app
from tests.conftest import FakeClock
from tests.integration.admin_support import (
    PASSWORD,
    browser,
    hidden_csrf,
    new_account,
    post_login,
    session_csrf,
    sign_in,
)
from tests.integration.test_cli import CLI_TIMEOUT_S, Cli, clean_env

GENERIC = "Sign-in failed: the e-mail address or the password is wrong."
COOKIE = "__Host-pnyx_admin"
CLI_SECRET = "admin-cli-test-secret-" + "q" * 40
STRONG = {"PNYX_ADMIN_PASSWORD": PASSWORD}


@pytest.fixture
def services(app: FastAPI) -> Services:
    found: Services = app.state.services
    return found


@pytest.fixture
async def console(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with browser(app) as client:
        yield client


def alert(page: Response) -> str:
    found = re.search(r'role="alert"[^>]*>([^<]*)<', page.text)
    return found.group(1) if found else ""


async def audit_actions(services: Services, email: str) -> list[str]:
    async with services.db.read() as conn:
        query = select(tables.audit.c.action).where(tables.audit.c.actor == email).order_by(tables.audit.c.id)
        return list((await conn.execute(query)).scalars())


def session_cookie(response: Response) -> str:
    headers = [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{COOKIE}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


async def test_signing_in_sets_a_strict_host_only_cookie(console: AsyncClient, services: Services) -> None:
    email = await new_account(services)
    response = await post_login(console, email, next="/admin/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/account"
    cookie = session_cookie(response)
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite", "path", "max-age"} <= attributes
    assert "domain" not in attributes
    assert "SameSite=strict" in cookie and "Path=/;" in cookie + ";" and "Max-Age=43200" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 43
    async with services.db.read() as conn:
        stored = (await conn.execute(select(tables.admin_session.c.id))).scalars().all()
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in stored
    assert (await console.get("/admin/account")).status_code == 200
    assert "account.login" in await audit_actions(services, email)


async def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(
    console: AsyncClient, services: Services
) -> None:
    email = await new_account(services)
    wrong = await post_login(console, email, "not the password at all")
    unknown = await post_login(console, "nobody-" + email, PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert alert(wrong) == alert(unknown) == GENERIC
    assert COOKIE not in console.cookies
    assert await audit_actions(services, email) == ["account.created", "account.login_failed"]
    assert await audit_actions(services, "nobody-" + email) == []


async def test_the_address_is_not_case_sensitive(console: AsyncClient, services: Services) -> None:
    email = await new_account(services)
    assert (await post_login(console, "  " + email.upper())).status_code == 303


async def test_repeated_failures_lock_the_account_until_the_time_passes(
    console: AsyncClient, services: Services, clock: FakeClock, settings: Settings
) -> None:
    email = await new_account(services)
    for _ in range(settings.admin_max_failures - 1):
        assert alert(await post_login(console, email, "wrong password here")) == GENERIC
    locking = await post_login(console, email, "wrong password here")
    assert "try again in 15 minutes" in alert(locking)
    right = await post_login(console, email)
    assert right.status_code == 401
    assert alert(right) == f"{GENERIC} Too many failed attempts: try again in 15 minutes."
    clock.advance(minutes=14, seconds=30)
    assert "try again in 1 minute." in alert(await post_login(console, email))
    clock.advance(minutes=1)
    assert (await post_login(console, email)).status_code == 303
    assert "account.locked" in await audit_actions(services, email)


async def test_a_success_starts_the_count_again(console: AsyncClient, services: Services, settings: Settings) -> None:
    email = await new_account(services)
    for _ in range(2):
        for _ in range(settings.admin_max_failures - 1):
            await post_login(console, email, "wrong password here")
        assert (await post_login(console, email)).status_code == 303
        await console.post("/admin/logout", data={"csrf": await session_csrf(console)})


async def test_the_sign_in_form_needs_its_own_token(console: AsyncClient, services: Services) -> None:
    email = await new_account(services)
    forged = await console.post("/admin/login", data={"email": email, "password": PASSWORD, "csrf": "guess"})
    assert forged.status_code == 403
    assert COOKIE not in console.cookies
    # The refusal hands out a fresh form that works.
    again = await console.post(
        "/admin/login", data={"email": email, "password": PASSWORD, "csrf": hidden_csrf(forged.text)}
    )
    assert again.status_code == 303


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/admin",
        "//evil.example/admin",
        "/\\evil.example",
        "/admin\\@evil.example",
        "javascript:alert(1)",
        "/adminx",
        "/admin/../evil",
        "/admin/%2e%2e/evil",
        "/admin/login",
        "http:/admin",
        "/admin\t/x",
    ],
)
async def test_next_never_leaves_the_console(console: AsyncClient, services: Services, target: str) -> None:
    email = await new_account(services)
    response = await post_login(console, email, next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"


async def test_next_within_the_console_is_followed(console: AsyncClient, services: Services) -> None:
    redirect = await console.get("/admin/account?done=password")
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/admin/login?next=%2Fadmin%2Faccount%3Fdone%3Dpassword"
    email = await new_account(services)
    response = await post_login(console, email, next="/admin/account?done=password")
    assert response.headers["location"] == "/admin/account?done=password"


async def test_the_sign_in_page_sends_a_signed_in_person_on(console: AsyncClient, services: Services) -> None:
    await sign_in(console, await new_account(services))
    response = await console.get("/admin/login", params={"next": "/admin/account"})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/account"


async def test_console_pages_send_strict_headers(console: AsyncClient, services: Services) -> None:
    for page in [await console.get("/admin/login"), await console.get("/admin/login/code", follow_redirects=True)]:
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["cache-control"] == "no-store"
        assert page.headers.get_list("referrer-policy") == ["same-origin"]
        assert '<html lang="en">' in page.text and "<main" in page.text and 'href="#main"' in page.text
        assert '<script src="/static/admin.js" defer></script>' in page.text
    assert (await console.get("/static/admin.css")).headers["content-type"].startswith("text/css")


async def test_signing_out_ends_this_session_only(app: FastAPI, services: Services) -> None:
    email = await new_account(services)
    async with browser(app) as phone, browser(app) as laptop:
        first = await sign_in(phone, email)
        await sign_in(laptop, email)
        wrong = await phone.post("/admin/logout", data={"csrf": "not-it"})
        assert wrong.status_code == 403
        out = await phone.post("/admin/logout", data={"csrf": first.csrf})
        assert out.status_code == 303 and out.headers["location"] == "/admin/login?done=signed-out"
        assert COOKIE not in phone.cookies
        assert (await phone.get("/admin/account")).status_code == 303
        assert (await laptop.get("/admin/account")).status_code == 200


async def test_signing_out_everywhere_ends_every_session(app: FastAPI, services: Services) -> None:
    email = await new_account(services)
    async with browser(app) as phone, browser(app) as laptop:
        first = await sign_in(phone, email)
        second = await sign_in(laptop, email)
        out = await phone.post("/admin/logout/everywhere", data={"csrf": first.csrf})
        assert out.status_code == 303
        page = await laptop.get("/admin/account")
        assert page.status_code == 303 and page.headers["location"].startswith("/admin/login")
        # A post from the ended session is refused with 401, not redirected.
        assert (await laptop.post("/admin/logout", data={"csrf": second.csrf})).status_code == 401
    assert "account.logout_everywhere" in await audit_actions(services, email)


async def test_an_unused_session_expires_and_a_used_one_slides(
    console: AsyncClient, services: Services, clock: FakeClock
) -> None:
    await sign_in(console, await new_account(services))
    clock.advance(hours=11)
    used = await console.get("/admin/account")
    assert used.status_code == 200
    assert "Max-Age=43200" in session_cookie(used)
    clock.advance(hours=11)
    assert (await console.get("/admin/account")).status_code == 200
    clock.advance(hours=12, seconds=1)
    expired = await console.get("/admin/account")
    assert expired.status_code == 303
    assert expired.headers["location"].startswith("/admin/login?next=")


async def test_changing_the_password_signs_out_other_sessions(app: FastAPI, services: Services) -> None:
    email = await new_account(services)
    new = "a brand new passphrase"
    async with browser(app) as phone, browser(app) as laptop:
        signed = await sign_in(phone, email)
        await sign_in(laptop, email)
        form = {"csrf": signed.csrf, "current": "wrong current one", "new": new, "repeat": new}
        refused = await phone.post("/admin/account/password", data=form)
        assert refused.status_code == 403 and "current password" in alert(refused)
        short = await phone.post("/admin/account/password", data={**form, "current": PASSWORD, "new": "short"})
        assert short.status_code == 422 and "at least 12 characters" in alert(short)
        done = await phone.post("/admin/account/password", data={**form, "current": PASSWORD})
        assert done.status_code == 303
        assert (await phone.get("/admin/account")).status_code == 200
        assert (await laptop.get("/admin/account")).status_code == 303
    async with browser(app) as other:
        assert (await post_login(other, email, PASSWORD)).status_code == 401
        assert (await post_login(other, email, new)).status_code == 303
    assert "account.password_changed" in await audit_actions(services, email)


async def enrol(client: AsyncClient, clock: FakeClock) -> str:
    """Turn the second factor on through the account pages; returns the secret."""
    page = await client.get("/admin/account/totp")
    assert page.status_code == 200
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page.text)
    assert secret is not None
    assert "otpauth://totp/" in page.text
    totp = pyotp.TOTP(secret.group(1))
    wrong = await client.post(
        "/admin/account/totp", data={"csrf": hidden_csrf(page.text), "secret": secret.group(1), "code": "000000"}
    )
    assert wrong.status_code == 422
    form = {"csrf": hidden_csrf(page.text), "secret": secret.group(1), "code": totp.at(clock.now)}
    done = await client.post("/admin/account/totp", data=form)
    assert done.status_code == 303 and done.headers["location"] == "/admin/account?done=totp-on"
    return secret.group(1)


async def code_step(client: AsyncClient, email: str) -> Response:
    response = await post_login(client, email, next="/admin/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login/code?next=%2Fadmin%2Faccount"
    assert COOKIE not in client.cookies
    return await client.get(response.headers["location"])


async def test_with_a_second_factor_signing_in_needs_the_code(
    app: FastAPI, services: Services, clock: FakeClock
) -> None:
    email = await new_account(services)
    async with browser(app) as setup:
        await sign_in(setup, email)
        secret = await enrol(setup, clock)
    totp = pyotp.TOTP(secret)
    clock.advance(seconds=30)
    async with browser(app) as client:
        page = await code_step(client, email)
        form = {"csrf": hidden_csrf(page.text), "next": "/admin/account"}
        wrong = await client.post("/admin/login/code", data={**form, "code": "123456"})
        assert wrong.status_code == 401
        right = await client.post("/admin/login/code", data={**form, "code": totp.at(clock.now)})
        assert right.status_code == 303 and right.headers["location"] == "/admin/account"
        assert (await client.get("/admin/account")).status_code == 200
    actions = await audit_actions(services, email)
    assert actions[-3:] == ["account.totp_enabled", "account.login_failed", "account.login"]


async def test_a_code_is_accepted_once(app: FastAPI, services: Services, clock: FakeClock) -> None:
    email = await new_account(services)
    async with browser(app) as setup:
        await sign_in(setup, email)
        totp = pyotp.TOTP(await enrol(setup, clock))
    # The code that confirmed the set-up cannot sign in.
    async with browser(app) as client:
        page = await code_step(client, email)
        reused = await client.post(
            "/admin/login/code", data={"csrf": hidden_csrf(page.text), "code": totp.at(clock.now)}
        )
        assert reused.status_code == 401
        clock.advance(seconds=30)
        code = totp.at(clock.now)
        ok = await client.post("/admin/login/code", data={"csrf": hidden_csrf(page.text), "code": code})
        assert ok.status_code == 303
    async with browser(app) as client:
        page = await code_step(client, email)
        again = await client.post("/admin/login/code", data={"csrf": hidden_csrf(page.text), "code": code})
        assert again.status_code == 401 and "used already" in alert(again)


async def test_wrong_codes_lock_the_account(
    app: FastAPI, services: Services, clock: FakeClock, settings: Settings
) -> None:
    email = await new_account(services)
    async with browser(app) as setup:
        await sign_in(setup, email)
        totp = pyotp.TOTP(await enrol(setup, clock))
    clock.advance(seconds=30)
    async with browser(app) as client:
        page = await code_step(client, email)
        form = {"csrf": hidden_csrf(page.text)}
        for _ in range(settings.admin_max_failures):
            last = await client.post("/admin/login/code", data={**form, "code": "999999"})
        assert "try again in 15 minutes" in alert(last)
        locked = await client.post("/admin/login/code", data={**form, "code": totp.at(clock.now)})
        assert locked.status_code == 401 and "try again in" in alert(locked)


async def test_the_code_step_expires(app: FastAPI, services: Services, clock: FakeClock) -> None:
    email = await new_account(services)
    async with browser(app) as setup:
        await sign_in(setup, email)
        totp = pyotp.TOTP(await enrol(setup, clock))
    async with browser(app) as client:
        page = await code_step(client, email)
        clock.advance(minutes=6)
        late = await client.post("/admin/login/code", data={"csrf": hidden_csrf(page.text), "code": totp.at(clock.now)})
        assert late.status_code == 401 and "expired" in alert(late)
        assert 'action="/admin/login"' in late.text


async def test_the_code_page_without_a_password_step_goes_back(console: AsyncClient) -> None:
    response = await console.get("/admin/login/code")
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    forged = await console.post("/admin/login/code", data={"csrf": "x", "code": "123456"})
    assert forged.status_code == 403


async def test_turning_the_second_factor_off_needs_the_password(
    console: AsyncClient, services: Services, clock: FakeClock
) -> None:
    email = await new_account(services)
    signed = await sign_in(console, email)
    await enrol(console, clock)
    assert (await console.get("/admin/account/totp")).status_code == 303
    refused = await console.post(
        "/admin/account/totp/disable", data={"csrf": signed.csrf, "password": "nope nope nope"}
    )
    assert refused.status_code == 403
    done = await console.post("/admin/account/totp/disable", data={"csrf": signed.csrf, "password": PASSWORD})
    assert done.status_code == 303
    await console.post("/admin/logout", data={"csrf": signed.csrf})
    assert (await post_login(console, email)).headers["location"] == "/admin"
    assert "account.totp_disabled" in await audit_actions(services, email)


async def test_sign_ins_are_rate_limited_per_address(settings: Settings, clock: FakeClock) -> None:
    limited = create_app(settings.model_copy(update={"rate_limits": "on"}), clock=clock)
    async with LifespanManager(limited), browser(limited) as client:
        answers = [await post_login(client, "someone@example.org", "wrong password here") for _ in range(11)]
    assert [answer.status_code for answer in answers] == [401] * 10 + [429]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert "Too many sign-in attempts" in alert(answers[-1])


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """``python -m pnyx`` on a database file of its own, with a site named daily."""
    runner = Cli(tmp_path, {**clean_env(tmp_path), "PNYX_SECRET_KEY": CLI_SECRET})
    runner.ok("site", "add", "daily", "--origin", "https://daily.example")
    return runner


def test_cli_creates_and_lists_accounts(cli: Cli) -> None:
    made = cli.ok("admin", "create", "Ana@Example.org", "--role", "moderator", "--site", "daily", **STRONG)
    assert "ana@example.org created: moderator of daily" in made
    cli.ok("admin", "create", "boss@example.org", "--role", "admin", **STRONG)
    listed = cli.ok("admin", "list")
    assert re.search(r"ana@example\.org\s.*moderator\s.*daily\s.*off\s.*never", listed)
    assert re.search(r"boss@example\.org\s.*admin\s.*every site", listed)
    assert "already" in cli.fails("admin", "create", "ana@example.org", "--role", "admin", **STRONG)


def test_cli_refuses_bad_input_with_a_sentence_and_exit_2(cli: Cli) -> None:
    weak = cli.run("admin", "create", "c@example.org", "--role", "admin", PNYX_ADMIN_PASSWORD="too short")
    assert weak.returncode == 2 and "at least 12 characters" in weak.stderr
    unknown = cli.run("admin", "create", "c@example.org", "--role", "moderator", "--site", "nope", **STRONG)
    assert unknown.returncode == 2 and "no site named 'nope'" in unknown.stderr
    both = cli.run("admin", "create", "c@example.org", "--role", "admin", "--site", "daily", **STRONG)
    assert both.returncode == 2 and "--role moderator" in both.stderr
    address = cli.run("admin", "create", "not-an-address", "--role", "admin", **STRONG)
    assert address.returncode == 2 and "is not an e-mail address" in address.stderr
    assert "no console accounts" in cli.ok("admin", "list")


def test_cli_asks_for_the_password_twice(cli: Cli) -> None:
    # A new session has no terminal, so the hidden prompt reads the two lines from stdin.
    typed = subprocess.run(
        [sys.executable, "-m", "pnyx", "admin", "create", "dee@example.org", "--role", "admin"],
        env=cli.env,
        cwd=cli.folder,
        input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        start_new_session=True,
        check=False,
    )
    assert typed.returncode == 0, typed.stderr
    assert PASSWORD not in typed.stdout
    assert "dee@example.org created" in typed.stdout


async def test_an_account_made_by_the_cli_signs_in(cli: Cli, tmp_path: Path) -> None:
    cli.ok("admin", "create", "eve@example.org", "--role", "admin", **STRONG)
    cli.ok("admin", "password", "eve@example.org", PNYX_ADMIN_PASSWORD="a newer long password")
    settings = Settings(
        database_url=cli.env["PNYX_DATABASE_URL"], secret_key=CLI_SECRET, data_dir=tmp_path, worker="external"
    )
    application = create_app(settings)
    async with LifespanManager(application), browser(application) as client:
        assert (await post_login(client, "eve@example.org", PASSWORD)).status_code == 401
        assert (await post_login(client, "eve@example.org", "a newer long password")).status_code == 303


async def test_scripts_send_the_csrf_token_in_a_header(console: AsyncClient, services: Services) -> None:
    signed = await sign_in(console, await new_account(services))
    refused = await console.post("/admin/logout", json={}, headers={"X-CSRF-Token": "not-it"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert (await console.post("/admin/logout", headers={"X-CSRF-Token": signed.csrf})).status_code == 303


async def test_malformed_requests_get_a_page_with_a_sentence(console: AsyncClient, services: Services) -> None:
    as_json = await console.post("/admin/login", json={"email": "a@example.org", "password": PASSWORD})
    assert as_json.status_code == 400 and "x-www-form-urlencoded" in alert(as_json)
    broken = await console.post(
        "/admin/login", content=b"email=%ff%fe", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert broken.status_code == 400 and alert(broken)
    long_next = await console.get("/admin/login", params={"next": "/admin/" + "x" * 3000})
    assert long_next.status_code == 422 and alert(long_next)
