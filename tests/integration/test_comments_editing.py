"""Changing one's own comments, a reader's own state (/me), and every kind of bad input."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from tests.conftest import FakeClock
from tests.factories import Api, Reader
from tests.integration.comments_support import (
    COMMENTS,
    assert_error,
    delete,
    edit,
    flatten,
    forbid_server_errors,
    post_raw,
)

TOO_BIG_ID = 2**63


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


# Editing and deleting one's own comment


async def test_the_author_edits_within_the_window(api: Api, clock: FakeClock) -> None:
    reader, key = Reader(), api.article()
    comment = await api.post_ok(reader, key, "Frist!")
    assert comment["edited_at"] is None
    clock.advance(minutes=14)
    response = await edit(api, reader, comment["id"], "First, *properly*.")
    assert response.status_code == 200, response.text
    edited = response.json()["comment"]
    assert edited["body_html"] == "<p>First, <em>properly</em>.</p>" and edited["edited_at"]
    shown = (await api.page(key))["comments"][0]
    assert shown["body_html"] == edited["body_html"] and shown["edited_at"]
    assert "Frist" not in (await api.client.get(COMMENTS, params={"site": api.site, "key": key})).text


async def test_nobody_else_may_edit_or_delete(api: Api) -> None:
    author, other, key = Reader(), Reader(), api.article()
    comment = await api.post_ok(author, key, "Mine.")
    await api.post_ok(other, key, "Theirs.")
    for stranger in (other, Reader()):
        assert_error(await edit(api, stranger, comment["id"], "Hijacked."), 403, "not_owner")
        assert_error(await delete(api, stranger, comment["id"]), 403, "not_owner")
    assert (await api.page(key))["total"] == 2


async def test_the_window_closes_after_15_minutes(api: Api, clock: FakeClock) -> None:
    reader, key = Reader(), api.article()
    comment = await api.post_ok(reader, key, "Soon frozen.")
    clock.advance(minutes=16)
    assert_error(await edit(api, reader, comment["id"], "Too late."), 403, "edit_window_closed")
    assert_error(await delete(api, reader, comment["id"]), 403, "edit_window_closed")
    assert (await api.me(reader, key))["editable"] == []


async def test_deleting_a_comment_with_replies_leaves_a_placeholder(api: Api) -> None:
    author, replier, key = Reader(), Reader(), api.article()
    top = await api.post_ok(author, key, "Regrettable words.", author_name="Ana", website="https://ana.example")
    reply = await api.post_ok(replier, key, "A reply that stays.", parent_id=top["id"])
    response = await delete(api, author, top["id"])
    assert response.status_code == 204 and response.content == b""
    page = await api.page(key)
    assert page["total"] == 1 and page["thread"]["comment_count"] == 1
    [placeholder] = page["comments"]
    assert placeholder["id"] == top["id"] and placeholder["status"] == "deleted"
    assert placeholder["author"] is None and placeholder["body_html"] == ""
    assert [c["id"] for c in placeholder["replies"]] == [reply["id"]]
    raw = (await api.client.get(COMMENTS, params={"site": api.site, "key": key})).text
    assert "Regrettable" not in raw and "Ana" not in raw and "ana.example" not in raw


async def test_deleting_a_leaf_removes_it(api: Api) -> None:
    author, replier, key = Reader(), Reader(), api.article()
    top = await api.post_ok(author, key, "Stays.")
    reply = await api.post_ok(replier, key, "Vanishing reply.", parent_id=top["id"])
    leaf = await api.post_ok(author, key, "Vanishing top-level comment.")
    assert (await api.page(key))["total"] == 3
    for reader, comment in ((replier, reply), (author, leaf)):
        assert (await delete(api, reader, comment["id"])).status_code == 204
    page = await api.page(key)
    assert [c["id"] for c in flatten(page["comments"])] == [top["id"]]
    assert page["total"] == 1
    assert "Vanishing" not in (await api.client.get(COMMENTS, params={"site": api.site, "key": key})).text


async def test_deleting_a_middle_reply_keeps_its_place_in_the_tree(api: Api) -> None:
    author, replier, key = Reader(), Reader(), api.article()
    top = await api.post_ok(replier, key, "Top.")
    middle = await api.post_ok(author, key, "Middle, soon gone.", parent_id=top["id"])
    below = await api.post_ok(replier, key, "Below.", parent_id=middle["id"])
    assert (await delete(api, author, middle["id"])).status_code == 204
    [shown_top] = (await api.page(key))["comments"]
    [placeholder] = shown_top["replies"]
    assert (placeholder["id"], placeholder["status"], placeholder["body_html"]) == (middle["id"], "deleted", "")
    assert [c["id"] for c in placeholder["replies"]] == [below["id"]]
    assert (await api.page(key))["total"] == 2


async def test_a_page_on_another_origin_cannot_edit_or_delete(api: Api) -> None:
    reader, key = Reader(), api.article()
    comment = await api.post_ok(reader, key, "Mine.")
    headers = reader.headers("https://evil.example")
    url = f"{COMMENTS}/{comment['id']}"
    assert_error(await api.client.patch(url, json={"body": "Hijacked."}, headers=headers), 403, "origin_not_allowed")
    assert_error(await api.client.delete(url, headers=headers), 403, "origin_not_allowed")
    assert (await api.page(key))["comments"][0]["body_html"] == "<p>Mine.</p>"


async def test_a_deleted_comment_is_gone_for_edit_vote_and_reply(api: Api) -> None:
    author, key = Reader(), api.article()
    comment = await api.post_ok(author, key, "Short-lived.")
    assert (await delete(api, author, comment["id"])).status_code == 204
    assert_error(await delete(api, author, comment["id"]), 404, "not_found")
    assert_error(await edit(api, author, comment["id"], "Back?"), 404, "not_found")
    assert_error(await api.vote(Reader(), comment["id"], 1), 409, "conflict")
    assert_error(await api.post(author, key, "Answer.", parent_id=comment["id"]), 409, "conflict")
    assert (await api.me(author, key))["editable"] == []


# A reader's own state


async def test_me_lists_votes_points_and_editable_comments(api: Api) -> None:
    ana, bo, key = Reader(), Reader(), api.article()
    own = await api.post_ok(ana, key, "Ana's.")
    liked = await api.post_ok(bo, key, "Bo's good one.")
    disliked = await api.post_ok(bo, key, "Bo's bad one.")
    assert (await api.vote(ana, liked["id"], 1)).status_code == 200
    assert (await api.vote(ana, disliked["id"], -1)).status_code == 200
    assert (await api.points(ana, key, 1)).status_code == 200
    me = await api.me(ana, key)
    assert me["votes"] == {str(liked["id"]): 1, str(disliked["id"]): -1}
    assert me["points_vote"] == 1
    assert [item["id"] for item in me["editable"]] == [own["id"]]
    bo_state = await api.me(bo, key)
    assert bo_state["votes"] == {} and bo_state["points_vote"] == 0
    assert [item["id"] for item in bo_state["editable"]] == [liked["id"], disliked["id"]]


async def test_me_shows_nothing_to_another_reader(api: Api) -> None:
    ana, stranger, key = Reader(), Reader(), api.article()
    await api.post_ok(ana, key, "Ana's.")
    await api.post_ok(stranger, api.article(), "Elsewhere.")
    for reader in (stranger, Reader()):
        me = await api.me(reader, key)
        assert (me["votes"], me["points_vote"], me["editable"]) == ({}, 0, [])
    assert (await api.me(Reader(), key))["identity_id"] is None


async def test_me_is_private_and_works_before_the_thread_exists(api: Api) -> None:
    response = await api.client.get("/api/v1/me", params={"site": api.site, "key": api.article()})
    assert response.status_code == 200 and "no-store" in response.headers["cache-control"]
    assert response.json()["editable"] == []


# Bad input


async def test_malformed_json_is_400(api: Api) -> None:
    headers = {"Content-Type": "application/json", "Origin": "https://news.example"}
    response = await api.client.post(COMMENTS, content=b'{"site": "x", "body": ', headers=headers)
    assert_error(response, 400, "invalid_json")


async def test_a_missing_body_field_is_422(api: Api) -> None:
    detail = assert_error(await post_raw(api, {"site": api.site, "key": api.article()}), 422, "invalid")
    assert "body" in detail


async def test_a_missing_json_body_is_422(api: Api) -> None:
    assert_error(await api.client.post(COMMENTS), 422, "invalid")


async def test_an_unknown_field_is_422(api: Api) -> None:
    payload = {"site": api.site, "key": api.article(), "body": "Hi.", "is_admin": True}
    detail = assert_error(await post_raw(api, payload), 422, "invalid")
    assert "is_admin" in detail


async def test_a_body_of_the_wrong_type_is_422(api: Api) -> None:
    assert_error(await post_raw(api, {"site": api.site, "key": api.article(), "body": 5}), 422, "invalid")
    assert_error(await post_raw(api, ["not", "an", "object"]), 422, "invalid")  # type: ignore[arg-type]


async def test_the_body_limit_is_10000_characters(api: Api) -> None:
    reader, key = Reader(), api.article()
    assert (await api.post(reader, key, "é" * 10_000)).status_code == 201
    assert_error(await api.post(reader, key, "é" * 10_001), 413, "too_large")
    comment = await api.post_ok(reader, key, "Short.")
    assert_error(await edit(api, reader, comment["id"], "x" * 10_001), 413, "too_large")


@pytest.mark.parametrize("body", ["", "   ", "\n\t \n", "\x00\x07 \u202e"])
async def test_an_empty_body_is_422(api: Api, body: str) -> None:
    reader, key = Reader(), api.article()
    assert_error(await api.post(reader, key, body), 422, "invalid")
    comment = await api.post_ok(reader, key)
    assert_error(await edit(api, reader, comment["id"], body), 422, "invalid")


async def test_the_name_limit_is_80_characters(api: Api) -> None:
    reader, key = Reader(), api.article()
    assert (await api.post(reader, key, author_name="N" * 80)).status_code == 201
    assert_error(await api.post(reader, key, author_name="N" * 81), 422, "invalid")


async def test_text_is_nfc_normalised(api: Api) -> None:
    comment = await api.post_ok(Reader(), api.article(), "Caf\u0065\u0301 au lait", author_name="Jose\u0301")
    assert "Caf\u00e9 au lait" in comment["body_html"] and "\u0301" not in comment["body_html"]
    assert comment["author"]["name"] == "Jos\u00e9"


@pytest.mark.parametrize("field", ["body", "author_name", "author_email", "website", "title", "key"])
async def test_an_unpaired_surrogate_is_422(api: Api, field: str) -> None:
    payload = {"site": api.site, "key": api.article(), "body": "Fine.", field: "half a pair: \ud800"}
    raw = json.dumps(payload).encode()  # ASCII with "\ud800" escaped, as a careless client sends it
    response = await api.client.post(COMMENTS, content=raw, headers={"Content-Type": "application/json"})
    assert field in assert_error(response, 422, "invalid")


@pytest.mark.parametrize("site", ["no-such-site", "nul\x00", "Upper", "line\n"])
async def test_a_site_name_no_site_has_is_404(api: Api, site: str) -> None:
    assert_error(await post_raw(api, {"site": site, "key": api.article(), "body": "Hi."}), 404, "not_found")
    assert_error(await api.client.get(COMMENTS, params={"site": site, "key": api.article()}), 404, "not_found")
    assert_error(await api.client.get("/api/v1/me", params={"site": site, "key": "k"}), 404, "not_found")


async def test_control_characters_are_stripped(api: Api) -> None:
    reader, key = Reader(), api.article()
    comment = await api.post_ok(reader, key, "a\x00b\x07c\x1bd\u202ee", author_name="Bo\x00b")
    assert comment["body_html"] == "<p>abcde</p>" and comment["author"]["name"] == "Bob"
    assert (await api.page(key))["comments"][0]["body_html"] == "<p>abcde</p>"


@pytest.mark.parametrize("comment_id", ["abc", "1.5", "1e3"])
async def test_a_comment_id_that_is_not_an_integer_is_422(api: Api, comment_id: str) -> None:
    reader = Reader()
    assert_error(await edit(api, reader, comment_id, "Hi."), 422, "invalid")
    assert_error(await delete(api, reader, comment_id), 422, "invalid")
    assert_error(await api.vote(reader, comment_id, 1), 422, "invalid")  # type: ignore[arg-type]


@pytest.mark.parametrize("comment_id", [999_999_999, 2**31, TOO_BIG_ID, 0, -1])
async def test_an_unknown_comment_is_404_or_refused(api: Api, comment_id: int) -> None:
    reader, key = Reader(), api.article()
    await api.post_ok(reader, key)
    expected = 404 if 0 < comment_id < 2**31 else 422
    assert_error(await edit(api, reader, comment_id, "Hi."), expected)
    assert_error(await delete(api, reader, comment_id), expected)
    assert_error(await api.vote(reader, comment_id, 1), expected)
    assert_error(await api.post(reader, key, "Reply.", parent_id=comment_id), expected)


async def test_a_reply_to_a_comment_of_another_thread_is_422(api: Api) -> None:
    reader, here, there = Reader(), api.article(), api.article()
    elsewhere = await api.post_ok(reader, there, "Over there.")
    await api.post_ok(reader, here, "Over here.")
    response = await api.post(reader, here, "Misplaced reply.", parent_id=elsewhere["id"])
    assert_error(response, 422, "invalid")
    assert (await api.page(here))["total"] == 1 and (await api.page(there))["total"] == 1


async def test_a_request_over_256_kb_is_413(api: Api) -> None:
    payload = {"site": api.site, "key": api.article(), "body": "x" * (257 * 1024)}
    assert_error(await post_raw(api, payload), 413, "too_large")


async def test_a_chunked_request_over_256_kb_is_413(api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"body": "'
        for _ in range(300):
            yield b"x" * 1024
        yield b'"}'

    headers = {"Content-Type": "application/json"}
    assert_error(await api.client.post(COMMENTS, content=chunks(), headers=headers), 413, "too_large")


async def test_an_unknown_route_is_404_json(api: Api) -> None:
    assert_error(await api.client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(await api.client.get("/api/v2/comments"), 404, "not_found")


async def test_a_wrong_method_is_405_json(api: Api) -> None:
    assert_error(await api.client.put(COMMENTS, json={}), 405, "method_not_allowed")


async def test_a_vote_value_outside_the_three_choices_is_422(api: Api) -> None:
    comment = await api.post_ok(Reader(), api.article())
    assert_error(await api.vote(Reader(), comment["id"], 2), 422, "invalid")
