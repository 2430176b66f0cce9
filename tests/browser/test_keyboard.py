"""Everything by keyboard: Tab to move, Space and Enter to act, typing only into text fields."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.servers import DemoServers
from tests.browser.widget import (
    button,
    comment,
    open_article,
    points,
    points_are,
    points_text,
    reader_name,
    replies_to,
    tab_to,
)

pytestmark = pytest.mark.browser
KEYBOARD_KEY = "council-transcripts"


async def test_points_a_comment_and_a_reply_by_keyboard_alone(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, KEYBOARD_KEY)
    start = await points(block)
    # Start from the top of the page, as a keyboard user arriving on the article would.
    await page.evaluate("() => { window.scrollTo(0, 0); document.activeElement?.blur(); }")

    await tab_to(page, button(block, "Upvote"))
    await page.keyboard.press("Space")
    await expect(button(block, "Upvote")).to_have_attribute("aria-pressed", "true")
    await expect(points_text(block)).to_have_text(points_are(start + 1))

    name = reader_name("Kim")
    await tab_to(page, block.get_by_role("textbox", name="Comment", exact=True))
    await page.keyboard.type("Typed without touching the mouse.")
    await tab_to(page, block.get_by_role("textbox", name="Name", exact=True))
    await page.keyboard.type(name)
    await tab_to(page, button(block, "Post"))
    await page.keyboard.press("Enter")
    own = comment(block, name)
    await expect(own).to_contain_text("Typed without touching the mouse.")

    await tab_to(page, button(comment(block, "Ines"), "Reply to Ines"))
    await page.keyboard.press("Enter")
    reply_box = block.get_by_role("textbox", name="Reply to Ines", exact=True)
    await expect(reply_box).to_be_visible()
    if not await reply_box.evaluate("el => el.getRootNode().activeElement === el"):
        await tab_to(page, reply_box)
    await page.keyboard.type("And a reply, by keyboard too.")
    # The reply form has a Name field of its own, after the main form's.
    await tab_to(page, block.get_by_role("textbox", name="Name", exact=True).last)
    await page.keyboard.type(name)
    await tab_to(page, button(block, "Post reply"))
    await page.keyboard.press("Space")
    await expect(comment(replies_to(block, "Ines"), name)).to_contain_text("And a reply, by keyboard too.")
