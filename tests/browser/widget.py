"""The widget as a reader meets it, found by role and accessible name (the contract of the embed block)."""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx
from playwright.async_api import Locator, Page, expect

from pnyx.demo import DEMO_SITE
from tests.browser.servers import DemoServers

POINTS = re.compile(r"^\s*([-−]?\d+) Points?\s*$")
COMMENTS_HEADING = re.compile(r"^\s*(\d+) Comments?\s*$")
TAB_LIMIT = 200
_names = itertools.count(1)


def reader_name(first: str = "Ana") -> str:
    """A name no other comment of this session carries, so each test finds its own comments."""
    return f"{first} {next(_names)}"


async def open_article(page: Page, demo: DemoServers, key: str) -> Locator:
    """Open a demo article and bring the comment block into view (it renders lazily); returns the block."""
    await page.goto(demo.article(key))
    block = page.locator("#pnyx-thread")
    await block.scroll_into_view_if_needed()
    await expect(block.get_by_role("heading", name="What do you think?")).to_be_visible()
    return block


def comment(scope: Page | Locator, author: str) -> Locator:
    """The comment article of ``author`` (names are matched exactly)."""
    return scope.get_by_role("article", name=f"Comment by {author}", exact=True)


def replies_to(scope: Page | Locator, author: str) -> Locator:
    """Where the replies to ``author``'s comment sit: the innermost list item holding that comment."""
    return scope.get_by_role("listitem").filter(has=comment(scope.page, author)).last


def comments(scope: Page | Locator) -> Locator:
    """Every comment article, replies included, in page order."""
    return scope.get_by_role("article", name=re.compile(r"^Comment by "))


def button(scope: Page | Locator, name: str) -> Locator:
    """The button with exactly this accessible name."""
    return scope.get_by_role("button", name=name, exact=True)


def points_text(scope: Page | Locator) -> Locator:
    """The "N Points" text of the article."""
    return scope.get_by_text(POINTS)


async def points(scope: Page | Locator) -> int:
    """The article's net points as shown."""
    match = POINTS.match(await points_text(scope).inner_text())
    assert match, "no 'N Points' text"
    return int(match.group(1).replace("−", "-"))


def points_are(value: int) -> re.Pattern[str]:
    """What the points text reads once the article has ``value`` points (any minus sign)."""
    number = str(abs(value)) if value >= 0 else f"[-−]{abs(value)}"
    return re.compile(rf"^\s*{number} Points?\s*$")


def comments_heading(scope: Page | Locator, count: int | None = None) -> Locator:
    """The "N Comments" heading (with exactly ``count`` when given)."""
    if count is None:
        return scope.get_by_role("heading", name=COMMENTS_HEADING)
    return scope.get_by_role("heading", name=re.compile(rf"^\s*{count} Comments?\s*$"))


async def post_comment(block: Locator, body: str, name: str, shows: str | None = None, **fields: str) -> Locator:
    """Post a top-level comment as a guest; returns it once it shows ``shows`` (the body, by default)."""
    await block.get_by_role("textbox", name="Comment", exact=True).fill(body)
    await block.get_by_role("textbox", name="Name", exact=True).fill(name)
    for label, value in fields.items():
        await block.get_by_role("textbox", name=label, exact=True).fill(value)
    await button(block, "Post").click()
    posted = comment(block, name)
    await expect(posted).to_contain_text(shows or body)
    return posted


async def tab_to(page: Page, target: Locator, limit: int = TAB_LIMIT) -> None:
    """Press Tab until ``target`` has the keyboard focus (inside the shadow root too); fail after ``limit``."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await target.evaluate("el => el.getRootNode().activeElement === el"):
            return
    raise AssertionError(f"{target} never got the focus after {limit} presses of Tab")


async def thread_json(api: httpx.AsyncClient, key: str, **params: str) -> dict[str, Any]:
    """The thread's first page as the API serves it."""
    response = await api.get("/api/v1/comments", params={"site": DEMO_SITE, "key": key, **params})
    response.raise_for_status()
    page: dict[str, Any] = response.json()
    return page


async def comment_by(api: httpx.AsyncClient, key: str, author: str) -> dict[str, Any]:
    """The stored comment of ``author`` in the thread (searched through replies too)."""
    pending = list((await thread_json(api, key, view="all"))["comments"])
    while pending:
        found = pending.pop()
        if (found.get("author") or {}).get("name") == author:
            return dict(found)
        pending.extend(found.get("replies", []))
    raise AssertionError(f"no comment by {author} in {key}")


async def counts(api: httpx.AsyncClient, keys: list[str]) -> dict[str, int]:
    """Comment counts as the API reports them."""
    params = [("site", DEMO_SITE), *(("key", key) for key in keys)]
    response = await api.get("/api/v1/counts", params=params)
    response.raise_for_status()
    return dict(response.json()["counts"])


CONFIRMATION_SENT = "Check your inbox: we sent a link to confirm your e-mail address."
SUBSCRIBED = "You will be notified by e-mail."


def notify_of(scope: Page | Locator) -> Locator:
    """The "Notify of" choice of a comment form (``.last`` for an open reply form)."""
    return scope.get_by_role("combobox", name="Notify of", exact=True)


def subscription_form(scope: Page | Locator) -> Locator:
    """The form "Subscribe" opens, for readers who do not comment."""
    return scope.get_by_role("form", name="New comments by e-mail", exact=True)


def thread_feed(scope: Page | Locator) -> Locator:
    """The link to the thread's Atom feed in the block's footer."""
    return scope.get_by_role("link", name="RSS/Atom feed", exact=True)


AWAITING_MODERATION = "Awaiting moderation"
HELD = "Thanks! Your comment will appear once a moderator has approved it."


def held_mark(scope: Page | Locator) -> Locator:
    """The "Awaiting moderation" mark of a comment only its author sees (held for a moderator)."""
    return scope.get_by_text(AWAITING_MODERATION, exact=True)


def email_field(scope: Page | Locator) -> Locator:
    """The e-mail field of a comment form (``.first`` for the main form, ``.last`` for an open reply form)."""
    return scope.get_by_role("textbox", name="E-mail", exact=True)
