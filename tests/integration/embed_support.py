"""Helpers for the test_embed_* files: an HTML tree from html.parser, accessible names, fragment requests.

The tree is what a browser's parser would build for these fragments (no implied tags are needed:
pnyx closes every element it opens), so attribute and text checks see exactly what a reader's
browser would, not a string that merely looks right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from httpx import Response

from tests.factories import Api

VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source", "wbr", "path"})


@dataclass
class Element:
    """One element: tag, attributes as parsed (entities decoded), children, and its own text pieces."""

    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    def iter(self) -> Iterator[Element]:
        """This element and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, match: Callable[[Element], bool]) -> list[Element]:
        return [element for element in self.iter() if match(element)]

    def find(self, match: Callable[[Element], bool]) -> Element:
        found = self.find_all(match)
        assert found, "no element matches"
        return found[0]

    def text(self, *, skip_hidden: bool = False) -> str:
        """The text content, whitespace collapsed; ``skip_hidden`` leaves out aria-hidden and <template> parts."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not (skip_hidden and (child.get("aria-hidden") == "true" or child.tag == "template")):
                parts.append(child.text(skip_hidden=skip_hidden))
        return " ".join(" ".join(parts).split())

    def in_template(self) -> bool:
        node = self.parent
        while node is not None:
            if node.tag == "template":
                return True
            node = node.parent
        return False


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"duplicate attribute on <{tag}>: {names}"
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    """The element tree of an HTML fragment; fails on mismatched tags or duplicate attributes."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> is never closed"
    return builder.root


def name_of(element: Element, root: Element) -> str:
    """The accessible name as the fragment gives it: aria-labelledby, aria-label, a <label for>, or the text."""
    if element.get("aria-labelledby"):
        ids = str(element.get("aria-labelledby")).split()
        return " ".join(root.find(lambda e, i=i: e.get("id") == i).text() for i in ids)  # type: ignore[misc]
    if element.get("aria-label") is not None:
        return str(element.get("aria-label"))
    if element.get("id") and element.tag in ("input", "textarea", "select"):
        labels = root.find_all(lambda e: e.tag == "label" and e.get("for") == element.get("id"))
        if labels:
            return labels[0].text()
    return element.text(skip_hidden=True)


def visible(root: Element) -> list[Element]:
    """Every element outside <template> (what the page shows before any form is opened)."""
    return [element for element in root.iter() if not element.in_template() and element.tag != "#root"]


def articles(root: Element) -> list[Element]:
    return [e for e in visible(root) if e.tag == "article"]


def top_level_ids(root: Element) -> list[int]:
    """Ids of the comments directly in the main list, in order."""
    lists = [e for e in visible(root) if e.tag == "ol" and "pnyx-list" in str(e.get("class"))]
    assert len(lists) == 1
    items = [child for child in lists[0].children if isinstance(child, Element)]
    return [int(str(item.find(lambda e: e.tag == "article").get("data-id"))) for item in items]


def button(root: Element, name: str) -> Element:
    """The one visible button with this accessible name."""
    found = [e for e in visible(root) if e.tag == "button" and name_of(e, root) == name]
    assert len(found) == 1, f"{len(found)} buttons named {name!r}"
    return found[0]


async def thread_html(api: Api, key: str, **params: Any) -> Response:
    """GET /embed/thread for ``key`` on the test's site."""
    return await api.client.get("/embed/thread", params={"site": api.site, "key": key, **params})


async def thread_tree(api: Api, key: str, **params: Any) -> Element:
    """The parsed thread fragment; the request must succeed."""
    response = await thread_html(api, key, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return parse(response.text)


def aria_hidden(element: Element) -> bool:
    """Whether screen readers skip ``element``: it or an ancestor is aria-hidden (the comment forms' honeypot)."""
    node: Element | None = element
    while node is not None:
        if node.get("aria-hidden") == "true":
            return True
        node = node.parent
    return False
