"""/embed.js, /embed.css and /embed/counts: public files any page may load, and labelled counts for listing pages."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Api, Reader
from tests.integration.comments_support import assert_error, forbid_server_errors

ASSETS = {"/embed.js": "text/javascript", "/embed.css": "text/css"}


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


@pytest.mark.parametrize(("path", "media_type"), ASSETS.items())
async def test_static_files_have_their_type_a_validator_and_a_short_cache_life(
    api: Api, path: str, media_type: str
) -> None:
    response = await api.client.get(path)
    assert response.status_code == 200 and response.content
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    again = await api.client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert again.headers["etag"] == response.headers["etag"]
    head = await api.client.head(path)
    assert head.status_code == 200 and head.headers["etag"] == response.headers["etag"]


@pytest.mark.parametrize("path", ASSETS)
@pytest.mark.parametrize("origin", [None, "https://news.example", "https://unknown.example"])
async def test_static_files_are_readable_from_any_page(api: Api, path: str, origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}
    response = await api.client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "origin" not in response.headers.get("vary", "").lower(), "one cached copy serves every publisher"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"


async def test_counts_come_with_labels(api: Api) -> None:
    one, three, none = api.article(), api.article(), api.article()
    await api.post_ok(Reader(), one)
    for _ in range(3):
        await api.post_ok(Reader(), three)
    response = await api.client.get("/embed/counts", params={"site": api.site, "key": [one, three, none, "story-x"]})
    assert response.status_code == 200
    assert response.json() == {
        one: {"count": 1, "label": "1 Comment"},
        three: {"count": 3, "label": "3 Comments"},
        none: {"count": 0, "label": "0 Comments"},
        "story-x": {"count": 0, "label": "0 Comments"},
    }
    assert response.headers["etag"] and response.headers["cache-control"] == "public, max-age=60"


async def test_counts_speak_the_page_language(api: Api) -> None:
    one, three = api.article(), api.article()
    await api.post_ok(Reader(), one)
    for _ in range(3):
        await api.post_ok(Reader(), three)
    response = await api.client.get("/embed/counts", params={"site": api.site, "key": [one, three], "lang": "de-AT"})
    assert {key: value["label"] for key, value in response.json().items()} == {
        one: "1 Kommentar",
        three: "3 Kommentare",
    }


async def test_counts_refusals_are_json_errors(api: Api) -> None:
    assert_error(await api.client.get("/embed/counts", params={"site": "nope", "key": "a"}), 404, "not_found")
    keys = [f"k{n}" for n in range(101)]
    assert_error(await api.client.get("/embed/counts", params={"site": api.site, "key": keys}), 422, "invalid")
    assert_error(await api.client.get("/embed/counts", params={"site": api.site}), 422, "invalid")


async def test_counts_are_readable_from_the_site_origin(api: Api) -> None:
    response = await api.client.get(
        "/embed/counts", params={"site": api.site, "key": "a"}, headers={"Origin": api.origin}
    )
    assert response.headers["access-control-allow-origin"] == api.origin
