"""A reader on a site that holds every comment for a moderator: their own show to them, marked, and to no one else.

The site's policy is changed for these tests with ``pnyx site settings`` against the demo's database, and put back
afterwards, so the other tests meet the demo as seeded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Locator, Page, Route, expect

from pnyx.demo import DEMO_SITE
from tests.browser.browsing import describe, serious_violations
from tests.browser.conftest import NewPage
from tests.browser.servers import DemoServers
from tests.browser.widget import (
    AWAITING_MODERATION,
    HELD,
    button,
    comment,
    comments_heading,
    email_field,
    held_mark,
    notify_of,
    open_article,
    post_comment,
    reader_name,
    replies_to,
    thread_json,
)

pytestmark = pytest.mark.browser
HELD_KEY = "council-transcripts"


def site_settings(demo: DemoServers, *options: str) -> str:
    """Run ``pnyx site settings demo OPTIONS`` on the running demo's database; returns what it printed."""
    return demo.cli("site", "settings", DEMO_SITE, *options)


@pytest.fixture
def holding_every_comment(demo: DemoServers) -> Iterator[None]:
    """The demo site holds every new comment for a moderator while the test runs."""
    found = re.search(r"^premoderation: (\w+)$", site_settings(demo), re.MULTILINE)
    assert found, "the CLI shows the site's premoderation"
    site_settings(demo, "--premoderation", "all")
    try:
        yield
    finally:
        site_settings(demo, "--premoderation", found.group(1))


async def public_count(api: httpx.AsyncClient) -> int:
    count: int = (await thread_json(api, HELD_KEY))["thread"]["comment_count"]
    return count


def names_in(page: dict[str, Any]) -> list[str | None]:
    """Every author name of a thread page, replies included (None for a guest or a deleted comment)."""
    pending: list[dict[str, Any]] = list(page["comments"])
    names: list[str | None] = []
    while pending:
        found = pending.pop()
        names.append((found.get("author") or {}).get("name"))
        pending.extend(found.get("replies", []))
    return names


async def reopen(page: Page) -> Locator:
    """Reload the article and bring the block into view again."""
    await page.reload()
    block = page.locator("#pnyx-thread")
    await block.scroll_into_view_if_needed()
    await expect(comments_heading(block)).to_be_visible()
    return block


@pytest.mark.usefixtures("holding_every_comment")
async def test_a_held_comment_shows_to_its_author_alone(
    new_page: NewPage, demo: DemoServers, api: httpx.AsyncClient
) -> None:
    before = await public_count(api)
    page = await new_page()
    block = await open_article(page, demo, HELD_KEY)
    name = reader_name("Hana")
    own = await post_comment(block, "Publish the agendas a week ahead, too.", name)

    await expect(held_mark(own)).to_be_visible()
    await expect(own).to_contain_text("Only you can see this comment until a moderator has approved it.")
    await expect(own).to_be_focused()
    await expect(block.get_by_text(HELD, exact=True)).to_be_visible()
    await expect(block.get_by_role("alert").filter(has_text=re.compile(r"\S"))).to_have_count(0)
    await expect(comments_heading(block, before)).to_be_visible()
    for absent in (f"Reply to {name}", f"Upvote comment by {name}", f"Report comment by {name}"):
        await expect(button(own, absent)).to_have_count(0)
    await expect(button(own, "Edit your comment")).to_be_visible()

    block = await reopen(page)
    again = comment(block, name)
    await expect(again).to_contain_text("Publish the agendas a week ahead, too.")
    await expect(held_mark(again)).to_be_visible()
    violations = await serious_violations(page)
    assert not violations, describe(violations)

    other = await new_page()
    theirs = await open_article(other, demo, HELD_KEY)
    await expect(comments_heading(theirs, before)).to_be_visible()
    await expect(comment(theirs, "Ines")).to_be_visible()
    await expect(comment(theirs, name)).to_have_count(0)
    await expect(held_mark(theirs)).to_have_count(0)
    assert name not in names_in(await thread_json(api, HELD_KEY, view="all"))
    assert await public_count(api) == before


@pytest.mark.usefixtures("holding_every_comment")
async def test_a_held_reply_stays_under_its_parent_for_its_author(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, HELD_KEY)
    name = reader_name("Ivo")
    await button(comment(block, "Ines"), "Reply to Ines").click()
    await block.get_by_role("textbox", name="Reply to Ines", exact=True).fill("Minutes would be a start.")
    await block.get_by_role("textbox", name="Name", exact=True).last.fill(name)
    await button(block, "Post reply").click()
    own = comment(replies_to(block, "Ines"), name)
    await expect(own).to_contain_text("Minutes would be a start.")
    await expect(held_mark(own)).to_be_visible()
    await expect(block.get_by_text(HELD, exact=True)).to_be_visible()

    block = await reopen(page)
    again = comment(replies_to(block, "Ines"), name)
    await expect(again).to_contain_text("Minutes would be a start.")
    await expect(again.get_by_text(AWAITING_MODERATION, exact=True)).to_be_visible()


async def _says_the_address_is_verified(route: Route) -> None:
    response = await route.fetch()
    await route.fulfill(response=response, json={**await response.json(), "email_verified": True})


@pytest.mark.usefixtures("holding_every_comment")
async def test_a_reader_with_a_confirmed_address_need_not_give_it_again(page: Page, demo: DemoServers) -> None:
    await page.route(re.compile(r"/api/v1/me\?"), _says_the_address_is_verified)
    block = await open_article(page, demo, HELD_KEY)
    pick, email = notify_of(block).first, email_field(block).first
    await pick.select_option("replies")
    await expect(email).to_have_js_property("required", True)
    await expect(email).to_have_accessible_description(re.compile("we first send a link to confirm it"))
    await pick.select_option("none")

    await post_comment(block, "A comment that gives this reader a token.", reader_name("Jo"))
    await pick.select_option("replies")
    await expect(email).to_have_js_property("required", False)
    note = "Optional: without it, notifications go to the address you already confirmed."
    await expect(email).to_have_accessible_description(re.compile(re.escape(note)))
    await expect(block.get_by_text(note, exact=True)).to_be_visible()
    await expect(block.get_by_text("Needed for notifications: we first send a link to confirm it.")).to_be_hidden()
