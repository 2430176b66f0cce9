"""Browser helpers: the loopback-only guard, screenshots into test-artifacts/, and axe-core checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, Route

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
SERIOUS = frozenset({"serious", "critical"})


async def _only_loopback(route: Route) -> None:
    if urlsplit(route.request.url).hostname in LOOPBACK_HOSTS:
        await route.continue_()
    else:
        await route.abort("blockedbyclient")


async def keep_on_loopback(context: BrowserContext) -> None:
    """Abort every request of ``context`` that would leave the machine."""
    await context.route("**/*", _only_loopback)


async def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot of the whole page (or of the window) as test-artifacts/NAME.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=path, full_page=full_page)
    return path


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    await page.add_script_tag(path=AXE_SCRIPT)
    result: dict[str, Any] = await page.evaluate("() => axe.run()")
    return [violation for violation in result["violations"] if violation["impact"] in SERIOUS]


def describe(violations: list[dict[str, Any]]) -> str:
    """A violation list as lines a person can act on: rule, impact, help and the offending nodes."""
    lines = []
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)
