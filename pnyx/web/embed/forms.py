"""POST /embed/comments: the fragment's comment form posted without JavaScript (or through a server-side include).

It calls the same service as the JSON API. A stored comment answers 303 to the article at the new
comment; a refusal answers a small page of pnyx's own with the server's sentence and a link back.
The body is parsed here rather than by a form library: the only encoding browsers use for this
form is ``application/x-www-form-urlencoded``, and the request size is already capped.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from pnyx.domain.models import MAX_ID
from pnyx.domain.urls import is_url, origin_of
from pnyx.errors import BadRequest, Invalid, PnyxError
from pnyx.i18n import negotiate, translations
from pnyx.services import comments as comment_service
from pnyx.services.threads import ThreadRef
from pnyx.web.deps import ReaderDep, ServicesDep
from pnyx.web.embed.html import FragmentRoute, notice_page, retry_headers

router = APIRouter(route_class=FragmentRoute, tags=["embed"])

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 20


async def form_fields(request: Request) -> dict[str, str]:
    """The posted fields (the first value of each name); refuses other encodings and undecodable text."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise BadRequest(f"Send the comment form as {FORM_TYPE}, as a browser does.")
    try:
        text = (await request.body()).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("The form could not be read; please send it again from the article page.") from exc
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


def _parent_id(value: str) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise Invalid("The form names no comment to reply to; please reload the article and try again.")
    return int(value)


def new_post(fields: dict[str, str]) -> comment_service.NewPost:
    """The comment a form describes; empty optional fields count as absent."""
    site, key = fields.get("site", ""), fields.get("key", "")
    if not site or not key:
        raise BadRequest("The form does not name its site and article; please send it from the article page.")
    return comment_service.NewPost(
        thread=ThreadRef(site, key, fields.get("url") or None, fields.get("title") or None),
        body=fields.get("body", ""),
        parent_id=_parent_id(fields.get("parent_id", "")),
        author_name=fields.get("author_name") or None,
        author_email=fields.get("author_email") or None,
        website=fields.get("website") or None,
    )


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


@router.post("/embed/comments")
async def post_form(request: Request, services: ServicesDep, reader: ReaderDep) -> Response:
    """Store a comment sent by the fragment's form; 303 to the article at the comment, or a page saying why not."""
    fields: dict[str, str] = {}
    try:
        fields = await form_fields(request)
        posted = await comment_service.post_comment(services, new_post(fields), reader)
    except PnyxError as exc:
        language = negotiate(fields.get("lang"))
        heading = translations(language).gettext("Your comment was not posted")
        response = notice_page(language, exc.status, heading, exc.detail, back_link(fields))
        response.headers.update(retry_headers(exc))
        return response
    if posted.thread.url is None:  # an imported thread may lack its address
        language = negotiate(fields.get("lang"))
        heading = translations(language).gettext("Your comment was posted.")
        return notice_page(language, 200, heading, heading, back_link(fields))
    target = f"{posted.thread.url}#pnyx-comment-{posted.comment.id}"
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
