"""Browser tests: Debian's Chromium driven by Playwright against ``pnyx demo`` started for the session.

The demo (pnyx and the publisher site on two loopback ports) runs in a subprocess on a temp SQLite
file with its seed; every test gets a fresh browser context, so a fresh reader with empty storage, and
no request may leave the machine. Without /usr/bin/chromium or axe-core (``make test`` installs
both) the tests skip, or fail when PNYX_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright, expect

from tests.browser.browsing import ARTIFACTS, AXE_SCRIPT, CHROMIUM, CHROMIUM_ARGS, keep_on_loopback, screenshot
from tests.browser.servers import DemoServers
from tests.conftest import missing_service

EXPECT_TIMEOUT_MS = 10_000
FAILED = pytest.StashKey[bool]()
NewPage = Callable[..., Awaitable[Page]]
DESKTOP = {"width": 1280, "height": 900}

# One slow step on a busy two-core machine should not fail a test that would pass a moment later.
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; skip (or fail in CI) when it is not installed."""
    if not CHROMIUM.exists():
        missing_service(f"{CHROMIUM} is not installed; `make test` installs it (apt-get install chromium)")
    if not AXE_SCRIPT.exists():
        missing_service(f"axe-core is not installed at {AXE_SCRIPT}; `make test` installs it (npm install)")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServers]:
    """``pnyx demo`` on two free ports with a fresh seeded database; stopped at the end of the session."""
    servers = DemoServers.start(tmp_path_factory.mktemp("demo"))
    try:
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
async def browser(playwright: Playwright, chromium: Path) -> AsyncIterator[Browser]:
    for stale in ARTIFACTS.glob("failed-*.png"):
        stale.unlink()  # screenshots of failures from an earlier run would mislead
    launched = await playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
    yield launched
    await launched.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    # Remember whether the test body failed, so the page fixture can keep a screenshot of it.
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture
async def new_page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[NewPage]:
    """Opens a page in a new context (a new reader: empty storage) that can reach loopback only.

    Keyword arguments go to ``browser.new_context``: ``color_scheme="dark"``, ``viewport={...}``.
    """
    contexts: list[BrowserContext] = []

    async def open_page(**options: Any) -> Page:
        context = await browser.new_context(**{"viewport": DESKTOP, **options})
        await keep_on_loopback(context)
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for number, context in enumerate(contexts):
        if request.node.stash.get(FAILED, False):
            for page in context.pages:
                await screenshot(page, f"failed-{request.node.name}-{number}")
        await context.close()


@pytest.fixture
async def page(new_page: NewPage) -> Page:
    """A page of a fresh reader."""
    return await new_page()


@pytest.fixture
async def api(demo: DemoServers) -> AsyncIterator[httpx.AsyncClient]:
    """The pnyx API as the demo site's pages call it (their Origin), for seeding a thread."""
    headers = {"Origin": demo.site_url}
    async with httpx.AsyncClient(base_url=demo.api_url, headers=headers, trust_env=False, timeout=10) as client:
        yield client
