"""The one place comment HTML is made: Markdown rendering and sanitising.

markdown-it-py renders with raw HTML off; nh3 then cleans the result against an
allow-list, as a second wall in case a rendering rule ever lets markup through.
Imported HTML (WordPress, Disqus) goes through the same sanitiser.
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

from pnyx.domain.models import BodyFormat

ALLOWED_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
LINK_REL = "nofollow ugc noopener"
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def _make_renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["linkify", "strikethrough"])
    # Comments are not documents: "# 1 reason" stays a sentence, and images would load third-party URLs.
    md.disable(["heading", "lheading", "image"])
    return md


_RENDERER = _make_renderer()


def sanitise(markup: str) -> str:
    """HTML cut down to the allow-list, absolute links only, marked ``rel="nofollow ugc noopener"``; idempotent."""
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        # A relative href would resolve against the publisher's page that embeds the thread.
        url_relative="deny",
        strip_comments=True,
    ).strip()


def render_text(text: str) -> str:
    """Plain text as paragraphs and line breaks, everything escaped."""
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    return "".join("<p>" + html.escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs)


def render(source: str, body_format: BodyFormat = BodyFormat.MARKDOWN) -> str:
    """Safe HTML for a comment body written in ``body_format``."""
    if body_format is BodyFormat.MARKDOWN:
        markup = _RENDERER.render(source)
    elif body_format is BodyFormat.HTML:
        markup = source
    else:
        markup = render_text(source)
    return sanitise(markup)
