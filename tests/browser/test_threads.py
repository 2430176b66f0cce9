"""Reading a long thread: the three sort orders, "Load more comments" and "View all comments"."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from pnyx.demo import DEMO_SITE
from tests.browser.servers import DemoServers
from tests.browser.widget import button, comment, comments, open_article, post_comment, reader_name, thread_json

pytestmark = pytest.mark.browser
SORT_KEY = "show-your-working"
LONG_KEY = "night-buses"
EXTRA_COMMENTS = 30


@pytest.fixture(scope="module")
async def long_thread(demo: DemoServers) -> int:
    """Fill the night-buses thread past one page through the API, as pages of the demo site would; its total."""
    headers = {"Origin": demo.site_url}
    async with httpx.AsyncClient(base_url=demo.api_url, headers=headers, trust_env=False, timeout=10) as api:
        for number in range(1, EXTRA_COMMENTS + 1):
            payload = {
                "site": DEMO_SITE,
                "key": LONG_KEY,
                "body": f"Route note number {number}.",
                "author_name": f"Rider {number}",
            }
            response = await api.post("/api/v1/comments", json=payload)
            assert response.status_code == 201, response.text
        total: int = (await thread_json(api, LONG_KEY))["total"]
    return total


async def test_the_reader_sorts_comments(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, SORT_KEY)
    name = reader_name()
    await post_comment(block, "The newest word on the matter.", name)
    sort = block.get_by_role("group", name="Sort comments")

    await button(sort, "Newest").click()
    await expect(button(sort, "Newest")).to_have_attribute("aria-pressed", "true")
    await expect(comments(block).first).to_have_accessible_name(f"Comment by {name}")

    await button(sort, "Oldest").click()
    await expect(button(sort, "Oldest")).to_have_attribute("aria-pressed", "true")
    await expect(comments(block).first).to_have_accessible_name("Comment by Lea")
    await expect(comments(block).last).to_have_accessible_name(f"Comment by {name}")

    await button(sort, "Best").click()
    await expect(button(sort, "Best")).to_have_attribute("aria-pressed", "true")
    await expect(comments(block).first).to_have_accessible_name("Comment by Lea")


async def test_load_more_comments_brings_the_next_page(page: Page, demo: DemoServers, long_thread: int) -> None:
    block = await open_article(page, demo, LONG_KEY)
    await expect(comments(block).first).to_be_visible()
    shown = await comments(block).count()
    assert shown < long_thread
    await button(block, "Load more comments").click()
    await expect(comments(block)).not_to_have_count(shown)
    assert await comments(block).count() > shown


async def test_view_all_comments_shows_the_whole_thread(page: Page, demo: DemoServers, long_thread: int) -> None:
    block = await open_article(page, demo, LONG_KEY)
    await button(block, "View all comments").click()
    await expect(comments(block)).to_have_count(long_thread)
    await expect(comment(block, "Aoife")).to_be_visible()
    await expect(comment(block, f"Rider {EXTRA_COMMENTS}")).to_be_visible()
