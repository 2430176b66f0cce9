"""POST /embed/comments and /embed/subscriptions: the fragment's forms posted without JavaScript.

They call the same services as the JSON API. A stored comment answers 303 to the article at the new
comment (a "Notify of" choice needs no page: its confirmation mail explains itself); a subscription
answers a small page of pnyx's own saying what happens next; a refusal answers such a page with the
server's sentence and a link back. The body is parsed here rather than by a form library: the only
encoding browsers use for these forms is ``application/x-www-form-urlencoded``, and the request size
is already capped.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from pnyx.domain.models import MAX_ID, CommentStatus
from pnyx.domain.urls import is_url, origin_of
from pnyx.errors import BadRequest, Invalid, PnyxError
from pnyx.i18n import negotiate, translations
from pnyx.services import comments as comment_service
from pnyx.services import subscriptions as subscription_service
from pnyx.services.threads import ThreadRef
from pnyx.web.deps import ReaderDep, ServicesDep
from pnyx.web.embed.html import FragmentRoute, notice_page, retry_headers
from pnyx.web.formdata import first_values, form_pairs

router = APIRouter(route_class=FragmentRoute, tags=["embed"])

MAX_FIELDS = 20


async def form_fields(request: Request) -> dict[str, str]:
    """The posted fields (the first value of each name); refuses other encodings and undecodable text."""
    return first_values(await form_pairs(request, MAX_FIELDS))


def _parent_id(value: str) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise Invalid("The form names no comment to reply to; please reload the article and try again.")
    return int(value)


def thread_ref(fields: dict[str, str]) -> ThreadRef:
    """The article a form names by its hidden fields."""
    site, key = fields.get("site", ""), fields.get("key", "")
    if not site or not key:
        raise BadRequest("The form does not name its site and article; please send it from the article page.")
    return ThreadRef(site, key, fields.get("url") or None, fields.get("title") or None)


def new_post(fields: dict[str, str]) -> comment_service.NewPost:
    """The comment a form describes; empty optional fields count as absent."""
    return comment_service.NewPost(
        thread=thread_ref(fields),
        body=fields.get("body", ""),
        parent_id=_parent_id(fields.get("parent_id", "")),
        author_name=fields.get("author_name") or None,
        author_email=fields.get("author_email") or None,
        website=fields.get("website") or None,
        notify=fields.get("notify") or "none",
        homepage=fields.get("homepage") or None,
    )


def follow_wish(fields: dict[str, str]) -> subscription_service.Wish:
    """The subscription the footer's form asks for: new comments in the thread, one by one or as a digest."""
    return subscription_service.Wish(fields.get("email", ""), "followups", digest=bool(fields.get("digest")))


def back_link(fields: dict[str, str]) -> str | None:
    """The article to link back to: only an http(s) address, never another scheme."""
    for candidate in (fields.get("url", ""), fields.get("key", "")):
        if is_url(candidate):
            try:
                origin_of(candidate)
            except Invalid:
                continue
            return candidate
    return None


def _gettext(fields: dict[str, str]) -> Callable[[str], str]:
    """Translations into the language the form was shown in."""
    return translations(negotiate(fields.get("lang"))).gettext


def _refused(fields: dict[str, str], exc: PnyxError, heading: str) -> Response:
    """The page of a refused form: the server's sentence, a link back, and ``Retry-After`` when rate-limited."""
    response = notice_page(negotiate(fields.get("lang")), exc.status, heading, exc.detail, back_link(fields))
    response.headers.update(retry_headers(exc))
    return response


@router.post("/embed/comments")
async def post_form(request: Request, services: ServicesDep, reader: ReaderDep) -> Response:
    """Store a comment sent by the fragment's form; 303 to the article at the comment, or a page saying why not."""
    fields: dict[str, str] = {}
    try:
        fields = await form_fields(request)
        posted = await comment_service.post_comment(services, new_post(fields), reader)
    except PnyxError as exc:
        _ = _gettext(fields)
        return _refused(fields, exc, _("Your comment was not posted"))
    if posted.comment.status is not CommentStatus.APPROVED:  # held: the article would not show it yet
        _ = _gettext(fields)
        heading, detail = (
            _("Your comment awaits moderation"),
            _("It appears under the article once a moderator approves it."),
        )
        return notice_page(negotiate(fields.get("lang")), 200, heading, detail, back_link(fields), form_hint=False)
    if posted.thread.url is None:  # an imported thread may lack its address
        _ = _gettext(fields)
        heading = _("Your comment was posted.")
        return notice_page(negotiate(fields.get("lang")), 200, heading, heading, back_link(fields))
    target = f"{posted.thread.url}#pnyx-comment-{posted.comment.id}"
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


@router.post("/embed/subscriptions")
async def follow_form(request: Request, services: ServicesDep, reader: ReaderDep) -> Response:
    """Subscribe to a thread from the footer's form; a page says to look for the confirmation mail, or why not."""
    fields: dict[str, str] = {}
    try:
        fields = await form_fields(request)
        outcome = await subscription_service.subscribe(services, thread_ref(fields), follow_wish(fields), reader)
    except PnyxError as exc:
        _ = _gettext(fields)
        return _refused(fields, exc, _("You were not subscribed"))
    _ = _gettext(fields)
    if outcome == "subscribed":
        heading, detail = _("Subscribed"), _("You will be notified by e-mail.")
    else:
        heading = _("Check your inbox")
        detail = _("We sent a link to confirm your e-mail address; mails about new comments follow once you open it.")
    return notice_page(negotiate(fields.get("lang")), 200, heading, detail, back_link(fields), form_hint=False)
