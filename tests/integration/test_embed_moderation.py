"""What the fragments show of moderation: held comments to their author only, moderators' marks, and the honeypot."""

from __future__ import annotations

import pytest
from httpx import AsyncClient, Response

from pnyx.domain.policy import Policy
from pnyx.services import banning, moderation
from tests.factories import Api, Reader
from tests.integration.comments_support import forbid_server_errors
from tests.integration.embed_support import Element, articles, button, name_of, parse, thread_html, thread_tree, visible
from tests.integration.moderation_support import moderator_of, set_policy

HELD_MARK = "Awaiting moderation"
HELD_NOTE = "Only you can see this comment until a moderator has approved it."


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


async def _one(api: Api, comment_id: int, reader: Reader | None = None, **params: str) -> Response:
    """GET /embed/comment as ``reader`` (with their token) or as anyone."""
    headers = reader.headers() if reader else {}
    return await api.client.get("/embed/comment", params={"id": comment_id, **params}, headers=headers)


def _article(root: Element, comment_id: int) -> Element:
    return root.find(lambda e: e.tag == "article" and e.get("data-id") == str(comment_id))


def _button_names(article: Element, root: Element) -> set[str]:
    return {name_of(e, root) for e in article.find_all(lambda e: e.tag == "button")}


async def test_a_moderators_edit_and_the_editors_marks_show_beside_the_comment(api: Api) -> None:
    key, moderator = api.article(), await moderator_of(api)
    edited = await api.post_ok(Reader(), key, "Typo heavy.", author_name="Ana")
    picked = await api.post_ok(Reader(), key, "A fine point.", author_name="Bo")
    plain = await api.post_ok(Reader(), key, "Nothing special.", author_name="Cy")
    await moderation.edit(api.services, moderator, edited["id"], "Typo free.")
    await moderation.pin(api.services, moderator, [edited["id"]])
    await moderation.feature(api.services, moderator, [picked["id"]])

    root = await thread_tree(api, key)
    first, second, third = (_article(root, c["id"]) for c in (edited, picked, plain))
    assert "Edited by a moderator" in first.text() and "(edited)" not in first.text()
    assert "Pinned" in first.text() and "Featured" not in first.text()
    assert "Featured (chosen by the editors)" in second.text() and "Pinned" not in second.text()
    for mark in ("Edited by a moderator", "Pinned", "Featured", HELD_MARK):
        assert mark not in third.text()
    icons = [e for e in first.iter() if e.tag == "svg" and "pnyx-badge" in str((e.parent or first).get("class"))]
    assert icons and all(icon.get("aria-hidden") == "true" for icon in icons), "badge icons add no name"

    single = parse((await _one(api, edited["id"])).text)
    assert "Edited by a moderator" in single.text() and "Pinned" in single.text()
    german = _article(await thread_tree(api, key, lang="de"), edited["id"]).text()
    assert "Von der Moderation bearbeitet" in german and "Angeheftet" in german


async def test_an_author_is_served_their_held_comment_and_nobody_else_is(api: Api) -> None:
    await set_policy(api, Policy(premoderation="all"))
    author, key = Reader(), api.article()
    posted = await api.post(author, key, "Held for now.", url=key, author_name="Dana")
    assert posted.status_code == 201 and posted.json()["held"] is True
    comment = posted.json()["comment"]
    assert comment["status"] == "pending"

    response = await _one(api, comment["id"], author)
    assert response.status_code == 200 and response.headers["cache-control"] == "private, no-store"
    root = parse(response.text)
    [article] = articles(root)
    assert article.get("aria-label") == "Comment by Dana" and "Held for now." in article.text()
    assert HELD_MARK in article.text() and HELD_NOTE in article.text()
    # Nobody can vote on, answer or report it yet; its author may still change or delete it.
    assert _button_names(article, root) == {"Edit your comment", "Delete your comment"}

    for stranger in (None, Reader()):
        if stranger is not None:
            await api.post_ok(stranger, key, "Someone else.")
        refused = await _one(api, comment["id"], stranger)
        assert refused.status_code == 404 and "Held for now." not in refused.text
    assert "Held for now." not in (await thread_html(api, key)).text


async def test_a_shadow_banned_author_sees_their_comment_as_published(api: Api) -> None:
    author, key = Reader(), api.article()
    comment = await api.post_ok(author, key, "Shadow words.", url=key, author_name="Eve")
    await banning.shadow_ban(api.services, await moderator_of(api), [comment["id"]])

    response = await _one(api, comment["id"], author)
    assert response.status_code == 200 and response.headers["cache-control"] == "private, no-store"
    root = parse(response.text)
    [article] = articles(root)
    assert HELD_MARK not in article.text() and HELD_NOTE not in article.text(), "the ban is not revealed"
    assert {"Upvote comment by Eve", "Reply to Eve", "Report comment by Eve"} <= _button_names(article, root)
    assert (await _one(api, comment["id"])).status_code == 404


async def test_the_widget_has_the_sentences_of_a_held_comment(api: Api) -> None:
    section = (await thread_tree(api, api.article())).find(lambda e: e.tag == "section")
    assert section.get("data-msg-held") == "Thanks! Your comment will appear once a moderator has approved it."
    german = (await thread_tree(api, api.article(), lang="de")).find(lambda e: e.tag == "section")
    assert german.get("data-msg-held") == "Danke! Ihr Kommentar erscheint, sobald die Moderation ihn freigegeben hat."


def _honeypots(root: Element) -> list[Element]:
    return root.find_all(lambda e: e.tag == "input" and e.get("name") == "homepage")


async def test_every_comment_form_has_a_honeypot_no_person_meets(api: Api) -> None:
    root = await thread_tree(api, api.article())
    forms = root.find_all(lambda e: e.tag == "form" and e.get("data-form") in ("post", "reply"))
    # The main form, the reply form embed.js clones, and the form of a passage's first comment.
    assert len(forms) == 3
    for form in forms:
        [trap] = _honeypots(form)
        assert trap.get("tabindex") == "-1" and trap.get("autocomplete") == "off" and trap.get("type") is None
        assert name_of(trap, root) == "Leave this field empty"
        box = trap.parent
        assert box is not None and box.get("aria-hidden") == "true", "screen readers skip it"
        assert "pnyx-sr" in str(box.get("class")), "visually hidden"
    main, reply = (str(trap.get("id")) for trap in _honeypots(root)[:2])
    assert main != reply, "the reply form's ids differ from the main form's"
    assert [e for e in visible(root) if e.tag == "form" and e.get("data-form") == "follow"]
    assert not _honeypots(root.find(lambda e: e.get("data-form") == "follow")), "subscriptions have none"


async def test_the_form_posts_with_an_empty_honeypot(api: Api) -> None:
    key = api.article()
    fields = {"site": api.site, "key": key, "url": key, "body": "Hello without JavaScript.", "homepage": ""}
    response = await api.client.post("/embed/comments", data=fields, headers={"Origin": api.origin})
    assert response.status_code == 303
    assert (await api.page(key))["total"] == 1


async def test_a_confirmed_address_has_a_note_of_its_own(api: Api) -> None:
    root = await thread_tree(api, api.article())
    main = root.find(lambda e: e.tag == "form" and e.get("data-form") == "post")
    note = main.find(lambda e: "pnyx-if-verified" in str(e.get("class")))
    assert note.text() == "Optional: without it, notifications go to the address you already confirmed."
    email = main.find(lambda e: e.get("name") == "author_email")
    assert "required" not in email.attrs, "the script makes it required, and only when no address is confirmed"
    assert str(note.get("id")) not in str(email.get("aria-describedby"))
    assert button(root, "Post").get("type") == "submit"
