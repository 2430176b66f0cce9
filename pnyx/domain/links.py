"""The links of a comment, counted in its rendered HTML: exactly the links readers would see.

Counting the HTML rather than the source means one rule for every way of writing a link: Markdown
``[text](url)``, ``<https://…>`` and bare addresses that linkify turns into links ("example.com"),
while a URL inside a code span, which renders as text, is not a link.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")


def links_in(html: str) -> list[str]:
    """The target of every link in ``html`` (sanitised comment HTML), in order."""
    parser = _Hrefs()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def host_of(href: str) -> str | None:
    """The lower-case host a link points to; None for mailto: links and anything unparsable."""
    try:
        host = urlsplit(href).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None
