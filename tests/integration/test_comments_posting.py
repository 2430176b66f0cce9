"""Posting through POST /api/v1/comments: rendering, guest identity, replies, thread creation, CORS."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from pnyx.services.sites import add_site
from tests.factories import ORIGIN, Api, Reader
from tests.integration.comments_support import COMMENTS, assert_error, flatten, forbid_server_errors, post_raw

EVIL_ORIGIN = "https://evil.example"


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


# Rendering and the guest's details


async def test_markdown_is_rendered_with_raw_html_off(api: Api) -> None:
    comment = await api.post_ok(Reader(), api.article(), "I *mean* it: <b>x</b> <script>alert(1)</script>")
    html = comment["body_html"]
    assert "<em>mean</em>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>" not in html and "<script" not in html


async def test_links_carry_nofollow_ugc_noopener(api: Api) -> None:
    body = "See [the report](https://example.org/report) and https://example.net/raw"
    html = (await api.post_ok(Reader(), api.article(), body))["body_html"]
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.org/report"' in html and 'href="https://example.net/raw"' in html


async def test_dangerous_links_and_images_are_not_rendered(api: Api) -> None:
    body = "[click](javascript:alert(1)) ![pixel](https://tracker.example/p.gif)"
    html = (await api.post_ok(Reader(), api.article(), body))["body_html"]
    assert 'href="javascript' not in html
    assert "<img" not in html


async def test_guest_details_are_shown_but_the_email_never_is(api: Api) -> None:
    reader, key, email = Reader(), api.article(), "hidden.reader@example.org"
    posted = await api.post(
        reader, key, "Signed.", author_name="Ana", author_email=email, website="https://ana.example/blog"
    )
    assert posted.status_code == 201, posted.text
    author = posted.json()["comment"]["author"]
    assert author["name"] == "Ana" and author["website"] == "https://ana.example/blog"
    page = await api.client.get(COMMENTS, params={"site": api.site, "key": key})
    me = await api.client.get("/api/v1/me", params={"site": api.site, "key": key}, headers=reader.headers())
    for response in (posted, page, me):
        assert email not in response.text
        assert "hidden.reader" not in response.text


async def test_name_email_and_website_are_optional(api: Api) -> None:
    comment = await api.post_ok(Reader(), api.article(), "Anonymous.")
    assert comment["author"]["name"] is None and comment["author"]["website"] is None


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,hi", "ftp://ana.example", "ana.example"]
)
async def test_a_website_that_is_not_http_is_refused(api: Api, website: str) -> None:
    response = await api.post(Reader(), api.article(), website=website)
    assert_error(response, 422, "invalid")


async def test_an_email_that_is_not_an_address_is_refused(api: Api) -> None:
    assert_error(await api.post(Reader(), api.article(), author_email="not-an-address"), 422, "invalid")


# Identity


async def test_first_write_mints_a_token_and_later_writes_reuse_it(api: Api) -> None:
    reader, key = Reader(), api.article()
    first = await api.post(reader, key, "First.")
    assert first.status_code == 201 and first.json()["identity_token"]
    second = await api.post(reader, key, "Second.")
    assert second.status_code == 201, second.text
    assert "identity_token" not in second.json()
    me = await api.me(reader, key)
    ids = {first.json()["comment"]["id"], second.json()["comment"]["id"]}
    assert {item["id"] for item in me["editable"]} == ids
    assert me["identity_id"] is not None


async def test_two_guests_get_two_identities(api: Api) -> None:
    ana, bo, key = Reader(), Reader(), api.article()
    await api.post_ok(ana, key)
    await api.post_ok(bo, key)
    assert ana.token != bo.token
    assert (await api.me(ana, key))["identity_id"] != (await api.me(bo, key))["identity_id"]


@pytest.mark.parametrize("token", ["forged", "eyJpIjoxfQ.forgedsignature", "a.b.c"])
async def test_a_forged_token_is_refused(api: Api, token: str) -> None:
    forged, key = Reader(token), api.article()
    assert_error(await api.post(forged, key), 401, "invalid_token")
    me = await api.client.get("/api/v1/me", params={"site": api.site, "key": key}, headers=forged.headers())
    assert_error(me, 401, "invalid_token")
    assert (await api.page(key))["total"] == 0


# Replies


async def test_replies_nest_under_their_top_level_comment(api: Api) -> None:
    ana, bo, key = Reader(), Reader(), api.article()
    top = await api.post_ok(ana, key, "Top.")
    other = await api.post_ok(bo, key, "Another top.")
    reply = await api.post_ok(bo, key, "Reply.", parent_id=top["id"])
    answer = await api.post_ok(ana, key, "Reply to the reply.", parent_id=reply["id"])
    assert (reply["depth"], reply["parent_id"], reply["reply_to_id"]) == (1, top["id"], top["id"])
    assert (answer["depth"], answer["parent_id"]) == (2, reply["id"])
    page = await api.page(key, sort="oldest")
    assert [c["id"] for c in page["comments"]] == [top["id"], other["id"]]
    assert page["comments"][0]["replies"][0]["id"] == reply["id"]
    assert page["comments"][0]["replies"][0]["replies"][0]["id"] == answer["id"]
    assert page["comments"][1]["replies"] == []
    assert page["total"] == 4


async def test_replies_deeper_than_max_depth_attach_at_the_last_level(api: Api) -> None:
    reader, key = Reader(), api.article()
    chain = [await api.post_ok(reader, key, "Level 0.")]
    for level in range(1, 9):
        chain.append(await api.post_ok(reader, key, f"Level {level}.", parent_id=chain[-1]["id"]))
    assert [c["depth"] for c in chain] == [0, 1, 2, 3, 4, 5, 5, 5, 5]
    for answered, reply in zip(chain, chain[1:], strict=False):
        assert reply["reply_to_id"] == answered["id"]
    assert [c["parent_id"] for c in chain[6:]] == [chain[4]["id"]] * 3
    page = await api.page(key, sort="oldest")
    assert [c["id"] for c in page["comments"]] == [chain[0]["id"]]
    level_4 = page["comments"][0]
    for _ in range(4):
        level_4 = level_4["replies"][0]
    assert [c["id"] for c in level_4["replies"]] == [c["id"] for c in chain[5:]]
    assert {c["depth"] for c in flatten(page["comments"])} == {0, 1, 2, 3, 4, 5}
    assert page["total"] == 9


# Thread creation and keys


async def test_a_url_key_on_another_host_creates_no_thread(api: Api) -> None:
    response = await api.post(Reader(), "https://elsewhere.example/news/a")
    assert_error(response, 403, "origin_not_allowed")
    assert (await api.page("https://elsewhere.example/news/a"))["thread"] is None


async def test_an_explicit_key_without_url_cannot_start_a_thread(api: Api) -> None:
    detail = assert_error(await api.post(Reader(), "article-4711"), 404, "not_found")
    assert "url" in detail


async def test_an_explicit_key_with_a_url_on_another_host_is_refused(api: Api) -> None:
    response = await api.post(Reader(), "article-4711", url="https://elsewhere.example/a")
    assert_error(response, 403, "origin_not_allowed")


async def test_an_explicit_key_with_url_starts_a_thread_reached_by_key_later(api: Api) -> None:
    reader, url = Reader(), api.article()
    first = await api.post(reader, "article-4711", "First.", url=url, title="A story")
    assert first.status_code == 201, first.text
    assert first.json()["thread"]["key"] == "article-4711"
    assert first.json()["thread"]["url"] == url and first.json()["thread"]["title"] == "A story"
    await api.post_ok(reader, "article-4711", "Second, by key alone.")
    page = await api.page("article-4711")
    assert page["total"] == 2 and page["thread"]["url"] == url


async def test_a_page_on_another_origin_cannot_post(api: Api) -> None:
    response = await post_raw(api, {"site": api.site, "key": api.article(), "body": "Hi."}, origin=EVIL_ORIGIN)
    assert_error(response, 403, "origin_not_allowed")
    assert "access-control-allow-origin" not in response.headers


async def test_the_origin_of_another_site_cannot_post_here(api: Api) -> None:
    other = "https://other-paper.example"
    await add_site(api.services, f"{api.site}-b", [other])
    preflight = await api.client.options(COMMENTS, headers={"Origin": other, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204  # the preflight names no site, so it answers for every site's origins
    response = await post_raw(api, {"site": api.site, "key": api.article(), "body": "Hi."}, origin=other)
    assert_error(response, 403, "origin_not_allowed")


async def test_the_second_origin_of_the_site_may_post(api: Api) -> None:
    local = "http://localhost:8001"
    payload = {"site": api.site, "key": f"{local}/preview/1", "body": "From the staging host."}
    response = await post_raw(api, payload, origin=local)
    assert response.status_code == 201, response.text
    assert response.headers["access-control-allow-origin"] == local


async def test_a_script_without_origin_may_post(api: Api) -> None:
    key = api.article()
    response = await post_raw(api, {"site": api.site, "key": key, "body": "From a script."}, origin=None)
    assert response.status_code == 201, response.text
    assert (await api.page(key))["total"] == 1


async def test_posting_to_an_unknown_site_is_404(api: Api) -> None:
    response = await post_raw(api, {"site": "no-such-site", "key": api.article(), "body": "Hi."})
    assert_error(response, 404, "not_found")


async def test_url_keys_are_canonicalised(api: Api) -> None:
    reader = Reader()
    posted = await api.post(reader, "HTTPS://News.Example/a/?utm_source=x#frag", "Via a campaign link.")
    assert posted.status_code == 201, posted.text
    assert posted.json()["thread"]["key"] == "https://news.example/a"
    await api.post_ok(reader, "https://news.example/a?fbclid=abc", "Via a social link.")
    page = await api.page("https://news.example/a")
    assert page["total"] == 2 and page["thread"]["key"] == "https://news.example/a"


# CORS


async def test_preflight_from_an_allowed_origin(api: Api) -> None:
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    response = await api.client.options(COMMENTS, headers=headers)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


async def test_preflight_from_an_unknown_origin_is_refused(api: Api) -> None:
    headers = {"Origin": EVIL_ORIGIN, "Access-Control-Request-Method": "POST"}
    response = await api.client.options(COMMENTS, headers=headers)
    assert_error(response, 403, "origin_not_allowed")
    assert "access-control-allow-origin" not in response.headers


async def test_a_read_from_an_allowed_origin_is_readable_by_the_page(api: Api) -> None:
    params = {"site": api.site, "key": api.article()}
    allowed = await api.client.get(COMMENTS, params=params, headers={"Origin": ORIGIN})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "ETag" in allowed.headers["access-control-expose-headers"]
    unknown = await api.client.get(COMMENTS, params=params, headers={"Origin": EVIL_ORIGIN})
    assert "access-control-allow-origin" not in unknown.headers
