"""The demo publisher's own pages, before and apart from the widget: structure, the embed, the count links."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from pnyx.demo import DEMO_KEY, DEMO_SITE
from pnyx.demo.articles import ARTICLES, FEATURED, related_to
from tests.browser.servers import DemoServers

pytestmark = pytest.mark.browser


async def test_the_article_page_is_a_readable_opinion_piece(page: Page, demo: DemoServers) -> None:
    response = await page.goto(demo.article(DEMO_KEY))
    assert response is not None and response.status == 200
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    for landmark in ("banner", "main", "contentinfo"):
        await expect(page.get_by_role(landmark)).to_have_count(1)
    story = page.get_by_role("article").filter(has=page.get_by_role("heading", level=1))
    await expect(story.get_by_role("heading", level=1)).to_have_text(FEATURED.title)
    await expect(story.get_by_text("Opinion", exact=True)).to_be_visible()
    await expect(story.get_by_text("This is an opinion piece")).to_be_visible()
    await expect(story.get_by_text(f"By {FEATURED.author}")).to_be_visible()
    await expect(story.locator("time[datetime]")).to_have_count(1)
    paragraphs = await story.locator(".story-body > p").count()
    assert 6 <= paragraphs <= 9


async def test_the_article_page_embeds_pnyx_from_the_other_origin(page: Page, demo: DemoServers) -> None:
    await page.goto(demo.article(DEMO_KEY))
    thread = page.locator("#pnyx-thread")
    await expect(thread).to_have_attribute("data-pnyx-site", DEMO_SITE)
    await expect(thread).to_have_attribute("data-pnyx-key", DEMO_KEY)
    script = page.locator(f'script[src="{demo.api_url}/embed.js"]')
    await expect(script).to_have_count(1)
    assert await script.get_attribute("async") is not None


async def test_related_articles_link_to_demo_pages_with_count_elements(page: Page, demo: DemoServers) -> None:
    await page.goto(demo.article(DEMO_KEY))
    related = page.get_by_role("complementary", name="More opinion")
    others = related_to(FEATURED)
    assert 2 <= len(others) <= 3
    for other in others:
        await expect(related.get_by_role("link", name=other.title)).to_have_attribute("href", other.path)
        await expect(related.locator(f'[data-pnyx-count="{other.key}"]')).to_have_count(1)


async def test_the_front_page_lists_every_article_with_a_count(page: Page, demo: DemoServers) -> None:
    await page.goto(demo.site_url + "/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Opinion")
    for article in ARTICLES:
        link = page.get_by_role("link", name=article.title, exact=True)
        await expect(link).to_have_attribute("href", article.path)
        await expect(page.locator(f'[data-pnyx-count="{article.key}"]')).to_have_count(1)
    disqus = page.locator(f'a[href="{FEATURED.path}#disqus_thread"][data-disqus-identifier="{FEATURED.key}"]')
    await expect(disqus).to_have_count(1)


async def test_every_article_page_has_its_own_thread(page: Page, demo: DemoServers) -> None:
    for article in ARTICLES:
        await page.goto(demo.article(article.key))
        await expect(page.locator("#pnyx-thread")).to_have_attribute("data-pnyx-key", article.key)


async def test_an_unknown_article_is_a_404_page(page: Page, demo: DemoServers) -> None:
    response = await page.goto(demo.article("no-such-piece"))
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    await expect(page.get_by_role("link", name="front page")).to_have_attribute("href", "/")


async def test_the_featured_article_has_an_edited_version(page: Page, demo: DemoServers) -> None:
    await page.goto(demo.article(DEMO_KEY))
    await page.get_by_role("link", name="Read the edited version").click()
    await expect(page).to_have_url(demo.article(DEMO_KEY) + "?version=2")
    await expect(page.get_by_role("heading", level=1)).to_have_text(FEATURED.title)
    await expect(page.locator("[data-pnyx-article]")).to_contain_text("Revenue over the trial held broadly steady")
    await expect(page.get_by_role("link", name="Read the original")).to_have_attribute("href", FEATURED.path)
    missing = await page.goto(demo.article(DEMO_KEY) + "?version=7")
    assert missing is not None and missing.status == 404
