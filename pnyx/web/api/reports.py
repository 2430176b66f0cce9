"""/api/v1/comments/{id}/report: a reader flags a comment for the moderators."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field
from starlette.responses import Response

from pnyx.domain.models import ReportReason
from pnyx.services import reports as report_service
from pnyx.web.api.comments import CommentId, Strict
from pnyx.web.deps import ReaderDep, ServicesDep
from pnyx.web.responses import JSON

router = APIRouter(prefix="/api/v1/comments", tags=["reports"])


class ReportBody(Strict):
    reason: ReportReason = Field(description="Why the comment should be reviewed.")
    detail: str | None = Field(None, description="Optional words for the moderators (at most 1,000 characters).")


@router.post("/{comment_id}/report", status_code=201)
async def report_comment(comment_id: CommentId, body: ReportBody, services: ServicesDep, reader: ReaderDep) -> Response:
    """Report a comment once; the moderators review it."""
    filed = await report_service.report_comment(services, comment_id, body.reason, body.detail, reader)
    payload = {"status": "received"}
    if filed.new_token:
        payload["identity_token"] = filed.new_token
    return JSON(payload, status_code=201)
