"""Passages of the demo's articles as a browser sees them, for seeding comments anchored to them.

A reader's passage is stored as W3C Web Annotation selectors into the ``textContent`` of the page's
``data-pnyx-article`` element. To seed one that the browser finds where the seed meant it, the text
here is taken from the page as the site serves it, parsed the way a browser builds that text: every
text node inside the element, in document order, with character references resolved and nothing
folded or trimmed. The demo's pages hold no characters outside the Basic Multilingual Plane, so
Python's positions (code points) equal the browser's (UTF-16 units).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from pnyx.demo.articles import Article
from pnyx.demo.site import render

ARTICLE_ATTRIBUTE = "data-pnyx-article"
CONTEXT_CHARS = 64  # the most prefix and suffix a selector carries
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _ArticleText(HTMLParser):
    """Collects the text inside the first element carrying ``data-pnyx-article``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # open elements inside the article element, itself included; 0 outside it
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID or self.done:
            return
        if self.depth or any(name == ARTICLE_ATTRIBUTE for name, _ in attrs):
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def text_of(html: str) -> str:
    """The ``textContent`` of the page's ``data-pnyx-article`` element (the page's closing tags must be explicit)."""
    parser = _ArticleText()
    parser.feed(html.replace("\r\n", "\n"))
    parser.close()
    if not parser.done:
        raise ValueError(f"no complete element with {ARTICLE_ATTRIBUTE} in the page")
    return "".join(parser.parts)


def article_text(article: Article, version: int = 1) -> str:
    """The article's text in ``version`` as the demo site serves it to a browser."""
    page = render("article.html", article=article, version=version, related=[], pnyx_url="", site="")
    return text_of(page)


def selector(text: str, words: str) -> list[dict[str, Any]]:
    """Selectors for the first passage of ``text`` reading ``words``, where a space stands for any whitespace."""
    pattern = r"\s+".join(re.escape(word) for word in words.split())
    found = re.search(pattern, text)
    if found is None:
        raise ValueError(f"{words!r} is not in the article")
    start, end = found.span()
    return [
        {
            "type": "TextQuoteSelector",
            "exact": found.group(),
            "prefix": text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": text[end : end + CONTEXT_CHARS],
        },
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]
