"""/api/v1/threads/vote, /api/v1/counts and /api/v1/me: article points, counts, and a reader's own state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field
from starlette.responses import Response

from pnyx.services import reading
from pnyx.services import votes as vote_service
from pnyx.services.threads import ThreadRef
from pnyx.web.api.comments import Strict, VoteValue, tally_view
from pnyx.web.deps import ReaderDep, ServicesDep
from pnyx.web.responses import JSON

router = APIRouter(prefix="/api/v1", tags=["threads"])


class ThreadVoteBody(Strict):
    site: str
    key: str
    url: str | None = Field(None, description="The article URL; required when the thread does not exist yet.")
    title: str | None = None
    value: VoteValue


@router.put("/threads/vote")
async def vote_thread(body: ThreadVoteBody, services: ServicesDep, reader: ReaderDep) -> Response:
    """The reader's answer to "What do you think?": the article's points after the vote."""
    ref = ThreadRef(body.site, body.key, body.url, body.title)
    tally = await vote_service.vote_thread(services, ref, body.value, reader)
    return JSON(tally_view(tally))


@router.get("/counts")
async def counts(
    services: ServicesDep,
    site: str,
    key: Annotated[list[str], Query(description="Up to 100 thread keys or article URLs.")],
) -> Response:
    """Comment counts of many articles in one call (for listing pages)."""
    return JSON({"counts": await reading.comment_counts(services, site, key)})


@router.get("/me")
async def me(services: ServicesDep, reader: ReaderDep, site: str, key: str) -> Response:
    """This reader's votes, points vote, own, editable and own hidden comments on one thread, and replies feed."""
    state = await reading.reader_state(services, site, key, reader.identity_id)
    return JSON(
        {
            "identity_id": state.identity_id,
            "votes": {str(comment_id): value for comment_id, value in state.votes.items()},
            "points_vote": state.points_vote,
            "editable": [{"id": item.comment_id, "until": item.until, "body": item.body} for item in state.editable],
            "own": state.own,
            "replies_feed": state.replies_feed,
            "email_verified": state.email_verified,
            "own_hidden": [
                {
                    "id": item.comment_id,
                    "parent_id": item.parent_id,
                    "created_at": item.created_at,
                    "html": item.html,
                    "status": item.status,
                    "note": item.note,
                }
                for item in state.own_hidden
            ],
        },
        headers={"Cache-Control": "private, no-store"},
    )
