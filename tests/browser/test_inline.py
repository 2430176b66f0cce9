"""Inline feedback on the demo article: prompts, passages readers select, highlights, and the edited version.

The four-day-week article marks its body ``data-pnyx-article`` and asks two questions; its seed holds a
comment on the pay question and three on passages that the edited version (``?version=2``) rewords,
moves further on and removes. Tests that write use passages, prompts and names of their own.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Locator, Page, Playwright, Route, expect

from pnyx.demo import DEMO_KEY, DEMO_SITE
from pnyx.demo.articles import FEATURED
from pnyx.demo.passages import article_text
from tests.browser.browsing import CHROMIUM_ARGS, describe, keep_on_loopback, screenshot, serious_violations
from tests.browser.conftest import NewPage
from tests.browser.servers import DemoServers
from tests.browser.widget import button, comment, reader_name, tab_to

pytestmark = pytest.mark.browser

PAY = "Should a four-day week keep full pay?"
ROTA = "Could your newsroom cover every day with staggered days off?"
PASSAGE = "Comments on this passage"
EARLIER = "On an earlier version of this article"
# Seeded passages (pnyx.demo.seed): the edited version rewords the first, moves the second, drops the third.
REWORDED = "Revenue over the trial held broadly steady"
MOVED = "rewrites of agency copy that readers can find anywhere"
REMOVED = "A benefit that keeps a good courts reporter"
SELECT = """words => {
  const walk = document.createTreeWalker(document.querySelector("[data-pnyx-article]"), NodeFilter.SHOW_TEXT);
  for (let node; (node = walk.nextNode()); ) {
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    return true;
  }
  return false;
}"""

RECORD_VIOLATIONS = """
window.pnyxViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.pnyxViolations.push(e.violatedDirective));
"""
# Where an element starts in the article's text.
OFFSET = """el => {
  const range = document.createRange();
  range.setStart(document.querySelector("[data-pnyx-article]"), 0);
  range.setEnd(el, 0);
  return range.toString().length;
}"""


def prompt(page: Page, question: str, count: int | None = None) -> Locator:
    """The button after the passage that asks ``question`` (with exactly ``count`` comments when given)."""
    number = r"\d+" if count is None else str(count)
    return page.get_by_role("button", name=re.compile(rf"^{re.escape(question)} {number} comments?$"))


async def prompt_count(page: Page, question: str) -> int:
    """The number of comments the prompt's button names."""
    name = await prompt(page, question).get_attribute("aria-label")
    found = re.search(r"(\d+) comments?$", name or "")
    assert found, f"no count in {name!r}"
    return int(found.group(1))


def highlight(page: Page, words: str, count: int | None = None) -> Locator:
    """The highlighted passage starting with ``words`` (with exactly ``count`` comments when given)."""
    number = r"\d+" if count is None else str(count)
    return page.get_by_role("button", name=re.compile(rf"^Passage with {number} comments?: {re.escape(words)}"))


def panel(page: Page, name: str = PASSAGE) -> Locator:
    return page.get_by_role("dialog", name=name, exact=True)


def main_block(page: Page) -> Locator:
    return page.locator("#pnyx-thread")


async def open_article(page: Page, demo: DemoServers, version: int = 1) -> None:
    """The demo article, once inline feedback has set up its prompts."""
    await page.goto(demo.article(DEMO_KEY) + ("" if version == 1 else f"?version={version}"))
    await expect(prompt(page, PAY)).to_be_visible()


async def select(page: Page, words: str) -> None:
    """Select ``words`` of the article as a script would (they must sit in one text node)."""
    assert await page.evaluate(SELECT, words), f"{words!r} is not in one text node of the article"


async def has_focus(target: Locator) -> bool:
    return bool(await target.evaluate("el => el.getRootNode().activeElement === el"))


async def show_main_block(page: Page) -> Locator:
    """The block under the article, scrolled to so that it renders."""
    block = main_block(page)
    await block.scroll_into_view_if_needed()
    await expect(block.get_by_role("heading", name="What do you think?")).to_be_visible()
    return block


def quoted_above(block: Locator, author: str) -> Locator:
    """The quote the block under the article shows above ``author``'s comment."""
    return comment(block, author).locator("blockquote.pnyx-quote")


async def test_the_browser_sees_the_article_text_the_seed_anchors_to(page: Page, demo: DemoServers) -> None:
    for version in (1, 2):
        await open_article(page, demo, version)
        text = await page.evaluate("() => document.querySelector('[data-pnyx-article]').textContent")
        assert text == article_text(FEATURED, version)


async def test_a_reader_answers_a_publisher_prompt(page: Page, demo: DemoServers) -> None:
    await open_article(page, demo)
    block = await show_main_block(page)  # so the new comment joins it live
    before = await prompt_count(page, PAY)
    await prompt(page, PAY).click()
    await expect(prompt(page, PAY)).to_have_attribute("aria-expanded", "true")
    asked = panel(page, PAY)
    await expect(comment(asked, "Olu")).to_contain_text("pay cut with a nicer name")

    name = reader_name("Noor")
    await asked.get_by_role("textbox", name="Comment", exact=True).fill("Full pay, or nobody believes the promise.")
    await asked.get_by_role("textbox", name="Name", exact=True).fill(name)
    await button(asked, "Post").click()
    await expect(comment(asked, name)).to_contain_text("nobody believes the promise")
    await expect(prompt(page, PAY, before + 1)).to_be_visible()

    await expect(quoted_above(block, name)).to_have_text(PAY)

    await page.reload()
    await expect(prompt(page, PAY, before + 1)).to_be_visible()


async def test_a_reader_comments_on_a_passage_they_select(
    page: Page, demo: DemoServers, api: httpx.AsyncClient
) -> None:
    words = "they take their contacts and their memory of the patch with them"
    await open_article(page, demo)
    await select(page, words)
    await button(page, "Comment on this passage").click()
    chosen = panel(page)
    await expect(chosen.locator("blockquote")).to_have_text(words)

    name = reader_name("Ivo")
    await chosen.get_by_role("textbox", name="Comment", exact=True).fill("Memory of the patch is what a desk loses.")
    await chosen.get_by_role("textbox", name="Name", exact=True).fill(name)
    await button(chosen, "Post").click()
    await expect(comment(chosen, name)).to_contain_text("what a desk loses")
    await expect(highlight(page, words, 1)).to_be_visible()
    await expect(quoted_above(await show_main_block(page), name)).to_have_text(words)

    # The browser's offsets are the ones Python computes from the same page.
    stored = await api.get("/api/v1/anchors", params={"site": DEMO_SITE, "key": DEMO_KEY})
    anchor = next(a for a in stored.json()["anchors"] if a["exact"] == words)
    quote, position = anchor["selector"]
    assert article_text(FEATURED)[position["start"] : position["end"]] == words == quote["exact"]

    await page.reload()
    await expect(highlight(page, words, 1)).to_have_text(words)
    await expect(prompt(page, PAY)).to_be_visible()

    # The edited version drops that sentence: its comment is listed after the article, never lost.
    await open_article(page, demo, version=2)
    earlier = page.get_by_role("region", name=EARLIER)
    await expect(earlier).to_contain_text(words)
    await expect(highlight(page, words)).to_have_count(0)
    item = earlier.get_by_role("listitem").filter(has_text=words)
    await button(item, "Show 1 comment").click()
    await expect(comment(panel(page), name)).to_contain_text("what a desk loses")


async def test_the_edited_version_finds_moved_and_reworded_passages(page: Page, demo: DemoServers) -> None:
    await open_article(page, demo, version=2)
    await expect(highlight(page, REWORDED)).to_be_visible()  # found again though a word changed
    moved = highlight(page, MOVED)
    await expect(moved).to_have_text(MOVED)
    before, after = article_text(FEATURED).index(MOVED), article_text(FEATURED, 2).index(MOVED)
    assert before != after and await moved.evaluate(OFFSET) == after

    earlier = page.get_by_role("region", name=EARLIER)
    await expect(earlier.get_by_role("heading", name=EARLIER)).to_be_visible()
    gone = earlier.get_by_role("listitem").filter(has_text=REMOVED)
    await button(gone, "Show 1 comment").click()
    await expect(comment(panel(page), "Kwame")).to_contain_text("Finance never counts")
    violations = await serious_violations(page)
    assert not violations, describe(violations)
    await expect(page.get_by_role("link", name="Read the original")).to_have_attribute("href", FEATURED.path)


async def test_inline_feedback_by_keyboard_alone(page: Page, demo: DemoServers) -> None:
    await open_article(page, demo)
    before = await prompt_count(page, ROTA)
    await page.evaluate("() => { window.scrollTo(0, 0); document.activeElement?.blur(); }")

    await tab_to(page, prompt(page, ROTA))
    await page.keyboard.press("Enter")
    asked = panel(page, ROTA)
    box = asked.get_by_role("textbox", name="Comment", exact=True)
    await expect(box).to_be_visible()
    assert await has_focus(box), "the panel opens with the focus in its form"
    await page.keyboard.type("Only with a rota the whole desk agrees.")
    await tab_to(page, button(asked, "Post"))
    await page.keyboard.press("Enter")
    await expect(asked.get_by_role("article", name="Comment by a guest")).to_contain_text("the whole desk agrees")
    await expect(prompt(page, ROTA, before + 1)).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(asked).to_have_count(0)
    assert await has_focus(prompt(page, ROTA)), "Escape returns the focus to the prompt"

    # A passage selected with the keyboard (here by a script): Tab goes to its button next.
    await select(page, "Staggered rotas are already how we cover nights")
    await page.keyboard.press("Tab")
    chooser = button(page, "Comment on this passage")
    assert await has_focus(chooser), "Tab right after a selection reaches the passage button"
    await page.keyboard.press("Enter")
    box = panel(page).get_by_role("textbox", name="Comment", exact=True)
    await expect(box).to_be_visible()
    assert await has_focus(box)
    await page.keyboard.press("Escape")
    await expect(panel(page)).to_have_count(0)
    assert await has_focus(chooser), "Escape returns the focus to the passage button"

    passage = highlight(page, MOVED)
    await tab_to(page, passage)
    await expect(page.locator("pnyx-preview ol")).to_contain_text("Agency rewrites are the easiest cut")
    await page.keyboard.press("Enter")
    await expect(comment(panel(page), "Rosa")).to_contain_text("Agency rewrites")
    await page.keyboard.press("Escape")
    await expect(panel(page)).to_have_count(0)
    assert await has_focus(passage), "Escape returns the focus to the highlight"


async def test_votes_and_replies_work_in_a_panel(page: Page, demo: DemoServers) -> None:
    await open_article(page, demo)
    await highlight(page, "Revenue over the period").click()
    opened = panel(page)
    hannah = comment(opened, "Hannah")
    await button(hannah, "Upvote comment by Hannah").click()
    await expect(button(hannah, "Upvote comment by Hannah")).to_have_attribute("aria-pressed", "true")

    name = reader_name("Sam")
    await button(hannah, "Reply to Hannah").click()
    await opened.get_by_role("textbox", name="Reply to Hannah", exact=True).fill("The second year is due in spring.")
    await opened.get_by_role("textbox", name="Name", exact=True).last.fill(name)
    await button(opened, "Post reply").click()
    await expect(comment(opened, name)).to_contain_text("due in spring")
    await expect(highlight(page, "Revenue over the period", 2)).to_be_visible()
    await expect(comment(await show_main_block(page), name)).to_contain_text("due in spring")


async def test_a_long_selection_asks_for_a_shorter_one(page: Page, demo: DemoServers) -> None:
    await open_article(page, demo)
    await page.evaluate("() => getSelection().selectAllChildren(document.querySelector('[data-pnyx-article]'))")
    await expect(page.get_by_text("Select at most 1,000 characters to comment on a passage.")).to_be_visible()
    await expect(button(page, "Comment on this passage")).to_have_count(0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_an_open_panel_has_no_serious_accessibility_violations(
    new_page: NewPage, demo: DemoServers, scheme: str
) -> None:
    page = await new_page(color_scheme=scheme)
    await open_article(page, demo)
    passage = highlight(page, "Revenue over the period")
    await passage.click()
    await expect(comment(panel(page), "Hannah")).to_be_visible()
    violations = await serious_violations(page)
    assert not violations, describe(violations)
    await passage.evaluate("el => scrollTo(0, el.getBoundingClientRect().top + scrollY - 160)")
    await screenshot(page, f"inline-panel-{scheme}", full_page=False)


async def test_a_panel_fits_a_320_pixel_screen(new_page: NewPage, demo: DemoServers) -> None:
    page = await new_page(viewport={"width": 320, "height": 720})
    await open_article(page, demo)
    await prompt(page, PAY).click()
    asked = panel(page, PAY)
    await expect(button(asked, "Post")).to_be_visible()
    await expect(button(asked, "Close")).to_be_visible()
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways: {width}px wide"
    box = await asked.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    await prompt(page, PAY).evaluate("el => el.scrollIntoView({block: 'start'})")
    await screenshot(page, "inline-panel-320px", full_page=False)


async def test_inline_feedback_works_under_a_strict_content_security_policy(
    playwright: Playwright, chromium: Path, demo: DemoServers
) -> None:
    """The article page as a careful publisher sends it: scripts, styles and requests only from pnyx and itself."""
    policy = (
        f"default-src 'none'; script-src {demo.api_url}; style-src 'self' {demo.api_url}; "
        f"connect-src {demo.api_url}; img-src data:; base-uri 'none'"
    )

    async def with_policy(route: Route) -> None:
        response = await route.fetch()
        await route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})

    # A response fulfilled by the test counts as from the public internet, which may not call loopback addresses.
    browser = await playwright.chromium.launch(
        executable_path=str(chromium), args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"]
    )
    try:
        context = await browser.new_context()
        await keep_on_loopback(context)
        page = await context.new_page()
        await page.route(demo.article(DEMO_KEY), with_policy)
        await page.add_init_script(RECORD_VIOLATIONS)
        await open_article(page, demo)
        await select(page, "Nobody is proposing to lock the building on the fifth day")
        await button(page, "Comment on this passage").click()
        await expect(panel(page).get_by_role("textbox", name="Comment", exact=True)).to_be_visible()
        await highlight(page, MOVED).hover()
        await expect(page.locator("pnyx-preview ol")).to_contain_text("Agency rewrites")
        await expect(comment(await show_main_block(page), "Rosa")).to_be_visible()
        assert await page.evaluate("() => window.pnyxViolations") == []
    finally:
        await browser.close()
