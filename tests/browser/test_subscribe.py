"""Mail about new comments: "Notify of" on the comment form, "Subscribe" for readers who do not comment, the feed.

The demo only logs its mails, so the tests read what pnyx stored from the demo's SQLite file (read-only): a
subscription waiting for confirmation and its confirmation mail in the outbox. Each test uses an address of its own.
"""

from __future__ import annotations

import itertools
import sqlite3
from contextlib import closing
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Page, expect

from pnyx.demo import DEMO_SITE
from tests.browser.browsing import describe, serious_violations
from tests.browser.conftest import NewPage
from tests.browser.servers import DemoServers
from tests.browser.widget import (
    CONFIRMATION_SENT,
    button,
    comment,
    notify_of,
    open_article,
    post_comment,
    reader_name,
    subscription_form,
    thread_feed,
)

pytestmark = pytest.mark.browser
COMMENT_KEY = "show-your-working"
SUBSCRIBE_KEY = "night-buses"
_addresses = itertools.count(1)


def address(who: str = "reader") -> str:
    """An e-mail address no other test of this session gives."""
    return f"{who}-{next(_addresses)}@example.org"


def stored(demo: DemoServers, email: str) -> list[dict[str, Any]]:
    """The demo's subscriptions of ``email``, each with whether its confirmation mail is in the outbox."""
    database = demo.log_path.parent / "browser.db"
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT s.id, s.kind, s.comment_id, s.confirmed, s.digest, t.key AS thread_key,"
            " EXISTS(SELECT 1 FROM outbox o WHERE o.dedupe_key = 'confirm:' || s.id) AS confirmation_mail"
            " FROM subscription s JOIN thread t ON t.id = s.thread_id WHERE s.email = ?",
            (email,),
        ).fetchall()
    return [dict(row) for row in rows]


async def test_a_commenter_asks_for_follow_up_comments(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, COMMENT_KEY)
    email_field = block.get_by_role("textbox", name="E-mail", exact=True)
    await expect(notify_of(block)).to_have_value("none")
    await expect(email_field).not_to_have_attribute("required", "")
    await expect(block.get_by_text("Needed for notifications")).to_be_hidden()

    await notify_of(block).select_option(label="New follow-up comments")
    await expect(email_field).to_have_attribute("required", "")
    await expect(block.get_by_text("Needed for notifications: we first send a link to confirm it.")).to_be_visible()
    await expect(email_field).to_have_accessible_description(
        "Never shown publicly. Needed for notifications: we first send a link to confirm it."
    )
    name, email = reader_name("Lars"), address("lars")
    await block.get_by_role("textbox", name="Comment", exact=True).fill("Method boxes, please, on every story.")
    await block.get_by_role("textbox", name="Name", exact=True).fill(name)
    await button(block, "Post").click()
    assert await email_field.evaluate("el => el.validity.valueMissing"), "the browser asks for the address first"
    await expect(comment(block, name)).to_have_count(0)

    await email_field.fill(email)
    await button(block, "Post").click()
    await expect(comment(block, name)).to_contain_text("Method boxes, please")
    form = block.locator("form.pnyx-main")
    await expect(form.get_by_role("status")).to_have_text(CONFIRMATION_SENT)
    await expect(block.locator(".pnyx-status")).to_have_text("Your comment was posted.")
    [sub] = stored(demo, email)
    assert sub["kind"] == "followups" and not sub["confirmed"] and sub["confirmation_mail"], sub
    assert sub["thread_key"] == COMMENT_KEY

    # The choice and the address are offered again, in the main form and in reply forms.
    await page.reload()
    block = await open_article(page, demo, COMMENT_KEY)
    await expect(notify_of(block)).to_have_value("followups")
    await expect(block.get_by_role("textbox", name="E-mail", exact=True)).to_have_value(email)
    await button(comment(block, "Dev"), "Reply to Dev").click()
    await expect(notify_of(block).last).to_have_value("followups")
    await expect(block.get_by_role("textbox", name="E-mail", exact=True).last).to_have_attribute("required", "")


async def test_a_reply_can_ask_for_replies_to_itself(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, COMMENT_KEY)
    name, email = reader_name("Mia"), address("mia")
    await button(comment(block, "Lea"), "Reply to Lea").click()
    await block.get_by_role("textbox", name="Reply to Lea", exact=True).fill("Where do you find the method box?")
    await block.get_by_role("textbox", name="Name", exact=True).last.fill(name)
    await block.get_by_role("textbox", name="E-mail", exact=True).last.fill(email)
    await notify_of(block).last.select_option("replies")
    await button(block, "Post reply").click()
    await expect(comment(block, name)).to_contain_text("Where do you find the method box?")
    # The reply form closes, so the block's status says both.
    await expect(block.locator(".pnyx-status")).to_have_text(f"Your comment was posted. {CONFIRMATION_SENT}")
    [sub] = stored(demo, email)
    assert sub["kind"] == "replies" and sub["comment_id"] is not None and sub["confirmation_mail"], sub


async def test_a_reader_who_does_not_comment_subscribes(new_page: NewPage, demo: DemoServers) -> None:
    page = await new_page()
    block = await open_article(page, demo, SUBSCRIBE_KEY)
    subscribe = button(block, "Subscribe")
    await expect(subscription_form(block)).to_be_hidden()
    await expect(subscribe).to_have_attribute("aria-expanded", "false")

    await subscribe.click()
    form = subscription_form(block)
    await expect(subscribe).to_have_attribute("aria-expanded", "true")
    email_field = form.get_by_role("textbox", name="E-mail", exact=True)
    await expect(email_field).to_be_focused()
    email = address("nadia")
    await email_field.fill(email)
    await form.get_by_role("checkbox", name="Send a digest instead of a mail per comment").check()
    violations = await serious_violations(page)
    assert not violations, describe(violations)
    await button(form, "Notify me by e-mail").click()

    await expect(block.get_by_role("status").filter(has_text=CONFIRMATION_SENT)).to_be_visible()
    await expect(form).to_be_hidden()
    await expect(subscribe).to_be_focused()
    await expect(subscribe).to_have_attribute("aria-expanded", "false")
    [sub] = stored(demo, email)
    assert sub["kind"] == "followups" and sub["digest"] and not sub["confirmed"] and sub["confirmation_mail"], sub

    # The address is offered again by the next "Subscribe" and, after a reload, by the comment form.
    await subscribe.click()
    await expect(form.get_by_role("textbox", name="E-mail", exact=True)).to_have_value(email)
    await button(form, "Cancel").click()
    await expect(form).to_be_hidden()
    await expect(subscribe).to_be_focused()
    await page.reload()
    block = await open_article(page, demo, SUBSCRIBE_KEY)
    await expect(block.get_by_role("textbox", name="E-mail", exact=True)).to_have_value(email)


async def test_a_refused_address_shows_the_servers_sentence(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, SUBSCRIBE_KEY)
    await button(block, "Subscribe").click()
    form = subscription_form(block)
    # The browser lets an address without a dot in its domain pass; pnyx does not.
    await form.get_by_role("textbox", name="E-mail", exact=True).fill("ana@localhost")
    await button(form, "Notify me by e-mail").click()
    await expect(form.get_by_role("alert")).to_contain_text("'ana@localhost' is not an e-mail address")
    await expect(form).to_be_visible()
    assert stored(demo, "ana@localhost") == []
    await page.keyboard.press("Escape")
    await expect(form).to_be_hidden()
    await expect(button(block, "Subscribe")).to_be_focused()


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_subscription_controls_have_no_serious_accessibility_violations(
    new_page: NewPage, demo: DemoServers, scheme: str
) -> None:
    page = await new_page(color_scheme=scheme)
    block = await open_article(page, demo, COMMENT_KEY)
    await notify_of(block).select_option("followups")
    await button(block, "Subscribe").click()
    await expect(subscription_form(block)).to_be_visible()
    violations = await serious_violations(page)
    assert not violations, describe(violations)


async def test_the_footer_links_the_threads_feed(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, SUBSCRIBE_KEY)
    href = await thread_feed(block).get_attribute("href")
    assert href is not None
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}" == demo.api_url and parts.path == "/feeds/thread.atom"
    assert parse_qs(parts.query) == {"site": [DEMO_SITE], "key": [SUBSCRIBE_KEY]}
    feed = await page.request.get(href)
    assert feed.ok and "atom" in feed.headers["content-type"], feed.status
    assert "Aoife" in await feed.text()


async def test_a_commenter_is_offered_the_feed_of_replies_to_them(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, COMMENT_KEY)
    private = block.get_by_role("link", name="Feed of replies to you", exact=True)
    await expect(private).to_have_count(0)
    await post_comment(block, "A comment, so there can be replies.", reader_name("Ola"))
    await expect(private).to_be_visible()
    assert "/feeds/replies.atom?token=" in str(await private.get_attribute("href"))
