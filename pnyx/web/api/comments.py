"""/api/v1/comments: read a thread, post, edit, delete, and vote on comments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from starlette.responses import Response

from pnyx.domain.anchoring import Anchor
from pnyx.domain.models import MAX_ID, Comment, CommentStatus, Sort
from pnyx.services import comments as comment_service
from pnyx.services import reading
from pnyx.services import votes as vote_service
from pnyx.services.threads import ThreadRef
from pnyx.services.tokens import TokenSigner
from pnyx.web.api.views import anchor_view, comment_view, node_view, thread_view
from pnyx.web.deps import ReaderDep, ServicesDep
from pnyx.web.params import KeyParam, SiteParam
from pnyx.web.responses import JSON, with_etag

router = APIRouter(prefix="/api/v1/comments", tags=["comments"])


def _not_bool(value: Any) -> Any:
    # JSON true would otherwise pass as 1: a vote must be a number.
    if isinstance(value, bool):
        raise ValueError("must be 1, -1 or 0")
    return value


VoteValue = Annotated[
    Literal[1, -1, 0], BeforeValidator(_not_bool), Field(description="1 upvote, -1 downvote, 0 withdraw.")
]
CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The comment's id.")]
AnchorParam = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only the comments on this anchor (an inline panel).")
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _encodable(cls, value: object) -> object:
        # JSON can escape half a UTF-16 pair ("\ud800"): no database or encoder can store that string.
        if isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError as exc:
                raise ValueError("the text contains an unpaired surrogate, which is not a character") from exc
        return value


class PostBody(Strict):
    site: str = Field(description="The site's slug.")
    key: str = Field(description="The thread: an explicit id or the article URL.")
    url: str | None = Field(None, description="The article URL; required for the first comment of an explicit key.")
    title: str | None = Field(None, description="The article title, stored with a new thread.")
    parent_id: int | None = Field(None, ge=1, le=MAX_ID, description="The comment this one answers.")
    body: str = Field(description="Markdown text.")
    author_name: str | None = None
    author_email: str | None = Field(None, description="Never shown publicly.")
    website: str | None = Field(None, description="An http or https address.")
    notify: Literal["none", "replies", "followups"] = Field(
        "none",
        description="“Notify of”: `replies` to this comment or all `followups` in the thread, by e-mail; needs "
        "`author_email` unless the reader's address is verified. The address is confirmed first.",
    )
    anchor: dict[str, Any] | None = Field(
        None,
        description='What the comment is about: `{"kind": "publisher", "id": "ID", "question"?: "..."}` or '
        '`{"kind": "reader", "selector": [W3C TextQuoteSelector, TextPositionSelector?]}`. Not with `parent_id`.',
    )
    homepage: str | None = Field(
        None, description="The honeypot: a field people never see and leave empty; a post that fills it is refused."
    )


class EditBody(Strict):
    body: str


class VoteBody(Strict):
    value: VoteValue


@router.get("")
async def list_comments(
    request: Request,
    services: ServicesDep,
    site: SiteParam,
    key: KeyParam,
    sort: Sort = Sort.BEST,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    view: Annotated[Literal["page", "all"], Query(description="`all`: the whole thread up to the cap.")] = "page",
    anchor: AnchorParam = None,
) -> Response:
    """A page of top-level comments with replies nested, newest state of the thread, and the next cursor."""
    page = await reading.list_comments(
        services, reading.PageRequest(site, key, sort, cursor, limit, view_all=view == "all", anchor=anchor)
    )
    payload = {
        "thread": thread_view(page.thread) if page.thread else None,
        "comments": [node_view(node, services.tokens, page.anchors) for node in page.nodes],
        "next_cursor": page.next_cursor,
        "total": page.thread.comment_count if page.thread else 0,
        "sort": page.sort.value,
    }
    if anchor is not None:
        focus = page.focus
        payload["anchor"] = {**anchor_view(focus.anchor), "count": focus.count} if focus else None
    return with_etag(request, JSON(payload))


@router.post("", status_code=201)
async def post_comment(body: PostBody, services: ServicesDep, reader: ReaderDep) -> Response:
    """Post a comment or a reply; a reader without a token gets one back as ``identity_token``."""
    post = comment_service.NewPost(
        thread=ThreadRef(body.site, body.key, body.url, body.title),
        body=body.body,
        parent_id=body.parent_id,
        author_name=body.author_name,
        author_email=body.author_email,
        website=body.website,
        anchor=body.anchor,
        notify=body.notify,
        homepage=body.homepage,
    )
    posted = await comment_service.post_comment(services, post, reader)
    payload: dict[str, Any] = {
        "comment": own_comment_view(posted.comment, services.tokens, posted.anchor),
        "held": posted.comment.status is not CommentStatus.APPROVED,
        "thread": thread_view(posted.thread),
        "subscription": posted.subscription,
    }
    if posted.new_token:
        payload["identity_token"] = posted.new_token
    return JSON(payload, status_code=201)


@router.patch("/{comment_id}")
async def edit_comment(comment_id: CommentId, body: EditBody, services: ServicesDep, reader: ReaderDep) -> Response:
    """Change the text of one's own comment within the edit window."""
    edited = await comment_service.edit_comment(services, comment_id, body.body, reader)
    held = edited.comment.status is not CommentStatus.APPROVED
    return JSON({"comment": own_comment_view(edited.comment, services.tokens, edited.anchor), "held": held})


@router.delete("/{comment_id}", status_code=204)
async def delete_comment(comment_id: CommentId, services: ServicesDep, reader: ReaderDep) -> Response:
    """Delete one's own comment within the edit window; replies stay."""
    await comment_service.delete_comment(services, comment_id, reader)
    return Response(status_code=204)


@router.put("/{comment_id}/vote")
async def vote_comment(comment_id: CommentId, body: VoteBody, services: ServicesDep, reader: ReaderDep) -> Response:
    """Upvote (1), downvote (-1) or withdraw (0) the reader's vote on a comment."""
    tally = await vote_service.vote_comment(services, comment_id, body.value, reader)
    return JSON(tally_view(tally))


def own_comment_view(comment: Comment, tokens: TokenSigner, anchor: Anchor | None) -> dict[str, Any]:
    """A comment as its author is shown it after writing: held for spam looks like any held comment."""
    view = comment_view(comment, tokens, anchor)
    if comment.status is CommentStatus.SPAM:
        view["status"] = CommentStatus.PENDING.value
    return view


def tally_view(tally: vote_service.Tally) -> dict[str, object]:
    """Counters after a vote, plus a token when the voter was new."""
    view: dict[str, object] = {"up": tally.up, "down": tally.down, "points": tally.points, "value": tally.value}
    if tally.new_token:
        view["identity_token"] = tally.new_token
    return view
