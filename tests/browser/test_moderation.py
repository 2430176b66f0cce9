"""A moderator in Chromium: signs in, clears the Pending queue with the keyboard, rejects and bans from All.

Readers post through the widget on the demo article; after each action a reader's fresh page shows the
result. The demo site holds every comment while the test runs (``pnyx site settings --premoderation``),
and goes back to publishing at once afterwards, so the other browser tests find it as seeded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Dialog, Locator, Page, expect

from pnyx.demo import DEMO_SITE
from tests.browser.browsing import describe, serious_violations
from tests.browser.conftest import NewPage
from tests.browser.servers import DemoServers
from tests.browser.widget import button, comment, open_article, reader_name

pytestmark = pytest.mark.browser
KEY = "council-transcripts"
MODERATOR = "desk@pnyx.example"
PASSWORD = "a long moderator passphrase"
PHONE = {"width": 390, "height": 844}
BAN_SENTENCE = re.compile(r"moderators have stopped you from commenting")


def pnyx(demo: DemoServers, *args: str) -> str:
    """Run the pnyx CLI on the demo's database, as its operator would; its output."""
    return demo.cli(*args, PNYX_ADMIN_PASSWORD=PASSWORD)


@pytest.fixture
def held_comments(demo: DemoServers) -> Iterator[None]:
    """The demo site holds every new comment for a moderator until the test ends."""
    pnyx(demo, "site", "settings", DEMO_SITE, "--premoderation", "all")
    try:
        yield
    finally:
        pnyx(demo, "site", "settings", DEMO_SITE, "--premoderation", "none")


@pytest.fixture(scope="module")
def moderator_account(demo: DemoServers) -> str:
    """A moderator of the demo site, made with ``pnyx admin create``."""
    out = pnyx(demo, "admin", "create", MODERATOR, "--role", "moderator", "--site", DEMO_SITE)
    assert "created" in out
    return MODERATOR


async def write(block: Locator, body: str, name: str) -> None:
    """Post a comment through the widget; it is accepted once the form is empty again."""
    field = block.get_by_role("textbox", name="Comment", exact=True)
    await field.fill(body)
    await block.get_by_role("textbox", name="Name", exact=True).fill(name)
    await button(block, "Post").click()
    await expect(field).to_have_value("")


async def hold(api: httpx.AsyncClient, body: str, name: str) -> None:
    """Post a comment as a new reader of the demo article; the site holds it for a moderator."""
    payload = {"site": DEMO_SITE, "key": KEY, "body": body, "author_name": name}
    response = await api.post("/api/v1/comments", json=payload)
    assert response.status_code == 201 and response.json()["held"], response.text


async def shown_to_readers(new_page: NewPage, demo: DemoServers, author: str) -> Locator:
    """The comments of ``author`` on a fresh page of a reader who wrote nothing."""
    page = await new_page()
    return comment(await open_article(page, demo, KEY), author)


async def sign_in(page: Page, demo: DemoServers, email: str) -> None:
    await page.goto(f"{demo.api_url}/admin/login")
    await page.get_by_role("textbox", name="E-mail address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


async def check_accessibility(new_page: NewPage, demo: DemoServers, email: str) -> None:
    """axe-core on the dashboard and the Pending queue, on a phone in dark mode.

    axe goes in as an inline script, which the console's CSP refuses: this page alone bypasses the CSP.
    """
    page = await new_page(viewport=PHONE, color_scheme="dark", bypass_csp=True)
    await sign_in(page, demo, email)
    for path in ("/admin", "/admin/queue/pending"):
        await page.goto(f"{demo.api_url}{path}")
        violations = await serious_violations(page)
        assert violations == [], f"{path}: {describe(violations)}"


def queue_item(page: Page, author: str) -> Locator:
    """A comment in a queue, named by its author."""
    return page.get_by_role("listitem", name=re.compile(rf"^{re.escape(author)} on "))


def announced(page: Page, text: str) -> Locator:
    return page.get_by_role("status").filter(has_text=text)


@pytest.mark.usefixtures("held_comments")
async def test_a_moderator_clears_the_queue_with_the_keyboard_and_bans_a_reader(
    new_page: NewPage, demo: DemoServers, api: httpx.AsyncClient, moderator_account: str
) -> None:
    # Bo's comment went up before the site started holding comments: it is public.
    bo, ana = reader_name("Bo"), reader_name("Ana")
    pnyx(demo, "site", "settings", DEMO_SITE, "--premoderation", "none")
    bo_page = await new_page()
    bo_block = await open_article(bo_page, demo, KEY)
    await write(bo_block, "Councillors are all crooks, every one of them.", bo)
    await expect(await shown_to_readers(new_page, demo, bo)).to_have_count(1)
    pnyx(demo, "site", "settings", DEMO_SITE, "--premoderation", "all")

    # Held comments go in through the API, as the article page sends them: the widget cannot show its author
    # a held comment yet (GET /embed/comment answers 404 for it, and the form says the server is unreachable).
    await hold(api, "A transcript is only as good as its proofreading.", ana)
    await hold(api, "BUY CHEAP TRANSCRIPTS at my shop", ana + " Sales")
    await expect(await shown_to_readers(new_page, demo, ana)).to_have_count(0)

    await check_accessibility(new_page, demo, moderator_account)
    desk = await new_page(viewport=PHONE)
    refused: list[str] = []
    desk.on("console", lambda message: refused.append(message.text) if "Security Policy" in message.text else None)
    await sign_in(desk, demo, moderator_account)
    chart = desk.get_by_role("img", name=re.compile("^Comments, reports and new commenters per day"))
    await expect(chart).to_be_visible()
    await desk.get_by_role("navigation", name="Console").get_by_role("link", name="Pending", exact=True).click()
    await expect(queue_item(desk, ana)).to_have_count(1)
    await expect(queue_item(desk, ana + " Sales")).to_have_count(1)

    # The hint appears once admin.js has started: from then on the keys work.
    await expect(desk.get_by_role("button", name="All shortcuts", exact=True)).to_be_visible()
    await desk.keyboard.press("?")
    help_dialog = desk.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(help_dialog).to_be_visible()
    await desk.keyboard.press("?")
    await expect(help_dialog).to_be_hidden()

    # Newest first: the sales pitch, then Ana's comment.
    await desk.keyboard.press("j")
    await expect(queue_item(desk, ana + " Sales")).to_be_focused()
    await desk.keyboard.press("r")
    await expect(announced(desk, "Rejected 1 comment.")).to_be_visible()
    await expect(queue_item(desk, ana + " Sales")).to_have_count(0)
    await expect(queue_item(desk, ana)).to_be_focused()
    await desk.keyboard.press("a")
    await expect(announced(desk, "Approved 1 comment.")).to_be_visible()
    await expect(queue_item(desk, ana)).to_have_count(0)
    await expect(await shown_to_readers(new_page, demo, ana)).to_contain_text("only as good as its proofreading")
    await expect(await shown_to_readers(new_page, demo, ana + " Sales")).to_have_count(0)

    # Bo, from All: found by the search form, rejected, then banned.
    await desk.get_by_role("link", name="All", exact=True).click()
    await desk.get_by_role("searchbox", name="Text").fill("every one of them")
    await desk.get_by_role("button", name="Search", exact=True).click()
    await expect(queue_item(desk, bo)).to_have_count(1)
    await expect(desk.get_by_role("button", name="All shortcuts", exact=True)).to_be_visible()
    await desk.keyboard.press("j")
    await desk.keyboard.press("r")
    await expect(announced(desk, "Rejected 1 comment.")).to_be_visible()
    await expect(queue_item(desk, bo).get_by_text("rejected", exact=True)).to_be_visible()
    await expect(await shown_to_readers(new_page, demo, bo)).to_have_count(0)

    questions: list[str] = []

    async def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        await dialog.accept()

    desk.once("dialog", accept)
    await desk.keyboard.press("b")
    await expect(announced(desk, "Banned 1 reader.")).to_be_visible()
    assert questions == [f"Ban {bo} from commenting?"]

    await bo_page.reload()
    bo_block = await open_article(bo_page, demo, KEY)
    await bo_block.get_by_role("textbox", name="Comment", exact=True).fill("You cannot silence me.")
    await bo_block.get_by_role("textbox", name="Name", exact=True).fill(bo)
    await button(bo_block, "Post").click()
    await expect(bo_block.get_by_role("alert").filter(has_text=BAN_SENTENCE)).to_be_visible()
    assert refused == [], "the console must work under its own Content-Security-Policy"
