"""Inline feedback through the JSON API: anchored posts, counts, locating passages in the article's text, filters."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from pnyx.services import sites as site_service
from tests.factories import ORIGIN, Api, Reader
from tests.integration.anchors_support import (
    ARTICLE,
    COST,
    NURSES,
    VOTE,
    anchors,
    locate,
    locate_raw,
    passage,
    post_on,
    prompt,
    selector,
)
from tests.integration.comments_support import assert_error, delete, edit, flatten, forbid_server_errors
from tests.integration.test_queries import MAX_STATEMENTS, recording


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


# Posting


async def test_a_comment_on_a_publishers_prompt_carries_its_anchor(api: Api) -> None:
    comment = await post_on(api, api.article(), prompt("pay-question", "Should a four-day week keep full pay?"))
    assert comment["anchor"] == {
        "id": comment["anchor"]["id"],
        "kind": "publisher",
        "label": "pay-question",
        "question": "Should a four-day week keep full pay?",
        "exact": None,
    }


async def test_a_comment_on_a_readers_passage_carries_its_words(api: Api) -> None:
    comment = await post_on(api, api.article(), passage(ARTICLE, NURSES))
    anchor = comment["anchor"]
    assert (anchor["kind"], anchor["label"], anchor["question"], anchor["exact"]) == ("reader", None, None, NURSES)


async def test_a_comment_without_anchor_has_none(api: Api) -> None:
    assert (await api.post_ok(Reader(), api.article()))["anchor"] is None
    assert (await api.post_ok(Reader(), api.article(), anchor=None))["anchor"] is None


async def test_the_same_passage_or_prompt_chosen_twice_is_one_anchor(api: Api) -> None:
    key = api.article()
    first = await post_on(api, key, passage(ARTICLE, NURSES))
    second = await post_on(api, key, passage(ARTICLE, NURSES))
    other = await post_on(api, key, passage(ARTICLE, VOTE))
    assert first["anchor"]["id"] == second["anchor"]["id"] != other["anchor"]["id"]
    asked = await post_on(api, key, prompt("p1", "Agree?"))
    # The question is the one the prompt was created with; a later one does not change it.
    again = await post_on(api, key, prompt("p1", "Something else?"))
    assert again["anchor"] == asked["anchor"] and again["anchor"]["question"] == "Agree?"


async def test_the_same_passage_on_two_articles_is_two_anchors(api: Api) -> None:
    first = await post_on(api, api.article(), passage(ARTICLE, NURSES))
    second = await post_on(api, api.article(), passage(ARTICLE, NURSES))
    assert first["anchor"]["id"] != second["anchor"]["id"]


async def test_a_reply_belongs_to_its_parents_passage(api: Api) -> None:
    key = api.article()
    parent = await post_on(api, key, passage(ARTICLE, NURSES))
    reply = await api.post_ok(Reader(), key, "I agree.", parent_id=parent["id"])
    deeper = await api.post_ok(Reader(), key, "So do I.", parent_id=reply["id"])
    assert reply["anchor"] == deeper["anchor"] == parent["anchor"]
    page = await api.page(key)
    assert all(comment["anchor"] == parent["anchor"] for comment in flatten(page["comments"]))
    plain = await api.post_ok(Reader(), key)
    assert (await api.post_ok(Reader(), key, "Reply.", parent_id=plain["id"]))["anchor"] is None


async def test_an_anchor_with_a_parent_is_refused(api: Api) -> None:
    key = api.article()
    parent = await api.post_ok(Reader(), key)
    response = await api.post(Reader(), key, "Reply.", parent_id=parent["id"], anchor=prompt("p1"))
    assert "parent" in assert_error(response, 422, "invalid")


def _quote(**fields: Any) -> dict[str, Any]:
    return {"type": "TextQuoteSelector", **fields}


@pytest.mark.parametrize(
    ("anchor", "words"),
    [
        ({"kind": "reader", "selector": [_quote(prefix="a", suffix="b")]}, "exact"),
        ({"kind": "reader", "selector": [_quote(exact="x" * 1001)]}, "1,001"),
        ({"kind": "reader", "selector": [_quote(exact="x", prefix="p" * 65)]}, "prefix"),
        ({"kind": "reader", "selector": [_quote(exact="x", suffix="s" * 65)]}, "suffix"),
        (
            {"kind": "reader", "selector": [_quote(exact="x"), {"type": "TextPositionSelector", "start": 9, "end": 9}]},
            "start",
        ),
        ({"kind": "reader", "selector": [_quote(exact="x"), {"type": "RangeSelector"}]}, "type"),
        ({"kind": "reader", "selector": _quote(exact="x")}, "list"),
        ({"kind": "reader", "selector": [_quote(exact="x\u0000")]}, "NUL"),
        ({"kind": "reader"}, "selector"),
        ({"kind": "publisher", "id": "has spaces"}, "id"),
        ({"kind": "publisher", "id": "p" * 101}, "id"),
        ({"kind": "publisher", "id": "p1", "question": "?" * 201}, "201"),
        ({"kind": "margin", "id": "p1"}, "kind"),
        ({"kind": "publisher", "id": "p1", "colour": "red"}, "colour"),
    ],
)
async def test_malformed_anchors_are_refused_with_a_sentence(api: Api, anchor: dict[str, Any], words: str) -> None:
    key = api.article()
    assert words in assert_error(await api.post(Reader(), key, anchor=anchor), 422, "invalid")
    assert (await api.page(key))["thread"] is None, "nothing was stored"


async def test_an_anchor_that_is_not_an_object_is_refused(api: Api) -> None:
    assert_error(await api.post(Reader(), api.article(), anchor=["publisher"]), 422, "invalid")


# Counts and the list of anchors


async def test_anchors_list_their_selectors_and_count_visible_comments_with_replies(api: Api) -> None:
    key, ana = api.article(), Reader()
    on_nurses = await api.post_ok(ana, key, "Mine.", anchor=passage(ARTICLE, NURSES))
    await api.post_ok(Reader(), key, "Reply.", parent_id=on_nurses["id"])
    await post_on(api, key, passage(ARTICLE, NURSES))
    on_prompt = await post_on(api, key, prompt("p1", "Agree?"))
    await api.post_ok(Reader(), key, "Not anchored.")
    listed = {item["id"]: item for item in await anchors(api, key)}
    nurses, asked = listed[on_nurses["anchor"]["id"]], listed[on_prompt["anchor"]["id"]]
    assert nurses == {**on_nurses["anchor"], "selector": selector(ARTICLE, NURSES), "count": 3}
    assert asked == {**on_prompt["anchor"], "selector": None, "count": 1}
    assert list(listed) == sorted(listed), "oldest anchor first"
    # Deleting a comment takes it out of its anchor's count, and the thread's.
    assert (await delete(api, ana, on_nurses["id"])).status_code == 204
    assert {item["id"]: item["count"] for item in await anchors(api, key)}[nurses["id"]] == 2
    assert (await api.page(key))["total"] == 4


async def test_an_anchor_whose_comments_are_all_gone_is_not_listed(api: Api) -> None:
    key, ana = api.article(), Reader()
    comment = await api.post_ok(ana, key, "Soon gone.", anchor=prompt("p1", "Agree?"))
    assert (await delete(api, ana, comment["id"])).status_code == 204
    assert await anchors(api, key) == []
    assert await locate(api, key, ARTICLE) == {}


async def test_an_article_nobody_wrote_to_has_no_anchors(api: Api) -> None:
    assert await anchors(api, api.article()) == []
    assert (await locate_raw(api, api.article(), ARTICLE)).json() == {"anchors": []}


async def test_an_unknown_site_is_refused(api: Api) -> None:
    response = await api.client.get("/api/v1/anchors", params={"site": "no-such-site", "key": api.article()})
    assert_error(response, 404, "not_found")
    body = {"site": "no-such-site", "key": api.article(), "text": ARTICLE}
    assert_error(await api.client.post("/api/v1/anchors/locate", json=body), 404, "not_found")


# Locating anchors in the article's text


def _edited(text: str) -> str:
    """The article after an edit: a sentence added at the top, a word changed, a sentence removed."""
    changed = text.replace("has doubled since", "has nearly doubled since").replace(NURSES + ". ", "")
    return "This article was updated on Wednesday with the final vote count. " + changed


async def _three_passages_and_a_prompt(api: Api, key: str) -> dict[str, int]:
    ids = {}
    for name, words in (("cost", COST), ("vote", VOTE), ("nurses", NURSES)):
        ids[name] = (await post_on(api, key, passage(ARTICLE, words)))["anchor"]["id"]
    ids["prompt"] = (await post_on(api, key, prompt("p1", "Agree?")))["anchor"]["id"]
    return ids


async def test_passages_are_found_exactly_in_the_text_they_were_chosen_in(api: Api) -> None:
    key = api.article()
    ids = await _three_passages_and_a_prompt(api, key)
    found = await locate(api, key, ARTICLE)
    for name, words in (("cost", COST), ("vote", VOTE), ("nurses", NURSES)):
        item = found[ids[name]]
        assert (item["start"], item["end"], item["match"]) == (
            ARTICLE.index(words),
            ARTICLE.index(words) + len(words),
            "exact",
        )
        assert item["exact"] == words and item["count"] == 1 and item["kind"] == "reader"
        assert item["selector"] == selector(ARTICLE, words)
    assert found[ids["prompt"]] == {
        "id": ids["prompt"],
        "kind": "publisher",
        "label": "p1",
        "question": "Agree?",
        "exact": None,
        "selector": None,
        "count": 1,
        "start": None,
        "end": None,
        "match": "publisher",
    }


async def test_after_an_edit_passages_are_found_moved_changed_or_lost(api: Api) -> None:
    key = api.article()
    ids = await _three_passages_and_a_prompt(api, key)
    text = _edited(ARTICLE)
    found = await locate(api, key, text)
    moved = found[ids["vote"]]
    assert moved["match"] == "exact" and text[moved["start"] : moved["end"]] == VOTE
    assert moved["start"] != ARTICLE.index(VOTE)
    changed = found[ids["cost"]]
    assert changed["match"] == "fuzzy"
    assert text[changed["start"] : changed["end"]] == COST.replace("has doubled", "has nearly doubled")
    lost = found[ids["nurses"]]
    assert (lost["match"], lost["start"], lost["end"]) == ("orphan", None, None)
    assert found[ids["prompt"]]["match"] == "publisher"


async def test_positions_are_utf16_offsets_as_the_browser_counts_them(api: Api) -> None:
    key, text = api.article(), "\U0001f68c Night buses \U0001f319 keep running through the winter."
    words = "keep running"
    start = len(text[: text.index(words)].encode("utf-16-le")) // 2
    quote = {"type": "TextQuoteSelector", "exact": words}
    position = {"type": "TextPositionSelector", "start": start, "end": start + len(words)}
    anchor_id = (await post_on(api, key, {"kind": "reader", "selector": [quote, position]}))["anchor"]["id"]
    item = (await locate(api, key, text))[anchor_id]
    assert (item["start"], item["end"], item["match"]) == (start, start + len(words), "exact")


async def test_a_located_answer_is_kept_until_the_thread_changes(api: Api) -> None:
    key = api.article()
    ids = await _three_passages_and_a_prompt(api, key)
    first = await locate(api, key, ARTICLE)
    assert len(api.services.located) >= 1
    before = len(api.services.located)
    assert await locate(api, key, ARTICLE) == first
    assert len(api.services.located) == before, "the second reader's identical text is a cache hit"
    await post_on(api, key, prompt("p1"))
    assert (await locate(api, key, ARTICLE))[ids["prompt"]]["count"] == 2, "a new version is located afresh"


async def test_a_text_over_200000_characters_is_refused_as_too_large(api: Api) -> None:
    key = api.article()
    await post_on(api, key, passage(ARTICLE, NURSES))
    assert "200,000" in assert_error(await locate_raw(api, key, "x" * 200_001), 413, "too_large")


async def test_a_long_text_of_multibyte_characters_is_accepted(api: Api) -> None:
    # 200,000 characters of three bytes each: far above the 256 KB cap on other calls.
    key = api.article()
    anchor_id = (await post_on(api, key, passage(ARTICLE, NURSES)))["anchor"]["id"]
    text = "\u20ac" * 120_000 + ARTICLE + "\u20ac" * (80_000 - len(ARTICLE))
    assert len(text) == 200_000
    item = (await locate(api, key, text))[anchor_id]
    assert item["start"] == 120_000 + ARTICLE.index(NURSES) and item["match"] == "exact"


async def test_the_page_origin_may_ask_where_the_anchors_are(api: Api) -> None:
    headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    preflight = await api.client.options("/api/v1/anchors/locate", headers=headers)
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == ORIGIN
    body = {"site": api.site, "key": api.article(), "text": ARTICLE}
    response = await api.client.post("/api/v1/anchors/locate", json=body, headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN


# Reading the comments on one anchor, and the main thread


async def _mixed_thread(api: Api, key: str) -> dict[str, Any]:
    """Two comments on a passage (one with a reply), one on a prompt, two plain ones."""
    on_nurses = await post_on(api, key, passage(ARTICLE, NURSES), "First on nurses.")
    reply = await api.post_ok(Reader(), key, "A reply.", parent_id=on_nurses["id"])
    again = await post_on(api, key, passage(ARTICLE, NURSES), "Second on nurses.")
    on_prompt = await post_on(api, key, prompt("p1", "Agree?"), "On the prompt.")
    plain = [await api.post_ok(Reader(), key, f"Plain {n}.") for n in range(2)]
    return {"nurses": [on_nurses, again], "reply": reply, "prompt": on_prompt, "plain": plain}


async def test_the_anchor_filter_keeps_the_comments_on_that_anchor_with_their_replies(api: Api) -> None:
    key = api.article()
    made = await _mixed_thread(api, key)
    anchor = made["nurses"][0]["anchor"]
    page = await api.page(key, anchor=anchor["id"], sort="oldest")
    assert [c["id"] for c in page["comments"]] == [c["id"] for c in made["nurses"]]
    assert [r["id"] for r in page["comments"][0]["replies"]] == [made["reply"]["id"]]
    assert page["anchor"] == {**anchor, "count": 3}
    assert page["total"] == 6, "the thread's total is unchanged"
    on_prompt = await api.page(key, anchor=made["prompt"]["anchor"]["id"])
    assert [c["id"] for c in on_prompt["comments"]] == [made["prompt"]["id"]]
    assert "anchor" not in await api.page(key)


async def _statements_of_a_page(api: Api, key: str) -> list[str]:
    api.services.pages.clear()
    with recording(api.services) as statements:
        await api.page(key)
    return [statement for statement, _ in statements]


async def test_a_page_of_comments_on_passages_loads_all_their_anchors_in_one_statement(api: Api) -> None:
    sentences = ARTICLE.split(". ")
    anchored, plain = api.article(), api.article()
    for sentence in sentences:
        await post_on(api, anchored, passage(ARTICLE, sentence))
        await api.post_ok(Reader(), plain, sentence)
    page = await api.page(anchored)
    assert {c["anchor"]["exact"] for c in page["comments"]} == set(sentences)
    with_anchors, without = await _statements_of_a_page(api, anchored), await _statements_of_a_page(api, plain)
    # One statement more than a page without anchors, however many anchors it shows (no query per comment).
    assert len(without) <= MAX_STATEMENTS and len(with_anchors) == len(without) + 1, with_anchors
    assert sum("FROM anchor" in statement for statement in with_anchors) == 1


async def test_an_anchor_of_another_article_filters_to_nothing(api: Api) -> None:
    key, elsewhere = api.article(), api.article()
    await api.post_ok(Reader(), key)
    foreign = await post_on(api, elsewhere, prompt("p1"))
    page = await api.page(key, anchor=foreign["anchor"]["id"])
    assert page["comments"] == [] and page["anchor"] is None


async def test_the_anchor_filter_rejects_ids_that_are_not_ids(api: Api) -> None:
    params = {"site": api.site, "key": api.article()}
    for bad in ("0", "-1", "x", str(2**31)):
        assert_error(await api.client.get("/api/v1/comments", params={**params, "anchor": bad}), 422, "invalid")


async def test_the_main_thread_shows_anchored_comments_unless_the_site_keeps_them_aside(api: Api) -> None:
    key = api.article()
    made = await _mixed_thread(api, key)
    everything = [*made["nurses"], made["prompt"], *made["plain"]]
    main = await api.page(key, sort="oldest")
    assert [c["id"] for c in main["comments"]] == [c["id"] for c in everything]
    assert main["comments"][0]["anchor"]["exact"] == NURSES

    await site_service.set_inline_in_main(api.services, api.site, False)
    main = await api.page(key, sort="oldest")
    assert [c["id"] for c in main["comments"]] == [c["id"] for c in made["plain"]]
    assert main["total"] == main["thread"]["comment_count"] == 6, "every approved comment still counts"
    panel = await api.page(key, anchor=made["nurses"][0]["anchor"]["id"], sort="oldest")
    assert [c["id"] for c in panel["comments"]] == [c["id"] for c in made["nurses"]], "the panel still shows them"

    await site_service.set_inline_in_main(api.services, api.site, True)
    assert len((await api.page(key))["comments"]) == 5


async def test_with_anchored_comments_kept_aside_paging_skips_them(api: Api) -> None:
    key = api.article()
    made = await _mixed_thread(api, key)
    await site_service.set_inline_in_main(api.services, api.site, False)
    first = await api.page(key, sort="oldest", limit=1)
    second = await api.page(key, sort="oldest", limit=1, cursor=first["next_cursor"])
    assert [first["comments"][0]["id"], second["comments"][0]["id"]] == [c["id"] for c in made["plain"]]
    assert second["next_cursor"] is None


# Anchored comments are comments like any other


async def test_votes_reports_edits_and_deletion_work_on_anchored_comments(api: Api) -> None:
    key, ana, ben = api.article(), Reader(), Reader()
    comment = await api.post_ok(ana, key, "On the prompt.", anchor=prompt("p1", "Agree?"))
    vote = await api.vote(ben, comment["id"], 1)
    assert vote.status_code == 200 and vote.json()["up"] == 1
    report = await api.client.post(
        f"/api/v1/comments/{comment['id']}/report", json={"reason": "off_topic"}, headers=ben.headers()
    )
    assert report.status_code == 201, report.text
    edited = await edit(api, ana, comment["id"], "On the prompt, edited.")
    assert edited.status_code == 200 and edited.json()["comment"]["anchor"] == comment["anchor"]
    reply = await api.post_ok(ben, key, "Reply.", parent_id=comment["id"])
    assert (await anchors(api, key))[0]["count"] == 2
    assert (await delete(api, ana, comment["id"])).status_code == 204
    page = await api.page(key, anchor=comment["anchor"]["id"])
    assert page["comments"][0]["status"] == "deleted", "the deleted comment keeps its place above the reply"
    assert page["comments"][0]["replies"][0]["id"] == reply["id"]
    assert page["anchor"]["count"] == 1 and page["total"] == 1
