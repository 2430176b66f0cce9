"""The demo publisher's articles: what each page shows around its body, and the thread it embeds.

The bodies are templates in ``pages/bodies/<key>.html``, and a later edit of one in
``pages/bodies/<key>-v<N>.html``; every sentence was written for this demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PUBLICATION = "The Lantern Street Review"


@dataclass(frozen=True, slots=True)
class Article:
    """One opinion piece of the demo site; ``key`` names its pnyx thread and its page."""

    key: str
    title: str
    standfirst: str
    author: str
    role: str
    days_old: int
    # Later versions of the text (2, 3, ...): the same thread, passages anchored to the first one.
    editions: tuple[int, ...] = ()

    @property
    def path(self) -> str:
        return f"/opinion/{self.key}"

    def body(self, version: int = 1) -> str:
        """The template of the body's text in ``version`` (1 is the original)."""
        return f"bodies/{self.key}.html" if version == 1 else f"bodies/{self.key}-v{version}.html"

    def published(self, today: date) -> date:
        """The publication date, a few days before ``today`` so the seeded comments follow it."""
        return today - timedelta(days=self.days_old)


ARTICLES = (
    Article(
        key="four-day-week",
        title="The four-day week is a newsroom's best recruiting tool",
        standfirst="Editors cannot outbid technology firms or communications agencies on salary. They can offer "
        "time, and the trials so far suggest it costs far less than they fear.",
        author="Ruth Abernathy",
        role="Deputy editor",
        days_old=3,
        editions=(2,),
    ),
    Article(
        key="council-transcripts",
        title="Let software take the minutes, and send the reporter anyway",
        standfirst="Automatic transcripts of council meetings are a gift to local news, provided nobody mistakes "
        "them for reporting.",
        author="Daniel Achterberg",
        role="Local government correspondent",
        days_old=4,
    ),
    Article(
        key="show-your-working",
        title="Readers will trust a story that shows its working",
        standfirst="A short note on how a story was reported costs a few lines and answers the question every "
        "sceptical reader is already asking.",
        author="Priya Raman",
        role="Readers' editor",
        days_old=5,
    ),
    Article(
        key="night-buses",
        title="The last bus home is a public service, not a luxury",
        standfirst="Cutting late-night routes saves little money and strands the people a city relies on after dark.",
        author="Samuel Oyelaran",
        role="Columnist",
        days_old=7,
    ),
)

FEATURED = ARTICLES[0]


def article_named(key: str) -> Article | None:
    """The article with this key, or None."""
    return next((article for article in ARTICLES if article.key == key), None)


def related_to(article: Article, limit: int = 3) -> list[Article]:
    """Other articles to list beside ``article``, newest first."""
    return [other for other in ARTICLES if other.key != article.key][:limit]
