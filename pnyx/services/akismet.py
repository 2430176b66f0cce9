"""The optional Akismet-compatible spam check of a new comment: one bounded POST that never blocks posting.

Configured by PNYX_AKISMET_KEY (unset: never called), PNYX_AKISMET_URL and PNYX_AKISMET_TIMEOUT_S.
The answer ``true`` holds the comment as spam; ``false`` lets the other rules decide; anything else
(an error, a timeout, ``invalid``, an unexpected body) is logged and ignored, because a spam service
being down must not stop readers from commenting.

What is sent: the comment text, the name, e-mail and website the reader gave, the article's address,
the site's first origin, and the reader's network address as seen for this request (Akismet requires
it; pnyx itself keeps only a keyed hash of it). Nothing else about the reader.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx

from pnyx import __version__
from pnyx.config import Settings

log = logging.getLogger("pnyx.spam")


@dataclass(frozen=True, slots=True)
class Submission:
    """What the check is told about one comment."""

    blog: str
    permalink: str | None
    content: str
    author: str | None
    email: str | None
    website: str | None
    user_ip: str | None
    reply: bool = False


def configured(settings: Settings) -> bool:
    """Whether a key is set, so the check runs at all."""
    return settings.akismet_key is not None and bool(settings.akismet_key.get_secret_value())


def _form(settings: Settings, item: Submission) -> dict[str, str]:
    assert settings.akismet_key is not None
    fields = {
        "api_key": settings.akismet_key.get_secret_value(),
        "blog": item.blog,
        "user_ip": item.user_ip,
        "permalink": item.permalink,
        "comment_type": "reply" if item.reply else "comment",
        "comment_author": item.author,
        "comment_author_email": item.email,
        "comment_author_url": item.website,
        "comment_content": item.content,
        "blog_charset": "UTF-8",
    }
    return {name: value for name, value in fields.items() if value}


async def is_spam(settings: Settings, item: Submission) -> bool | None:
    """True or False as the service answers; None when it is not configured or gave no usable answer in time."""
    if not configured(settings):
        return None
    timeout = settings.akismet_timeout_s
    try:
        # httpx's timeout bounds each phase; asyncio.timeout bounds the whole exchange, slow trickles included.
        async with asyncio.timeout(timeout), httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            response = await client.post(
                settings.akismet_url, data=_form(settings, item), headers={"User-Agent": f"pnyx/{__version__}"}
            )
    except (TimeoutError, httpx.HTTPError) as exc:
        log.warning("spam check skipped: %s did not answer within %ss (%s)", settings.akismet_url, timeout, exc)
        return None
    answer = response.text.strip().lower()
    if response.status_code == 200 and answer in ("true", "false"):
        return answer == "true"
    hint = response.headers.get("X-akismet-debug-help", "")
    log.warning("spam check skipped: status %s, answer %r %s", response.status_code, answer[:60], hint[:200])
    return None
