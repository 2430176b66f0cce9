"""Helpers for the test_anchors* files: an article's text, selectors cut from it, anchored posts and locate calls."""

from __future__ import annotations

from typing import Any

from httpx import Response

from tests.factories import Api, Reader

ARTICLE = (
    "Night buses will keep running through the winter, the council decided on Tuesday. "
    "Supporters said the late routes are the only way home for nurses, cooks and cleaners. "
    "Critics pointed to the cost, which has doubled since the service began three years ago. "
    "The vote was close: seven members in favour, six against. "
    "The mayor said the decision would be reviewed in spring, when new ridership figures arrive."
)
NURSES = "the only way home for nurses, cooks and cleaners"
COST = "Critics pointed to the cost, which has doubled since the service began three years ago."
VOTE = "The vote was close: seven members in favour, six against."
CONTEXT = 32


def selector(text: str, exact: str, *, context: int = CONTEXT, position: bool = True) -> list[dict[str, Any]]:
    """The W3C selectors a browser sends for the first occurrence of ``exact`` in ``text`` (ASCII texts only)."""
    start = text.index(exact)
    end = start + len(exact)
    quote = {"type": "TextQuoteSelector", "exact": exact, "prefix": text[max(0, start - context) : start]}
    quote["suffix"] = text[end : end + context]
    return [quote, {"type": "TextPositionSelector", "start": start, "end": end}] if position else [quote]


def passage(text: str, exact: str) -> dict[str, Any]:
    """A reader's anchor on ``exact``."""
    return {"kind": "reader", "selector": selector(text, exact)}


def prompt(label: str, question: str | None = None) -> dict[str, Any]:
    """A publisher's anchor."""
    return {"kind": "publisher", "id": label, **({"question": question} if question else {})}


async def post_on(api: Api, key: str, anchor: dict[str, Any], body: str = "On this passage.") -> dict[str, Any]:
    """Post a comment on ``anchor`` as a new reader; the stored comment."""
    return await api.post_ok(Reader(), key, body, anchor=anchor)


async def anchors(api: Api, key: str) -> list[dict[str, Any]]:
    response = await api.client.get("/api/v1/anchors", params={"site": api.site, "key": key})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["anchors"]
    return found


async def locate_raw(api: Api, key: str, text: str) -> Response:
    return await api.client.post("/api/v1/anchors/locate", json={"site": api.site, "key": key, "text": text})


async def locate(api: Api, key: str, text: str) -> dict[int, dict[str, Any]]:
    """The located anchors by id."""
    response = await locate_raw(api, key, text)
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["anchors"]}
