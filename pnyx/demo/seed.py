"""The demo's data: a site named ``demo`` and a lived-in thread under every article, seeded once.

Seeded comments are backdated by a few hours or days so the thread reads like a real one; each
comment and vote comes from a guest identity of its own, as it would from different readers. Some
answer a publisher's prompt or a passage of the article (inline feedback); a passage's selectors are
computed from the article's text as the browser sees it (pnyx.demo.passages).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pnyx.demo.articles import ARTICLES, FEATURED, article_named
from pnyx.demo.passages import article_text, selector
from pnyx.errors import Conflict
from pnyx.services import accounts, reading
from pnyx.services import comments as comment_service
from pnyx.services import sites as site_service
from pnyx.services import votes as vote_service
from pnyx.services.container import Services
from pnyx.services.readers import Reader
from pnyx.services.threads import ThreadRef

DEMO_SITE = "demo"
DEMO_KEY = FEATURED.key
DEMO_TITLE = FEATURED.title


@dataclass(frozen=True, slots=True)
class Prompt:
    """A publisher's prompt: the ``data-pnyx-inline`` id of an element of the article, and its question."""

    label: str
    question: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A passage a reader chose, by its words (a space stands for any whitespace of the article's text)."""

    words: str


@dataclass(frozen=True, slots=True)
class SeedComment:
    """A comment to seed: ``reply_to`` is the index of an earlier comment of the same thread; ``on`` its anchor."""

    author: str
    body: str
    reply_to: int | None = None
    hours_ago: float = 1
    up: int = 0
    down: int = 0
    on: Prompt | Passage | None = None


@dataclass(frozen=True, slots=True)
class SeedThread:
    """An article's comments and the article points readers gave it."""

    comments: tuple[SeedComment, ...]
    points_up: int = 0
    points_down: int = 0


SEED = {
    "four-day-week": SeedThread(
        (
            SeedComment(
                "Marta",
                "Our desk tried it for a quarter. Output held steady; sick days fell by a third.",
                hours_ago=52,
                up=6,
            ),
            SeedComment("Tomasz", "Works for features. Breaking news does not keep office hours.", 0, 49, up=2, down=1),
            SeedComment(
                "Marta", "True, which is why we staggered the days off rather than closing on Fridays.", 1, 47, up=3
            ),
            SeedComment(
                "Ines", "The piece skips the pay question: is it four days for five days' salary?", hours_ago=30, up=1
            ),
            SeedComment(
                "Jonas",
                "It says *at full pay* in the second paragraph, and that is what the British trial tested too.",
                3,
                28,
                up=2,
            ),
            SeedComment(
                "Priyanka",
                "As a freelancer I would settle for invoices paid within a month. But yes: the people who leave "
                "are always the ones you most wanted to keep.",
                hours_ago=20,
                up=4,
                down=1,
            ),
            SeedComment(
                "Dev",
                "The paragraph about meetings is the real argument. A shorter week just makes the cuts unavoidable.",
                hours_ago=6,
                up=1,
            ),
            SeedComment(
                "Tomasz",
                "Fair. On the sports desk the hard part of a rota was the handovers, not the hours.",
                2,
                5,
            ),
            SeedComment(
                "Olu",
                "Full pay, or it is a pay cut with a nicer name. Four days at four-fifths of a salary is part-time "
                "work, and newsrooms already know how to offer that.",
                hours_ago=44,
                up=3,
                on=Prompt("pay-question", "Should a four-day week keep full pay?"),
            ),
            # The edited version (?version=2) rewords this sentence: it is found again, approximately.
            SeedComment(
                "Hannah",
                "Six months is a short window for revenue. I would like to see the second year's figures.",
                hours_ago=26,
                up=1,
                on=Passage(
                    "Revenue over the period held broadly steady, sick days fell and far fewer people resigned."
                ),
            ),
            # The edited version adds a sentence before this passage: it is found further on.
            SeedComment(
                "Rosa",
                "Agency rewrites are the easiest cut. Link to the wire and spend the hour on a phone call instead.",
                hours_ago=12,
                up=2,
                on=Passage("rewrites of agency copy that readers can find anywhere"),
            ),
            # The edited version drops this sentence: its comment is listed as on an earlier version.
            SeedComment(
                "Kwame",
                "Finance never counts what a departure costs, so this argument rarely reaches the budget meeting.",
                hours_ago=9,
                on=Passage(
                    "A benefit that keeps a good courts reporter for three more years pays for itself long before "
                    "anyone in finance notices."
                ),
            ),
        ),
        points_up=9,
        points_down=2,
    ),
    "council-transcripts": SeedThread(
        (
            SeedComment(
                "Gareth",
                "Our council's recordings vanish after thirty days. A searchable archive would be worth having "
                "for that alone.",
                hours_ago=70,
                up=2,
            ),
            SeedComment("Ines", "Who checks the transcript for names the software mishears?", hours_ago=40),
            SeedComment("Gareth", "The reporter who was in the room, which is rather the point.", 1, 38, up=3),
        ),
        points_up=4,
    ),
    "show-your-working": SeedThread(
        (
            SeedComment(
                "Lea",
                "Some outlets already do this for investigations. I read the method box before the story.",
                hours_ago=100,
                up=2,
            ),
            SeedComment(
                "Dev", "Ten minutes sounds optimistic on a deadline, but worth it on anything contested.", hours_ago=90
            ),
        ),
        points_up=3,
        points_down=1,
    ),
    "night-buses": SeedThread(
        (
            SeedComment(
                "Aoife",
                "I work in a hospital kitchen. When our route was cut I spent a quarter of my wage on taxis.",
                hours_ago=150,
                up=5,
            ),
        ),
        points_up=6,
    ),
}


def demo_page_origin(port: int, site_port: int | None = None) -> list[str]:
    """Origins of the demo publisher site: ``site_port``, by default one port above pnyx."""
    page_port = site_port if site_port is not None else port + 1
    return [f"http://127.0.0.1:{page_port}", f"http://localhost:{page_port}"]


DEMO_EDITOR = "editor@lantern-street.example"


async def demo_editor(services: Services) -> str:
    """A fresh password for the demo's moderator account, created on the first start (a new one every start)."""
    # New every start and printed once: the demo never has a password anyone could look up.
    password = secrets.token_urlsafe(12)
    try:
        await accounts.create_account(services, DEMO_EDITOR, password, "moderator", [DEMO_SITE])
    except Conflict:
        await accounts.reset_account(services, DEMO_EDITOR, password, remove_totp=True)
    return password


async def prepare_demo(services: Services, port: int, site_port: int | None = None) -> None:
    """Create the demo site (or point it at these ports) and seed each article's thread once."""
    origins = demo_page_origin(port, site_port)
    try:
        await site_service.add_site(services, DEMO_SITE, origins, "pnyx demo")
    except Conflict:
        await site_service.set_origins(services, DEMO_SITE, origins)
    for article in ARTICLES:
        page = await reading.list_comments(services, reading.PageRequest(DEMO_SITE, article.key))
        if page.thread is None:
            ref = ThreadRef(DEMO_SITE, article.key, origins[0] + article.path, article.title)
            await _seed_thread(services, ref, SEED.get(article.key, SeedThread(())))


def anchor_of(key: str, on: Prompt | Passage | None) -> dict[str, Any] | None:
    """The ``anchor`` a seeded comment on article ``key`` is posted with, as the widget would send it."""
    if isinstance(on, Prompt):
        return {"kind": "publisher", "id": on.label, "question": on.question}
    if isinstance(on, Passage):
        article = article_named(key)
        if article is None:
            raise ValueError(f"no demo article {key!r} to anchor a comment to")
        return {"kind": "reader", "selector": selector(article_text(article), on.words)}
    return None


async def _seed_thread(services: Services, ref: ThreadRef, seed: SeedThread) -> None:
    now = services.clock()
    posted: list[int] = []
    for comment in seed.comments:
        posted.append(await _post(_at(services, now, comment.hours_ago), ref, comment, posted))
    for value, times in ((1, seed.points_up), (-1, seed.points_down)):
        for _ in range(times):
            await vote_service.vote_thread(services, ref, value, Reader())
    for comment_id, comment in zip(posted, seed.comments, strict=True):
        for value, times in ((1, comment.up), (-1, comment.down)):
            for _ in range(times):
                await vote_service.vote_comment(services, comment_id, value, Reader())


async def _post(services: Services, ref: ThreadRef, comment: SeedComment, posted: list[int]) -> int:
    parent_id = posted[comment.reply_to] if comment.reply_to is not None else None
    post = comment_service.NewPost(
        thread=ref,
        body=comment.body,
        parent_id=parent_id,
        author_name=comment.author,
        anchor=anchor_of(ref.key, comment.on),
    )
    result = await comment_service.post_comment(services, post, Reader())
    return result.comment.id


def _at(services: Services, now: datetime, hours_ago: float) -> Services:
    # The same services with a clock set back, so the comment is stored as posted that long ago.
    moment = now - timedelta(hours=hours_ago)
    return replace(services, clock=lambda: moment)
