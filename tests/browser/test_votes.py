"""Article points ("What do you think?") and comment votes: given, changed, remembered after a reload."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.servers import DemoServers
from tests.browser.widget import button, comment, comment_by, open_article, points, points_are, points_text

pytestmark = pytest.mark.browser
VOTE_KEY = "council-transcripts"
COMMENT_VOTE = re.compile(r"/api/v1/comments/\d+/vote$")


async def test_a_guest_gives_the_article_points_and_changes_their_mind(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, VOTE_KEY)
    start = await points(block)
    upvote, downvote = button(block, "Upvote"), button(block, "Downvote")

    await upvote.click()
    await expect(upvote).to_have_attribute("aria-pressed", "true")
    await expect(points_text(block)).to_have_text(points_are(start + 1))

    await downvote.click()
    await expect(downvote).to_have_attribute("aria-pressed", "true")
    await expect(upvote).to_have_attribute("aria-pressed", "false")
    await expect(points_text(block)).to_have_text(points_are(start - 1))

    await page.reload()
    await page.locator("#pnyx-thread").scroll_into_view_if_needed()
    await expect(downvote).to_have_attribute("aria-pressed", "true")
    await expect(points_text(block)).to_have_text(points_are(start - 1))


async def test_a_guest_votes_on_a_comment_and_changes_the_vote(
    page: Page, demo: DemoServers, api: httpx.AsyncClient
) -> None:
    before = await comment_by(api, VOTE_KEY, "Ines")
    block = await open_article(page, demo, VOTE_KEY)
    target = comment(block, "Ines")
    upvote, downvote = button(target, "Upvote comment by Ines"), button(target, "Downvote comment by Ines")

    async with page.expect_response(COMMENT_VOTE) as answer:
        await upvote.click()
    assert (await (await answer.value).json())["up"] == before["up"] + 1
    await expect(upvote).to_have_attribute("aria-pressed", "true")

    async with page.expect_response(COMMENT_VOTE) as answer:
        await downvote.click()
    tally = await (await answer.value).json()
    assert (tally["up"], tally["down"]) == (before["up"], before["down"] + 1)
    await expect(downvote).to_have_attribute("aria-pressed", "true")
    await expect(upvote).to_have_attribute("aria-pressed", "false")

    await page.reload()
    await page.locator("#pnyx-thread").scroll_into_view_if_needed()
    await expect(downvote).to_have_attribute("aria-pressed", "true")
    after = await comment_by(api, VOTE_KEY, "Ines")
    assert (after["up"], after["down"]) == (before["up"], before["down"] + 1)
