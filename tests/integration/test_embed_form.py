"""POST /embed/comments and /embed/subscriptions: the fragment's forms without JavaScript, answered by a redirect or a
page with a sentence."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select

from pnyx.store import tables
from tests.factories import Api, Reader
from tests.integration.comments_support import forbid_server_errors
from tests.integration.embed_support import parse, thread_tree

FORM = "/embed/comments"


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


async def _post(api: Api, origin: str | None = None, **fields: Any) -> Response:
    headers = {"Origin": origin or api.origin}
    return await api.client.post(FORM, data=fields, headers=headers)


def _fields_of_the_fragment_form(root: Any) -> dict[str, str]:
    form = root.find(lambda e: e.tag == "form" and e.get("data-form") == "post")
    return {str(e.get("name")): str(e.get("value")) for e in form.find_all(lambda e: e.get("type") == "hidden")}


async def test_a_posted_form_redirects_to_the_new_comment(api: Api) -> None:
    key = api.article()
    hidden = _fields_of_the_fragment_form(await thread_tree(api, key))
    response = await _post(api, **hidden, body="Posted *without* JavaScript.", author_name="Ana", author_email="")
    assert response.status_code == 303, response.text
    [comment] = (await api.page(key))["comments"]
    assert response.headers["location"] == f"{key}#pnyx-comment-{comment['id']}"
    assert comment["author"]["name"] == "Ana" and comment["body_html"] == "<p>Posted <em>without</em> JavaScript.</p>"
    assert response.headers["cache-control"] == "no-store"


async def test_a_reply_by_form_lands_under_its_parent(api: Api) -> None:
    key = api.article()
    parent = await api.post_ok(Reader(), key, "Parent.")
    response = await _post(api, site=api.site, key=key, body="Child.", parent_id=str(parent["id"]))
    assert response.status_code == 303
    [top] = (await api.page(key))["comments"]
    assert [reply["id"] for reply in top["replies"]] == [int(response.headers["location"].rsplit("-", 1)[1])]


async def test_an_explicit_key_redirects_to_the_article_url(api: Api) -> None:
    url = api.article()
    response = await _post(api, site=api.site, key="story-77", url=url + "?utm_source=x", title="T", body="Hi.")
    assert response.status_code == 303
    assert response.headers["location"].startswith(url + "#pnyx-comment-")


def _page(response: Response, status: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    root = parse(response.text)
    assert root.find(lambda e: e.tag == "html").get("lang")
    return root


async def test_a_refused_post_answers_a_page_with_the_sentence_and_a_link_back(api: Api) -> None:
    key = api.article()
    root = _page(await _post(api, site=api.site, key=key, url=key, body="   "), 422)
    assert root.find(lambda e: e.tag == "h1").text() == "Your comment was not posted"
    assert "The comment is empty; write something before posting." in root.text()
    back = root.find(lambda e: e.tag == "a")
    assert back.get("href") == key and back.text() == "Back to the article"


async def test_a_post_from_a_foreign_page_is_refused(api: Api) -> None:
    key = api.article()
    root = _page(await _post(api, origin="https://evil.example", site=api.site, key=key, body="Hi."), 403)
    assert "is not one of site" in root.text()
    assert (await api.page(key))["total"] == 0


async def test_the_refusal_speaks_the_form_language(api: Api) -> None:
    root = _page(await _post(api, site="no-such-site", key="k", body="Hi.", lang="de"), 404)
    assert root.find(lambda e: e.tag == "h1").text() == "Ihr Kommentar wurde nicht veröffentlicht"
    assert root.find(lambda e: e.tag == "html").get("lang") == "de"


async def test_the_link_back_is_only_ever_a_web_address(api: Api) -> None:
    root = _page(await _post(api, site=api.site, key="k", url="javascript:alert(1)", body=""), 422)
    assert not root.find_all(lambda e: e.tag == "a")
    assert "Back button" in root.text()


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"key": "k", "body": "x"}, 400),
        ({"site": "s", "body": "x"}, 400),
        ({"site": "s", "key": "k", "body": "x", "parent_id": "abc"}, 422),
        ({"site": "s", "key": "k", "body": "x", "parent_id": "99999999999"}, 422),
    ],
)
async def test_malformed_forms_get_a_page(api: Api, fields: dict[str, str], status: int) -> None:
    fields = {name: (api.site if value == "s" else value) for name, value in fields.items()}
    root = _page(await _post(api, **fields), status)
    assert root.find(lambda e: e.tag == "p").text().endswith(".")


async def test_only_url_encoded_forms_are_read(api: Api) -> None:
    response = await api.client.post(
        FORM, json={"site": api.site, "key": "k", "body": "x"}, headers={"Origin": api.origin}
    )
    root = _page(response, 400)
    assert "application/x-www-form-urlencoded" in root.text()


async def test_undecodable_bytes_are_refused(api: Api) -> None:
    headers = {"Origin": api.origin, "Content-Type": "application/x-www-form-urlencoded"}
    for raw in (b"site=a&body=%ED%A0%80", b"site=\xff\xfe&body=x"):
        response = await api.client.post(FORM, content=raw, headers=headers)
        _page(response, 400)


FOLLOW = "/embed/subscriptions"


def _address() -> str:
    """An address no other test uses (the test databases live for the whole run)."""
    return f"reader-{secrets.token_hex(4)}@example.org"


async def _subscriptions(api: Api, email: str) -> list[Any]:
    async with api.services.db.read() as conn:
        rows = await conn.execute(select(tables.subscription).where(tables.subscription.c.email == email))
        return list(rows.all())


async def _confirmation_to(api: Api, subscription_id: int) -> str:
    """The address of the confirmation mail waiting in the outbox for a subscription."""
    async with api.services.db.read() as conn:
        query = select(tables.outbox.c.payload).where(tables.outbox.c.dedupe_key == f"confirm:{subscription_id}")
        [payload] = (await conn.execute(query)).scalars().all()
    return str(payload["to"])


@pytest.mark.parametrize("notify", ["followups", "replies"])
async def test_notify_of_on_the_form_subscribes_the_author_and_asks_to_confirm(api: Api, notify: str) -> None:
    key, email = api.article(), _address()
    hidden = _fields_of_the_fragment_form(await thread_tree(api, key))
    response = await _post(api, **hidden, body="Keep me posted.", author_email=email, notify=notify)
    assert response.status_code == 303, response.text
    assert "#pnyx-comment-" in response.headers["location"], "the same redirect: the mail explains itself"
    comment_id = int(response.headers["location"].rsplit("-", 1)[1])
    [sub] = await _subscriptions(api, email)
    assert sub.kind == notify and not sub.confirmed
    assert sub.comment_id == (comment_id if notify == "replies" else None)
    assert await _confirmation_to(api, sub.id) == email


async def test_notify_of_nothing_subscribes_nobody(api: Api) -> None:
    key, email = api.article(), _address()
    hidden = _fields_of_the_fragment_form(await thread_tree(api, key))
    response = await _post(api, **hidden, body="Just this once.", author_email=email, notify="none")
    assert response.status_code == 303
    assert await _subscriptions(api, email) == []


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [({"notify": "followups"}, "e-mail"), ({"notify": "everything", "author_email": "x@example.org"}, "Notify of")],
)
async def test_notify_of_without_an_address_or_with_an_unknown_choice_is_refused(
    api: Api, fields: dict[str, str], sentence: str
) -> None:
    key = api.article()
    root = _page(await _post(api, site=api.site, key=key, url=key, body="Tell me.", **fields), 422)
    assert root.find(lambda e: e.tag == "h1").text() == "Your comment was not posted"
    detail = root.find_all(lambda e: e.tag == "p")[0].text()
    assert sentence in detail and detail.endswith("."), detail
    assert (await api.page(key))["total"] == 0, "no comment without its subscription"


def _fields_of_the_subscription_form(root: Any) -> tuple[str, dict[str, str]]:
    form = root.find(lambda e: e.tag == "form" and e.get("data-form") == "follow")
    hidden = {str(e.get("name")): str(e.get("value")) for e in form.find_all(lambda e: e.get("type") == "hidden")}
    return str(form.get("action")), hidden


async def test_the_subscription_form_works_without_javascript_before_any_comment(api: Api) -> None:
    key, email = api.article(), _address()
    action, hidden = _fields_of_the_subscription_form(await thread_tree(api, key, title="Tram fares"))
    assert action.endswith(FOLLOW)
    response = await api.client.post(
        FOLLOW, data={**hidden, "email": email, "digest": "true"}, headers={"Origin": api.origin}
    )
    root = _page(response, 200)
    assert root.find(lambda e: e.tag == "h1").text() == "Check your inbox"
    assert "We sent a link to confirm your e-mail address; mails about new comments follow" in root.text()
    back = root.find(lambda e: e.tag == "a")
    assert back.get("href") == key and back.text() == "Back to the article"
    [sub] = await _subscriptions(api, email)
    assert sub.kind == "followups" and sub.digest and not sub.confirmed and sub.comment_id is None
    assert await _confirmation_to(api, sub.id) == email
    thread = (await api.page(key))["thread"]
    assert thread["title"] == "Tram fares" and thread["comment_count"] == 0, "the thread starts with its subscriber"


async def test_a_confirmed_address_is_subscribed_at_once(api: Api) -> None:
    key, email = api.article(), _address()
    _, hidden = _fields_of_the_subscription_form(await thread_tree(api, key))
    headers = {"Origin": api.origin}
    await api.client.post(FOLLOW, data={**hidden, "email": email}, headers=headers)
    [sub] = await _subscriptions(api, email)
    token = api.services.tokens.confirm_token(sub.id)
    assert (await api.client.get("/subscriptions/confirm", params={"token": token})).status_code == 200
    root = _page(await api.client.post(FOLLOW, data={**hidden, "email": email}, headers=headers), 200)
    assert root.find(lambda e: e.tag == "h1").text() == "Subscribed"
    assert "You will be notified by e-mail." in root.text()
    [again] = await _subscriptions(api, email)
    assert not again.digest, "a digest only when asked for"


async def test_a_refused_subscription_answers_a_page_with_the_sentence(api: Api) -> None:
    key = api.article()
    _, hidden = _fields_of_the_subscription_form(await thread_tree(api, key))
    response = await api.client.post(FOLLOW, data={**hidden, "email": "not an address"}, headers={"Origin": api.origin})
    root = _page(response, 422)
    assert root.find(lambda e: e.tag == "h1").text() == "You were not subscribed"
    assert "'not an address' is not an e-mail address" in root.text()
    assert root.find(lambda e: e.tag == "a").get("href") == key
    empty = await api.client.post(FOLLOW, data={**hidden, "email": ""}, headers={"Origin": api.origin})
    assert "Give the e-mail address the mails should go to, like ana@example.org." in _page(empty, 422).text()
    foreign = await api.client.post(
        FOLLOW, data={**hidden, "email": _address()}, headers={"Origin": "https://evil.example"}
    )
    assert "is not one of site" in _page(foreign, 403).text()


async def test_the_subscription_page_speaks_the_form_language(api: Api) -> None:
    key = api.article()
    _, hidden = _fields_of_the_subscription_form(await thread_tree(api, key, lang="de"))
    assert hidden["lang"] == "de"
    headers = {"Origin": api.origin}
    done = _page(await api.client.post(FOLLOW, data={**hidden, "email": _address()}, headers=headers), 200)
    assert done.find(lambda e: e.tag == "h1").text() == "Prüfen Sie Ihr Postfach"
    assert done.find(lambda e: e.tag == "html").get("lang") == "de"
    refused = _page(await api.client.post(FOLLOW, data={**hidden, "email": "nope"}, headers=headers), 422)
    assert refused.find(lambda e: e.tag == "h1").text() == "Ihr Abonnement wurde nicht eingerichtet"
