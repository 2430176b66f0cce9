"""Votes through the public API: comment Upvote / Downvote and the article's points ("What do you think?").

One vote per identity per target: repeating a vote changes nothing, switching moves one
vote from up to down (never doubling), 0 withdraws it.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import Response

from tests.factories import Api, Reader


def tally(response: Response) -> tuple[int, int]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["points"] == body["up"] - body["down"]
    return body["up"], body["down"]


def assert_error(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "detail"}
    assert body["detail"]
    return body


async def comment_on_page(api: Api, key: str, comment_id: int) -> dict[str, Any]:
    page = await api.page(key, view="all")
    for comment in page["comments"]:
        if comment["id"] == comment_id:
            found: dict[str, Any] = comment
            return found
    raise AssertionError(f"comment {comment_id} is not on the page")


async def test_comment_vote_up_repeat_switch_and_withdraw(api: Api) -> None:
    author, voter = Reader(), Reader()
    key = api.article()
    comment = await api.post_ok(author, key)

    first = await api.vote(voter, comment["id"], 1)
    assert tally(first) == (1, 0)
    assert first.json()["value"] == 1
    assert voter.token, "a first vote mints a guest identity and hands back its token"

    assert tally(await api.vote(voter, comment["id"], 1)) == (1, 0), "repeating an upvote does not double it"
    assert tally(await api.vote(voter, comment["id"], -1)) == (0, 1), "switching moves the vote, up 1->0, down 0->1"
    assert tally(await api.vote(voter, comment["id"], -1)) == (0, 1)
    assert tally(await api.vote(voter, comment["id"], 1)) == (1, 0)
    assert tally(await api.vote(voter, comment["id"], 0)) == (0, 0), "0 withdraws the vote"
    assert tally(await api.vote(voter, comment["id"], 0)) == (0, 0), "withdrawing twice is harmless"

    shown = await comment_on_page(api, key, comment["id"])
    assert (shown["up"], shown["down"]) == (0, 0)


async def test_votes_of_several_readers_add_up(api: Api) -> None:
    author = Reader()
    key = api.article()
    comment = await api.post_ok(author, key)
    voters = [Reader() for _ in range(5)]
    for voter, value in zip(voters, [1, 1, 1, -1, -1], strict=True):
        assert (await api.vote(voter, comment["id"], value)).status_code == 200
    shown = await comment_on_page(api, key, comment["id"])
    assert (shown["up"], shown["down"]) == (3, 2)

    assert tally(await api.vote(voters[0], comment["id"], -1)) == (2, 3)
    assert tally(await api.vote(voters[3], comment["id"], 0)) == (2, 2)


@pytest.mark.parametrize(
    "body", [{"value": 2}, {"value": -2}, {"value": "up"}, {"value": None}, {}, {"value": 0.5}, {"value": True}]
)
async def test_comment_vote_refuses_other_values(api: Api, body: dict[str, Any]) -> None:
    author, voter = Reader(), Reader()
    key = api.article()
    comment = await api.post_ok(author, key)
    response = await api.client.put(f"/api/v1/comments/{comment['id']}/vote", json=body, headers=voter.headers())
    assert assert_error(response, 422)["error"] == "invalid"
    assert voter.token is None
    shown = await comment_on_page(api, key, comment["id"])
    assert (shown["up"], shown["down"]) == (0, 0)


@pytest.mark.parametrize("body", [{"value": 2}, {"value": "up"}, {}])
async def test_points_vote_refuses_other_values(api: Api, body: dict[str, Any]) -> None:
    voter = Reader()
    key = api.article()
    payload = {"site": api.site, "key": key, **body}
    response = await api.client.put("/api/v1/threads/vote", json=payload, headers=voter.headers())
    assert assert_error(response, 422)["error"] == "invalid"
    page = await api.page(key)
    assert page["thread"] is None, "a refused vote creates no thread"


async def test_voting_on_ones_own_comment_is_forbidden(api: Api) -> None:
    author = Reader()
    key = api.article()
    comment = await api.post_ok(author, key)
    response = await api.vote(author, comment["id"], 1)
    assert_error(response, 403)
    shown = await comment_on_page(api, key, comment["id"])
    assert (shown["up"], shown["down"]) == (0, 0)


async def test_voting_on_a_deleted_comment_is_a_conflict(api: Api) -> None:
    author, voter = Reader(), Reader()
    key = api.article()
    comment = await api.post_ok(author, key)
    assert (await api.vote(voter, comment["id"], 1)).status_code == 200
    deleted = await api.client.delete(f"/api/v1/comments/{comment['id']}", headers=author.headers())
    assert deleted.status_code == 204, deleted.text

    assert assert_error(await api.vote(voter, comment["id"], -1), 409)["error"] == "conflict"
    assert assert_error(await api.vote(Reader(), comment["id"], 1), 409)["error"] == "conflict"


async def test_voting_on_a_missing_comment_is_not_found(api: Api) -> None:
    response = await api.vote(Reader(), 2_000_000_000, 1)
    assert assert_error(response, 404)["error"] == "not_found"


async def test_comment_vote_from_a_foreign_origin_is_refused(api: Api) -> None:
    author = Reader()
    key = api.article()
    comment = await api.post_ok(author, key)
    response = await api.client.put(
        f"/api/v1/comments/{comment['id']}/vote",
        json={"value": 1},
        headers=Reader().headers(origin="https://evil.example"),
    )
    assert assert_error(response, 403)["error"] == "origin_not_allowed"


async def test_points_vote_creates_the_thread_on_first_write(api: Api) -> None:
    key = api.article()
    assert (await api.page(key))["thread"] is None
    voter = Reader()

    response = await api.points(voter, key, 1)
    assert tally(response) == (1, 0)
    assert voter.token

    page = await api.page(key)
    assert page["thread"] is not None
    assert page["thread"]["key"] == key
    assert page["thread"]["points"] == 1
    assert (page["thread"]["points_up"], page["thread"]["points_down"]) == (1, 0)
    assert page["thread"]["comment_count"] == 0
    assert page["total"] == 0


async def test_points_vote_up_repeat_switch_and_withdraw(api: Api) -> None:
    key = api.article()
    voter, other = Reader(), Reader()
    assert tally(await api.points(voter, key, 1)) == (1, 0)
    assert tally(await api.points(voter, key, 1)) == (1, 0), "repeating does not double"
    assert tally(await api.points(other, key, 1)) == (2, 0)
    assert tally(await api.points(voter, key, -1)) == (1, 1), "switching moves the vote"
    assert tally(await api.points(voter, key, 0)) == (1, 0), "0 withdraws"
    thread = (await api.page(key))["thread"]
    assert (thread["points"], thread["points_up"], thread["points_down"]) == (1, 1, 0)


async def test_points_vote_on_an_equivalent_url_hits_the_same_thread(api: Api) -> None:
    key = api.article()
    voter = Reader()
    assert tally(await api.points(voter, key, 1)) == (1, 0)
    variant = key.replace("https://news.example", "HTTPS://News.Example") + "/?utm_source=feed#comments"
    assert tally(await api.points(voter, variant, 1)) == (1, 0), "the canonical URL names the same thread"
    assert tally(await api.points(Reader(), variant, -1)) == (1, 1)


async def test_points_vote_needs_a_url_on_the_site(api: Api) -> None:
    off_site = await api.points(Reader(), "https://elsewhere.example/story", 1)
    assert assert_error(off_site, 403)["error"] == "origin_not_allowed"
    explicit = await api.points(Reader(), "article-without-url", 1)
    assert assert_error(explicit, 404)["error"] == "not_found"
    unknown_site = await api.client.put(
        "/api/v1/threads/vote", json={"site": "no-such-site-x", "key": api.article(), "value": 1}
    )
    assert assert_error(unknown_site, 404)["error"] == "not_found"


async def test_me_shows_points_vote_and_comment_votes(api: Api) -> None:
    author, voter = Reader(), Reader()
    key = api.article()
    first = await api.post_ok(author, key, "First.")
    second = await api.post_ok(author, key, "Second.")
    third = await api.post_ok(author, key, "Third.")
    assert (await api.vote(voter, first["id"], 1)).status_code == 200
    assert (await api.vote(voter, second["id"], -1)).status_code == 200
    assert (await api.vote(voter, third["id"], 1)).status_code == 200
    assert (await api.vote(voter, third["id"], 0)).status_code == 200
    assert (await api.points(voter, key, -1)).status_code == 200

    state = await api.me(voter, key)
    assert state["identity_id"] is not None
    assert state["points_vote"] == -1
    assert state["votes"] == {str(first["id"]): 1, str(second["id"]): -1}, "a withdrawn vote is not listed"
    assert state["editable"] == []

    assert (await api.points(voter, key, 0)).status_code == 200
    assert (await api.me(voter, key))["points_vote"] == 0

    author_state = await api.me(author, key)
    assert author_state["votes"] == {}
    assert author_state["points_vote"] == 0
    assert {item["id"] for item in author_state["editable"]} == {first["id"], second["id"], third["id"]}

    anonymous = await api.me(Reader(), key)
    empty = {"identity_id": None, "votes": {}, "points_vote": 0, "editable": [], "own": [], "replies_feed": None}
    assert anonymous == {**empty, "own_hidden": [], "email_verified": False}


async def test_me_lists_only_this_threads_votes(api: Api) -> None:
    author, voter = Reader(), Reader()
    key, other_key = api.article(), api.article()
    here = await api.post_ok(author, key)
    there = await api.post_ok(author, other_key)
    assert (await api.vote(voter, here["id"], 1)).status_code == 200
    assert (await api.vote(voter, there["id"], -1)).status_code == 200
    assert (await api.points(voter, other_key, 1)).status_code == 200
    state = await api.me(voter, key)
    assert state["votes"] == {str(here["id"]): 1}
    assert state["points_vote"] == 0


async def test_a_vote_changes_the_thread_version(api: Api) -> None:
    author, voter = Reader(), Reader()
    key = api.article()
    comment = await api.post_ok(author, key)
    version = (await api.page(key))["thread"]["version"]

    assert (await api.vote(voter, comment["id"], 1)).status_code == 200
    after_comment_vote = (await api.page(key))["thread"]["version"]
    assert after_comment_vote > version

    assert (await api.points(voter, key, 1)).status_code == 200
    after_points_vote = (await api.page(key))["thread"]["version"]
    assert after_points_vote > after_comment_vote

    # A repeated vote changes nothing a reader sees, so the version may stay; it never goes back.
    assert (await api.points(voter, key, 1)).status_code == 200
    assert (await api.page(key))["thread"]["version"] >= after_points_vote

    assert (await api.vote(voter, comment["id"], 0)).status_code == 200
    assert (await api.page(key))["thread"]["version"] > after_points_vote


async def test_a_vote_changes_the_etag_of_the_thread(api: Api) -> None:
    author, voter = Reader(), Reader()
    key = api.article()
    comment = await api.post_ok(author, key)
    params = {"site": api.site, "key": key}
    before = await api.client.get("/api/v1/comments", params=params)
    etag = before.headers["etag"]
    unchanged = await api.client.get("/api/v1/comments", params=params, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert (await api.vote(voter, comment["id"], 1)).status_code == 200
    changed = await api.client.get("/api/v1/comments", params=params, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
