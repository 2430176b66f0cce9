"""Inline feedback in the fragments: the quote above anchored comments, the compact block of a passage's panel."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from pnyx.services import sites as site_service
from tests.factories import Api, Reader
from tests.integration.anchors_support import ARTICLE, NURSES, passage, post_on, prompt
from tests.integration.comments_support import forbid_server_errors
from tests.integration.embed_support import (
    Element,
    aria_hidden,
    articles,
    name_of,
    parse,
    thread_tree,
    top_level_ids,
    visible,
)


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


def _quotes(root: Element) -> dict[int, Element]:
    """The quote inside each comment that has one, by comment id."""
    found = {}
    for article in articles(root):
        quotes = article.find_all(lambda e: e.tag == "blockquote")
        if quotes:
            found[int(str(article.get("data-id")))] = quotes[0]
    return found


async def test_comments_on_passages_show_the_passage_above_them_in_the_main_thread(api: Api) -> None:
    key = api.article()
    on_nurses = await post_on(api, key, passage(ARTICLE, NURSES), "Yes.")
    reply = await api.post_ok(Reader(), key, "Reply.", parent_id=on_nurses["id"])
    asked = await post_on(api, key, prompt("p1", "Do you agree?"), "No.")
    silent = await post_on(api, key, prompt("p2"), "On a prompt without a question.")
    plain = await api.post_ok(Reader(), key, "Plain.")
    root = await thread_tree(api, key)
    quotes = _quotes(root)
    assert set(quotes) == {on_nurses["id"], asked["id"]}, "replies, plain comments and bare prompts show none"
    assert quotes[on_nurses["id"]].text() == NURSES
    assert quotes[on_nurses["id"]].get("class") == "pnyx-quote"
    assert quotes[on_nurses["id"]].get("data-anchor-id") == str(on_nurses["anchor"]["id"])
    assert quotes[asked["id"]].text() == "Do you agree?"
    assert quotes[asked["id"]].get("class") == "pnyx-quote pnyx-question"
    article = root.find(lambda e: e.tag == "article" and e.get("data-id") == str(on_nurses["id"]))
    first = next(child for child in article.children if isinstance(child, Element))
    assert first.tag == "blockquote", "the passage comes first, above the author"
    assert {reply["id"], silent["id"], plain["id"]} <= {int(str(a.get("data-id"))) for a in articles(root)}


async def test_a_quote_cannot_break_out_of_its_element(api: Api) -> None:
    key, words = api.article(), '</blockquote><script>alert(1)</script> "quoted" & <b>bold</b>'
    text = f"Before. {words} After."
    await post_on(api, key, passage(text, words))
    response = await api.client.get("/embed/thread", params={"site": api.site, "key": key})
    assert "<script>" not in response.text and "<b>" not in response.text
    assert next(iter(_quotes(parse(response.text)).values())).text() == " ".join(words.split())


async def test_the_main_thread_leaves_anchored_comments_out_when_the_site_says_so(api: Api) -> None:
    key = api.article()
    anchored = await post_on(api, key, passage(ARTICLE, NURSES))
    plain = await api.post_ok(Reader(), key, "Plain.")
    shown = await thread_tree(api, key)
    assert shown.find(lambda e: e.tag == "section").get("data-inline-in-main") == "true"
    await site_service.set_inline_in_main(api.services, api.site, False)
    root = await thread_tree(api, key)
    # The script reads this too, so a comment posted in a panel stays out of the block under the article.
    assert root.find(lambda e: e.tag == "section").get("data-inline-in-main") == "false"
    assert top_level_ids(root) == [plain["id"]]
    assert root.find(lambda e: e.tag == "h3").text() == "2 Comments", "the count is the thread's"
    panel = await thread_tree(api, key, anchor=anchored["anchor"]["id"])
    assert top_level_ids(panel) == [anchored["id"]]
    more = await thread_tree(api, key, part="comments")
    assert top_level_ids(more) == [plain["id"]]


def _outline(root: Element) -> list[tuple[str, str]]:
    found = []
    for element in visible(root):
        hidden = "hidden" in element.attrs or aria_hidden(element)
        if hidden or (element.tag == "input" and element.get("type") == "hidden"):
            continue
        if element.tag in ("h2", "h3", "button", "textarea", "input", "article", "blockquote"):
            found.append((element.tag, name_of(element, root)))
    return found


async def test_the_panel_of_a_passage_is_a_compact_block_with_its_comments(api: Api) -> None:
    key = api.article()
    first = await api.post_ok(Reader(), key, "First.", author_name="Ana", anchor=passage(ARTICLE, NURSES))
    reply = await api.post_ok(Reader(), key, "Reply.", parent_id=first["id"])
    await api.post_ok(Reader(), key, "Elsewhere.")
    await post_on(api, key, prompt("p1", "Agree?"))
    anchor_id = first["anchor"]["id"]
    root = await thread_tree(api, key, anchor=anchor_id)
    section = root.find(lambda e: e.tag == "section")
    assert section.get("class") == "pnyx pnyx-anchored" and section.get("data-anchor-id") == str(anchor_id)
    assert section.get("data-msg-posted") == "Your comment was posted."
    assert [e.tag for e in root.children if isinstance(e, Element)] == ["section"]
    assert _outline(root)[:6] == [
        ("textarea", "Comment"),
        ("input", "Name"),
        ("input", "E-mail"),
        ("input", "Website"),
        ("button", "Post"),
        ("article", "Comment by Ana"),
    ]
    assert not [e for e in visible(root) if e.tag in ("h2", "h3")], "no points and no heading: the panel has its own"
    assert not [e for e in visible(root) if e.get("data-act") in ("points", "sort")]
    assert [int(str(a.get("data-id"))) for a in articles(root)] == [first["id"], reply["id"]]
    assert _quotes(root) == {}, "its own panel needs no reminder of the passage"
    form = root.find(lambda e: e.tag == "form")
    assert form.get("data-form") == "post"


async def test_the_panel_of_an_unknown_anchor_is_empty_and_names_none(api: Api) -> None:
    key = api.article()
    await api.post_ok(Reader(), key)
    root = await thread_tree(api, key, anchor=999_999)
    section = root.find(lambda e: e.tag == "section")
    assert "data-anchor-id" not in section.attrs and articles(root) == []


async def test_the_panel_pages_through_its_comments(api: Api) -> None:
    key, size = api.article(), api.services.settings.page_size
    posted = [await post_on(api, key, prompt("p1"), f"Comment {n}.") for n in range(size + 2)]
    anchor_id = posted[0]["anchor"]["id"]
    root = await thread_tree(api, key, anchor=anchor_id, sort="oldest")
    assert top_level_ids(root) == [c["id"] for c in posted[:size]]
    more = root.find(lambda e: e.get("data-act") == "more")
    rest = await thread_tree(api, key, anchor=anchor_id, sort="oldest", part="comments", cursor=more.get("data-cursor"))
    assert top_level_ids(rest) == [c["id"] for c in posted[size:]]


async def test_one_comment_comes_with_its_quote_unless_asked_without(api: Api) -> None:
    comment = await post_on(api, api.article(), passage(ARTICLE, NURSES))
    with_quote = await api.client.get("/embed/comment", params={"id": comment["id"]})
    assert list(_quotes(parse(with_quote.text)).values())[0].text() == NURSES
    without = await api.client.get("/embed/comment", params={"id": comment["id"], "quote": "false"})
    assert _quotes(parse(without.text)) == {}
