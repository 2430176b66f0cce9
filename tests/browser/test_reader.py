"""A guest on the demo article: reads, posts, replies, edits, deletes, reports, and keeps a draft through a failure.

The demo page is served from one origin and pnyx from another, as on a real publisher's site. Tests that
write use the council-transcripts thread and names of their own; the four-day-week thread stays as seeded.
"""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from playwright.async_api import Page, Route, expect

from pnyx.demo import DEMO_KEY
from tests.browser.conftest import NewPage
from tests.browser.servers import DemoServers
from tests.browser.widget import (
    button,
    comment,
    comment_by,
    comments,
    comments_heading,
    open_article,
    points_are,
    points_text,
    post_comment,
    reader_name,
    replies_to,
    thread_json,
)

pytestmark = pytest.mark.browser
WRITE_KEY = "council-transcripts"


async def test_a_guest_reads_the_seeded_thread(page: Page, demo: DemoServers, api: httpx.AsyncClient) -> None:
    stored = (await thread_json(api, DEMO_KEY))["thread"]
    block = await open_article(page, demo, DEMO_KEY)
    await expect(points_text(block)).to_have_text(points_are(stored["points"]))
    for name in ("Upvote", "Downvote"):
        await expect(button(block, name)).to_have_attribute("aria-pressed", "false")
    await expect(comments_heading(block, stored["comment_count"])).to_be_visible()
    sort = block.get_by_role("group", name="Sort comments")
    for order in ("Best", "Newest", "Oldest"):
        await expect(button(sort, order)).to_be_visible()
    for field in ("Comment", "Name", "E-mail", "Website"):
        await expect(block.get_by_role("textbox", name=field, exact=True)).to_be_editable()
    await expect(comment(block, "Marta")).to_have_count(2)
    first = comment(block, "Marta").first
    await expect(first).to_contain_text("sick days fell by a third")
    await expect(button(first, "Upvote comment by Marta")).to_be_visible()
    await expect(button(first, "Reply to Marta")).to_be_visible()


async def test_comment_times_are_relative_with_a_machine_readable_datetime(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, DEMO_KEY)
    stamp = comments(block).first.locator("time[datetime]").first
    await expect(stamp).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    moment = datetime.fromisoformat(str(await stamp.get_attribute("datetime")).replace("Z", "+00:00"))
    text = await stamp.inner_text()
    assert moment.isoformat()[:10] not in text, f"{text!r} should read as a relative time"
    assert re.search(r"ago|yesterday|day|hour|minute|now", text, re.IGNORECASE), text


async def test_a_guest_posts_a_comment(page: Page, demo: DemoServers, api: httpx.AsyncClient) -> None:
    before = (await thread_json(api, WRITE_KEY))["thread"]["comment_count"]
    block = await open_article(page, demo, WRITE_KEY)
    name = reader_name()
    body, shown = "Transcripts help, but *someone* has to read them.", "Transcripts help, but someone has to read them."
    posted = await post_comment(block, body, name, shown, **{"E-mail": "ana@example.org"})
    await expect(posted.locator("em")).to_have_text("someone")
    await expect(posted).not_to_contain_text("ana@example.org")
    await expect(comments_heading(block, before + 1)).to_be_visible()
    await expect(block.get_by_role("textbox", name="Comment", exact=True)).to_have_value("")
    stored = await comment_by(api, WRITE_KEY, name)
    assert "someone" in stored["body_html"]


async def test_a_guest_replies_to_a_comment(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, WRITE_KEY)
    name = reader_name()
    await button(comment(block, "Ines"), "Reply to Ines").click()
    await block.get_by_role("textbox", name="Reply to Ines", exact=True).fill("A second pair of ears, usually.")
    await block.get_by_role("textbox", name="Name", exact=True).last.fill(name)
    await button(block, "Post reply").click()
    await expect(comment(replies_to(block, "Ines"), name)).to_contain_text("A second pair of ears, usually.")


async def test_a_guest_edits_and_deletes_their_own_comment(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, WRITE_KEY)
    name = reader_name()
    own = await post_comment(block, "First thoughts, typed in a hurry.", name)

    await button(own, "Edit your comment").click()
    editor = own.get_by_role("textbox", name="Edit your comment", exact=True)
    await expect(editor).to_have_value("First thoughts, typed in a hurry.")
    await editor.fill("Second thoughts, on reflection.")
    await button(own, "Save").click()
    await expect(own).to_contain_text("Second thoughts, on reflection.")
    await expect(own).not_to_contain_text("First thoughts")

    await button(own, "Edit your comment").click()
    await own.get_by_role("textbox", name="Edit your comment", exact=True).fill("Discarded")
    await button(own, "Cancel").click()
    await expect(own).to_contain_text("Second thoughts, on reflection.")

    await button(own, "Delete your comment").click()
    await button(block, "Yes, delete").click()
    await expect(comment(block, name)).to_have_count(0)
    await page.reload()
    await page.locator("#pnyx-thread").scroll_into_view_if_needed()
    await expect(comments_heading(block)).to_be_visible()
    await expect(block.get_by_text("Second thoughts, on reflection.")).to_have_count(0)


async def test_a_deleted_comment_with_replies_leaves_a_placeholder(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, WRITE_KEY)
    name, replier = reader_name(), reader_name("Ben")
    own = await post_comment(block, "A comment someone will answer.", name)
    await button(own, f"Reply to {name}").click()
    await block.get_by_role("textbox", name=f"Reply to {name}", exact=True).fill("And here is the answer.")
    await block.get_by_role("textbox", name="Name", exact=True).last.fill(replier)
    await button(block, "Post reply").click()
    await expect(comment(block, replier)).to_contain_text("And here is the answer.")

    await button(own, "Delete your comment").click()
    await button(block, "Yes, delete").click()
    await expect(block.get_by_text("This comment was deleted.")).to_be_visible()
    await expect(comment(block, replier)).to_contain_text("And here is the answer.")
    await expect(block.get_by_text("A comment someone will answer.")).to_have_count(0)


async def test_a_guest_reports_a_comment(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, WRITE_KEY)
    target = comment(block, "Gareth").first
    await button(target, "Report comment by Gareth").click()
    reasons = block.get_by_role("radiogroup", name="Reason")
    await reasons.get_by_role("radio").first.check()
    await block.get_by_role("textbox", name="Details (optional)", exact=True).fill("Testing the report form.")
    await button(block, "Send report").click()
    await expect(block.get_by_text("Thanks. Moderators will review this comment.")).to_be_visible()


async def test_a_second_reader_sees_the_comment_after_reload(new_page: NewPage, demo: DemoServers) -> None:
    other = await new_page()
    other_block = await open_article(other, demo, WRITE_KEY)
    writer = await new_page()
    name = reader_name()
    await post_comment(await open_article(writer, demo, WRITE_KEY), "Seen from another browser?", name)

    await other.reload()
    await other.locator("#pnyx-thread").scroll_into_view_if_needed()
    seen = comment(other_block, name)
    await expect(seen).to_contain_text("Seen from another browser?")
    await expect(button(seen, "Edit your comment")).to_have_count(0)
    await expect(button(seen, f"Upvote comment by {name}")).to_be_visible()


async def test_a_refused_post_shows_the_servers_sentence_and_keeps_the_draft(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, WRITE_KEY)
    draft = "A comment with a website pnyx will refuse."
    await block.get_by_role("textbox", name="Comment", exact=True).fill(draft)
    await block.get_by_role("textbox", name="Name", exact=True).fill(reader_name())
    await block.get_by_role("textbox", name="Website", exact=True).fill("ftp://files.example")
    await button(block, "Post").click()
    await expect(block.get_by_role("alert")).to_contain_text("The website must be an http:// or https:// address")
    await expect(block.get_by_role("textbox", name="Comment", exact=True)).to_have_value(draft)


async def _fail_posts(route: Route) -> None:
    if route.request.method == "POST":
        await route.abort("connectionrefused")
    else:
        await route.fallback()


async def test_a_blocked_post_keeps_the_draft_through_a_reload(page: Page, demo: DemoServers) -> None:
    block = await open_article(page, demo, WRITE_KEY)
    draft = "Written on a train, just before the tunnel."
    name = reader_name()
    await page.route(re.compile(r"/api/v1/comments(\?.*)?$"), _fail_posts)
    await block.get_by_role("textbox", name="Comment", exact=True).fill(draft)
    await block.get_by_role("textbox", name="Name", exact=True).fill(name)
    await button(block, "Post").click()
    await expect(block.get_by_role("alert")).to_be_visible()
    await expect(block.get_by_role("textbox", name="Comment", exact=True)).to_have_value(draft)
    await expect(comment(block, name)).to_have_count(0)

    await page.unroute(re.compile(r"/api/v1/comments(\?.*)?$"), _fail_posts)
    await page.reload()
    await page.locator("#pnyx-thread").scroll_into_view_if_needed()
    await expect(block.get_by_role("textbox", name="Comment", exact=True)).to_have_value(draft)
    await block.get_by_role("textbox", name="Name", exact=True).fill(name)
    await button(block, "Post").click()
    await expect(comment(block, name)).to_contain_text(draft)
    await page.reload()
    await page.locator("#pnyx-thread").scroll_into_view_if_needed()
    await expect(block.get_by_role("textbox", name="Comment", exact=True)).to_have_value("")


async def test_a_returning_reader_is_offered_their_details_and_cannot_vote_on_their_own_words(
    page: Page, demo: DemoServers
) -> None:
    block = await open_article(page, demo, WRITE_KEY)
    name = reader_name("Noor")
    posted = await post_comment(
        block, "Transcripts should be searchable by speaker.", name, Website="https://noor.example"
    )
    await expect(button(posted, f"Upvote comment by {name}")).to_be_disabled()
    await expect(button(posted, f"Downvote comment by {name}")).to_be_disabled()
    await expect(button(comment(block, "Ines"), "Upvote comment by Ines")).to_be_enabled()

    await page.reload()
    block = await open_article(page, demo, WRITE_KEY)
    await expect(block.get_by_role("textbox", name="Name", exact=True)).to_have_value(name)
    await button(comment(block, "Ines"), "Reply to Ines").click()
    reply_name = block.get_by_role("textbox", name="Name", exact=True).last
    await expect(reply_name).to_have_value(name)
    await expect(block.get_by_role("textbox", name="Website", exact=True).last).to_have_value("https://noor.example")
