"""GET /embed/thread: the whole block rendered on the server, its accessible names, and what it never shows."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from httpx import AsyncClient
from sqlalchemy import update

from pnyx.store import tables
from tests.factories import Api, Reader
from tests.integration.comments_support import delete, forbid_server_errors
from tests.integration.embed_support import (
    Element,
    aria_hidden,
    articles,
    button,
    name_of,
    parse,
    thread_html,
    thread_tree,
    visible,
)

XSS_NAME = '"><script>alert(1)</script>'
XSS_WEBSITE = 'https://x.example/"onmouseover="alert(1)'


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


def _outline(root: Element) -> list[tuple[str, str]]:
    """(role, name) of the block's landmarks in document order, the way a screen reader meets them."""
    found: list[tuple[str, str]] = []
    for element in visible(root):
        tag = element.tag
        if "hidden" in element.attrs or aria_hidden(element):
            continue
        if tag == "section":
            found.append(("region", name_of(element, root)))
        elif tag in ("h2", "h3"):
            found.append(("heading", element.text()))
        elif element.get("aria-live") == "polite" and tag == "p" and element.text():
            found.append(("live", element.text()))
        elif tag == "button":
            found.append(("button", name_of(element, root)))
        elif tag == "a":
            found.append(("link", name_of(element, root)))
        elif tag == "form" and element.get("aria-labelledby"):
            found.append(("form", name_of(element, root)))
        elif tag == "select":
            found.append(("combobox", name_of(element, root)))
        elif tag == "input" and element.get("type") == "checkbox":
            found.append(("checkbox", name_of(element, root)))
        elif tag in ("textarea", "input") and element.get("type") != "hidden":
            found.append(("textbox", name_of(element, root)))
        elif element.get("role") == "group":
            found.append(("group", name_of(element, root)))
        elif tag == "article":
            found.append(("article", name_of(element, root)))
        elif element.get("role") == "status":
            found.append(("status", ""))
    return found


async def _seeded(api: Api) -> tuple[str, dict[str, int]]:
    key, ana, ben = api.article(), Reader(), Reader()
    first = await api.post_ok(ana, key, "First *word*.", author_name="Ana", website="https://ana.example/")
    reply = await api.post_ok(ben, key, "An answer.", parent_id=first["id"])
    await api.points(ben, key, 1)
    return key, {"first": first["id"], "reply": reply["id"]}


async def test_the_block_reads_top_to_bottom_with_its_accessible_names(api: Api) -> None:
    key, ids = await _seeded(api)
    root = await thread_tree(api, key)
    assert _outline(root) == [
        ("region", "What do you think?"),
        ("heading", "What do you think?"),
        ("button", "Upvote"),
        ("live", "1 Point"),
        ("button", "Downvote"),
        ("textbox", "Comment"),
        ("textbox", "Name"),
        ("textbox", "E-mail"),
        ("textbox", "Website"),
        ("combobox", "Notify of"),
        ("button", "Post"),
        ("status", ""),
        ("heading", "2 Comments"),
        ("group", "Sort comments"),
        ("button", "Best"),
        ("button", "Newest"),
        ("button", "Oldest"),
        ("article", "Comment by Ana"),
        ("link", "Ana"),
        ("button", "Upvote comment by Ana"),
        ("button", "Downvote comment by Ana"),
        ("button", "Reply to Ana"),
        ("button", "Report comment by Ana"),
        ("article", "Comment by a guest"),
        ("button", "Upvote comment by a guest"),
        ("button", "Downvote comment by a guest"),
        ("button", "Reply to a guest"),
        ("button", "Report comment by a guest"),
        ("button", "Subscribe"),
        ("link", "RSS/Atom feed"),
        ("form", "New comments by e-mail"),
        ("textbox", "E-mail"),
        ("checkbox", "Send a digest instead of a mail per comment"),
        ("button", "Notify me by e-mail"),
        ("button", "Cancel"),
        ("status", ""),
    ]
    section = root.find(lambda e: e.tag == "section")
    assert section.get("class") == "pnyx" and section.get("lang") == "en"
    assert [e.tag for e in root.children if isinstance(e, Element)] == ["section"], "a fragment, no <html>"
    assert button(root, "Best").get("aria-pressed") == "true"
    assert button(root, "Newest").get("aria-pressed") == "false"
    assert button(root, "Upvote").get("aria-pressed") == "false"
    assert [a.get("id") for a in articles(root)] == [f"pnyx-comment-{ids['first']}", f"pnyx-comment-{ids['reply']}"]


async def test_edit_and_delete_wait_hidden_until_the_script_knows_the_reader(api: Api) -> None:
    key, _ = await _seeded(api)
    root = await thread_tree(api, key)
    for name in ("Edit your comment", "Delete your comment"):
        hidden = [e for e in visible(root) if e.tag == "button" and name_of(e, root) == name]
        assert hidden and all("hidden" in e.attrs for e in hidden)


async def test_a_comment_shows_author_avatar_date_and_votes(api: Api) -> None:
    key, ids = await _seeded(api)
    await api.vote(Reader(), ids["first"], 1)
    root = await thread_tree(api, key)
    ana = root.find(lambda e: e.get("id") == f"pnyx-comment-{ids['first']}")
    link = ana.find(lambda e: e.tag == "a" and "pnyx-name" in str(e.get("class")))
    assert link.text() == "Ana" and link.get("href") == "https://ana.example/"
    assert link.get("rel") == "nofollow ugc noopener"
    avatar = ana.find(lambda e: "pnyx-av" in str(e.get("class")))
    assert avatar.get("aria-hidden") == "true" and avatar.text() == "A" and avatar.get("style") is None
    assert any(cls.startswith("pnyx-av") and cls[7:].isdigit() for cls in str(avatar.get("class")).split())
    time = ana.find(lambda e: e.tag == "time")
    assert str(time.get("datetime")).endswith("Z") and time.text()
    assert ana.find(lambda e: e.get("data-n") == "up").text() == "1"
    assert ana.find(lambda e: e.tag == "em").text() == "word"
    assert not ana.find_all(lambda e: "pnyx-edited" in str(e.get("class")))


async def test_replies_nest_in_lists(api: Api) -> None:
    key, ids = await _seeded(api)
    root = await thread_tree(api, key)
    reply = root.find(lambda e: e.get("id") == f"pnyx-comment-{ids['reply']}")
    item = reply.parent
    assert item is not None and item.tag == "li"
    assert item.parent is not None and item.parent.tag == "ol" and item.parent.get("class") == "pnyx-replies"


async def test_no_style_attributes_anywhere(api: Api) -> None:
    key, _ = await _seeded(api)
    root = await thread_tree(api, key)
    assert not root.find_all(lambda e: "style" in e.attrs), "strict CSPs forbid inline styles"


async def test_names_and_websites_cannot_escape_their_text_or_attribute(api: Api) -> None:
    key = api.article()
    evil = await api.post_ok(Reader(), key, "Hi <b>there</b>", author_name=XSS_NAME, website=XSS_WEBSITE)
    response = await thread_html(api, key)
    root = parse(response.text)
    assert not root.find_all(lambda e: e.tag == "script"), "a <script> element was created"
    assert not root.find_all(lambda e: any(name.startswith("on") for name in e.attrs)), "an event handler escaped"
    article = root.find(lambda e: e.get("id") == f"pnyx-comment-{evil['id']}")
    assert article.get("aria-label") == f"Comment by {XSS_NAME}"
    link = article.find(lambda e: e.tag == "a" and "pnyx-name" in str(e.get("class")))
    assert set(link.attrs) == {"class", "href", "rel"}
    assert link.get("href") == XSS_WEBSITE
    assert link.children == [XSS_NAME], "the name is one text node"
    assert button(root, f"Reply to {XSS_NAME}").get("aria-label") == f"Reply to {XSS_NAME}"
    body = article.find(lambda e: "pnyx-text" in str(e.get("class")))
    assert not body.find_all(lambda e: e.tag == "b") and "<b>there</b>" in body.text()
    assert "<script>" not in response.text


async def test_the_email_never_appears_in_any_fragment(api: Api) -> None:
    key, email = api.article(), "quiet.reader@example.org"
    comment = await api.post_ok(Reader(), key, "Hello.", author_name="Q", author_email=email)
    responses = [
        await thread_html(api, key),
        await thread_html(api, key, part="comments"),
        await thread_html(api, key, part="comments", view="all"),
        await api.client.get("/embed/comment", params={"id": comment["id"]}),
    ]
    for response in responses:
        assert response.status_code == 200
        assert email not in response.text and "quiet.reader" not in response.text


async def test_a_deleted_comment_with_replies_stays_as_a_placeholder_without_buttons(api: Api) -> None:
    key, author = api.article(), Reader()
    parent = await api.post_ok(author, key, "Soon gone.", author_name="Gone")
    await api.post_ok(Reader(), key, "Still here.", parent_id=parent["id"])
    assert (await delete(api, author, parent["id"])).status_code == 204
    root = await thread_tree(api, key)
    placeholder = root.find(lambda e: e.get("id") == f"pnyx-comment-{parent['id']}")
    assert placeholder.text() == "This comment was deleted."
    assert not placeholder.find_all(lambda e: e.tag in ("button", "a", "time"))
    assert "Gone" not in root.text()


async def test_an_article_nobody_wrote_to_yet_shows_an_empty_block(api: Api) -> None:
    root = await thread_tree(api, api.article())
    assert ("heading", "0 Comments") in _outline(root)
    assert ("live", "0 Points") in _outline(root)
    assert articles(root) == []
    form = root.find(lambda e: e.tag == "form")
    hidden = {e.get("name"): e.get("value") for e in form.find_all(lambda e: e.get("type") == "hidden")}
    assert hidden["site"] == api.site and hidden["url"] == hidden["key"] and hidden["lang"] == "en"
    assert form.get("method") == "post" and str(form.get("action")).endswith("/embed/comments")


async def test_negative_points_read_naturally(api: Api) -> None:
    key = api.article()
    await api.post_ok(Reader(), key)
    for _ in range(3):
        await api.points(Reader(), key, -1)
    assert ("live", "-3 Points") in _outline(await thread_tree(api, key))


async def test_the_fragment_carries_the_strings_the_script_needs(api: Api) -> None:
    section = (await thread_tree(api, api.article())).find(lambda e: e.tag == "section")
    assert section.get("data-msg-offline") == "Could not reach the comment server. Your text is kept; try again."
    assert section.get("data-points-forms") == '{"other":"{n} Points","one":"{n} Point"}'
    assert section.get("data-count-forms") == '{"other":"{n} Comments","one":"{n} Comment"}'


async def test_the_forms_the_script_clones_carry_their_names(api: Api) -> None:
    root = await thread_tree(api, api.article())
    templates = {str(e.get("data-tpl")): e for e in root.find_all(lambda e: e.tag == "template")}
    assert {"reply", "edit", "delete", "report"} <= set(templates)
    report = templates["report"]
    group = report.find(lambda e: e.get("role") == "radiogroup")
    assert name_of(group, report) == "Reason"
    radios = [label.text() for label in report.find_all(lambda e: e.tag == "label" and e.find_all(_radio))]
    assert radios == ["Spam", "Abuse or harassment", "Off topic", "Misinformation", "Something else"]
    assert name_of(report.find(lambda e: e.tag == "textarea"), report) == "Details (optional)"
    assert report.find(lambda e: e.get("role") == "status").text() == "Thanks. Moderators will review this comment."
    edit = templates["edit"]
    assert name_of(edit.find(lambda e: e.tag == "textarea"), edit) == "Edit your comment"
    assert [b.text() for b in edit.find_all(lambda e: e.tag == "button")] == ["Save", "Cancel"]
    assert "Yes, delete" in [b.text() for b in templates["delete"].find_all(lambda e: e.tag == "button")]
    assert "Post reply" in [b.text() for b in templates["reply"].find_all(lambda e: e.tag == "button")]


def _radio(element: Element) -> bool:
    return element.get("type") == "radio"


async def test_the_fragment_is_cached_by_etag(api: Api) -> None:
    key, _ = await _seeded(api)
    first = await thread_html(api, key)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = await api.client.get(
        "/embed/thread", params={"site": api.site, "key": key}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and not again.content
    await api.post_ok(Reader(), key, "News.")
    assert (await thread_html(api, key)).headers["etag"] != etag
    assert (await thread_html(api, key, lang="de")).headers["etag"] != etag


async def test_the_page_origin_may_read_the_fragment(api: Api) -> None:
    response = await api.client.get(
        "/embed/thread", params={"site": api.site, "key": api.article()}, headers={"Origin": api.origin}
    )
    assert response.headers["access-control-allow-origin"] == api.origin
    other = await api.client.get(
        "/embed/thread", params={"site": api.site, "key": api.article()}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


async def test_an_unknown_site_answers_a_fragment_with_the_sentence(api: Api) -> None:
    for params in ({}, {"part": "comments"}):
        response = await api.client.get("/embed/thread", params={"site": "no-such-site", "key": "k", **params})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        root = parse(response.text)
        assert "There is no site named 'no-such-site'" in root.text()
        assert root.find(lambda e: e.tag == "section").get("class") == "pnyx pnyx-failed"


async def test_bad_parameters_answer_fragments_not_json(api: Api) -> None:
    cases = [
        ({"site": api.site}, 422),
        ({"site": api.site, "key": "k", "sort": "loudest"}, 422),
        ({"site": api.site, "key": "k", "cursor": "!!"}, 400),
        ({"site": api.site, "key": "k" * 600}, 422),
    ]
    for params, status in cases:
        response = await api.client.get("/embed/thread", params=params)
        assert response.status_code == status, params
        assert response.headers["content-type"].startswith("text/html")
        assert parse(response.text).find(lambda e: e.tag == "p" and e.text().endswith(".")).text()


NOTIFY_CHOICES = [
    ("none", "Nothing"),
    ("replies", "New replies to my comments"),
    ("followups", "New follow-up comments"),
]


def _notify_of(form: Element, root: Element) -> list[tuple[str, str]]:
    """The "Notify of" choices of a form, after checking the select's name and label."""
    [select] = form.find_all(lambda e: e.tag == "select")
    assert select.get("name") == "notify" and name_of(select, root) == "Notify of"
    options = select.find_all(lambda e: e.tag == "option")
    assert not [o for o in options if "selected" in o.attrs], "nothing is chosen for the reader: the default is none"
    return [(str(o.get("value")), o.text()) for o in options]


def _by_id(root: Element, ident: str) -> Element:
    return root.find(lambda e: e.get("id") == ident)


async def test_the_comment_and_reply_forms_offer_notify_of(api: Api) -> None:
    root = await thread_tree(api, api.article())
    main = root.find(lambda e: e.tag == "form" and e.get("data-form") == "post")
    reply = root.find(lambda e: e.tag == "template" and e.get("data-tpl") == "reply")
    for form in (main, reply):
        assert _notify_of(form, form) == NOTIFY_CHOICES
        email = form.find(lambda e: e.get("name") == "author_email")
        assert email.get("type") == "email" and "required" not in email.attrs, "required only once notify is chosen"
        [described] = str(email.get("aria-describedby")).split()
        assert _by_id(form, described).text() == "Never shown publicly."
        note = form.find(lambda e: "pnyx-if-notify" in str(e.get("class")))
        assert note.text() == "Needed for notifications: we first send a link to confirm it."
        assert note.get("id") == str(email.get("id")).replace("-email", "-notify-note"), "embed.js adds it by id"
    done = main.find(lambda e: "pnyx-done" in str(e.get("class")))
    assert done.get("role") == "status" and done.text() == ""


async def test_the_fragment_carries_the_subscription_messages(api: Api) -> None:
    section = (await thread_tree(api, api.article())).find(lambda e: e.tag == "section")
    assert section.get("data-msg-confirm") == "Check your inbox: we sent a link to confirm your e-mail address."
    assert section.get("data-msg-subscribed") == "You will be notified by e-mail."


async def test_the_footer_offers_a_subscription_and_the_threads_feed(api: Api) -> None:
    key, _ = await _seeded(api)
    root = await thread_tree(api, key, title="Tram fares")
    toggle = button(root, "Subscribe")
    assert "pnyx-js" in str(toggle.get("class")), "the button needs the script; without it the form is shown"
    assert toggle.get("aria-expanded") == "false"
    form = _by_id(root, str(toggle.get("aria-controls")))
    assert form.tag == "form" and name_of(form, root) == "New comments by e-mail"
    public = api.services.settings.public_url.rstrip("/")
    assert form.get("method") == "post" and form.get("action") == f"{public}/embed/subscriptions"
    hidden = {e.get("name"): e.get("value") for e in form.find_all(lambda e: e.get("type") == "hidden")}
    assert hidden == {"site": api.site, "key": key, "url": key, "title": "Tram fares", "lang": "en"}
    email = form.find(lambda e: e.tag == "input" and e.get("name") == "email")
    assert email.get("type") == "email" and "required" in email.attrs and name_of(email, root) == "E-mail"
    assert "confirm" in _by_id(root, str(email.get("aria-describedby"))).text()
    digest = form.find(lambda e: e.get("type") == "checkbox")
    assert digest.get("name") == "digest" and digest.get("value") == "true"
    assert name_of(digest, root) == "Send a digest instead of a mail per comment"
    assert "Cancel" in [name_of(b, root) for b in form.find_all(lambda e: e.tag == "button")]

    feeds = [e for e in visible(root) if e.tag == "a" and "pnyx-feed" in str(e.get("class"))]
    shown = [e for e in feeds if "hidden" not in e.attrs]
    assert [name_of(e, root) for e in shown] == ["RSS/Atom feed"]
    assert shown[0].get("type") == "application/atom+xml"
    assert shown[0].get("href") == f"{public}/feeds/thread.atom?{urlencode({'site': api.site, 'key': key})}"
    [private] = [e for e in feeds if "hidden" in e.attrs]
    assert private.get("data-feed") == "replies" and private.get("href") is None, "embed.js fills it in from /me"


async def test_the_feed_link_waits_for_the_thread_and_a_closed_thread_takes_no_subscriptions(api: Api) -> None:
    key = api.article()
    fresh = await thread_tree(api, key)
    assert not [e for e in visible(fresh) if e.tag == "a" and "hidden" not in e.attrs], "no feed before the thread"
    assert button(fresh, "Subscribe")

    await api.post_ok(Reader(), key)
    async with api.services.db.write() as conn:
        row = tables.thread.c
        await conn.execute(update(tables.thread).where(row.key == key).values(closed=True, version=row.version + 1))
    closed = await thread_tree(api, key)
    assert not [e for e in visible(closed) if e.tag == "button" and name_of(e, closed) == "Subscribe"]
    assert not [e for e in visible(closed) if e.tag == "form"], "neither a comment form nor a subscription form"
    assert [name_of(e, closed) for e in visible(closed) if e.tag == "a" and "hidden" not in e.attrs] == [
        "RSS/Atom feed"
    ], "the feed still tells of what was written"


async def test_a_passages_panel_offers_notify_of_but_no_footer(api: Api) -> None:
    key = api.article()
    await api.post_ok(Reader(), key)
    panel = await thread_tree(api, key, anchor=999_999)
    assert _notify_of(panel, panel) == NOTIFY_CHOICES
    assert not [e for e in visible(panel) if e.tag == "button" and name_of(e, panel) == "Subscribe"]
    assert not panel.find_all(lambda e: "pnyx-feed" in str(e.get("class")))
