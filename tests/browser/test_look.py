"""The demo article as people see it: axe-core finds nothing serious, and screenshots for a person to look at.

Screenshots land in test-artifacts/ (light, dark, and a 360 px phone); nothing compares them automatically.
"""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from pnyx.demo import DEMO_KEY
from tests.browser.browsing import describe, screenshot, serious_violations
from tests.browser.conftest import NewPage
from tests.browser.servers import DemoServers
from tests.browser.widget import comments, open_article

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_demo_article_has_no_serious_accessibility_violations(
    new_page: NewPage, demo: DemoServers, scheme: str
) -> None:
    page = await new_page(color_scheme=scheme)
    block = await open_article(page, demo, DEMO_KEY)
    await expect(comments(block).first).to_be_visible()
    violations = await serious_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize(
    ("name", "scheme", "width"),
    [("demo-article-light", "light", 1280), ("demo-article-dark", "dark", 1280), ("demo-article-360px", "light", 360)],
)
async def test_screenshots_of_the_demo_article(
    new_page: NewPage, demo: DemoServers, name: str, scheme: str, width: int
) -> None:
    page = await new_page(color_scheme=scheme, viewport={"width": width, "height": 800})
    block = await open_article(page, demo, DEMO_KEY)
    await expect(comments(block).first).to_be_visible()
    scroll_width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width}px wide in a {width}px window"
    await screenshot(page, name)


async def test_screenshot_of_the_listing_page(new_page: NewPage, demo: DemoServers) -> None:
    page = await new_page()
    await page.goto(demo.site_url + "/")
    await expect(page.locator(f'[data-pnyx-count="{DEMO_KEY}"]')).not_to_be_empty()
    await screenshot(page, "demo-front-page")
