"""Comment counts on the demo's listing page, for pnyx's own count elements and a link written for Disqus."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from pnyx.demo.articles import ARTICLES, FEATURED, related_to
from tests.browser.servers import DemoServers
from tests.browser.widget import counts

pytestmark = pytest.mark.browser


def _shows(count: int) -> re.Pattern[str]:
    return re.compile(rf"(^|\D){count}(\D|$)")


async def test_the_listing_page_shows_every_articles_count(
    page: Page, demo: DemoServers, api: httpx.AsyncClient
) -> None:
    expected = await counts(api, [article.key for article in ARTICLES])
    await page.goto(demo.site_url + "/")
    for key, count in expected.items():
        await expect(page.locator(f'[data-pnyx-count="{key}"]')).to_have_text(_shows(count))
    disqus = page.locator(f'a[data-disqus-identifier="{FEATURED.key}"]')
    await expect(disqus).to_have_text(_shows(expected[FEATURED.key]))
    await expect(disqus).to_have_attribute("href", f"{FEATURED.path}#disqus_thread")


async def test_related_articles_show_their_counts(page: Page, demo: DemoServers, api: httpx.AsyncClient) -> None:
    others = related_to(FEATURED)
    expected = await counts(api, [article.key for article in others])
    await page.goto(demo.article(FEATURED.key))
    for key, count in expected.items():
        await expect(page.locator(f'.related [data-pnyx-count="{key}"]')).to_have_text(_shows(count))
