"""The report threshold: enough distinct reporters hide a comment until a moderator reviews it."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response

from pnyx.domain.models import CommentStatus
from pnyx.domain.policy import Policy
from pnyx.services import moderation, queues
from pnyx.services.container import Services
from tests.factories import Api, Reader
from tests.integration.comments_support import assert_error, forbid_server_errors
from tests.integration.moderation_support import (
    audit_rows,
    comment,
    moderator_of,
    post_as,
    public_ids,
    set_policy,
    thread,
)


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


async def _report(api: Api, reader: Reader, comment_id: int, reason: str = "abuse", **body: Any) -> Response:
    payload = {"reason": reason, **body}
    response = await api.client.post(f"/api/v1/comments/{comment_id}/report", json=payload, headers=reader.headers())
    return reader.keep_token(response)


async def _reported_by(api: Api, comment_id: int, *reasons: str) -> None:
    for reason in reasons:
        assert (await _report(api, Reader(), comment_id, reason)).status_code == 201


async def test_the_threshold_of_distinct_reporters_hides_and_restore_brings_back(api: Api, services: Services) -> None:
    await set_policy(api, Policy(report_threshold=3))
    key = api.article()
    target = await post_as(api, Reader(), key, "Contested opinion.")
    count = (await thread(services, target.thread_id)).comment_count
    first = Reader()
    await _reported_by(api, target.id, "abuse")
    assert (await _report(api, first, target.id)).status_code == 201
    assert_error(await _report(api, first, target.id), 409, "conflict")
    assert (await comment(services, target.id)).report_count == 2, "the same reader twice counts once"
    assert target.id in await public_ids(api, key)

    await _reported_by(api, target.id, "spam")
    hidden = await comment(services, target.id)
    assert (hidden.status, hidden.held_reason, hidden.report_count) == (CommentStatus.PENDING, "reports", 3)
    assert target.id not in await public_ids(api, key)
    assert (await thread(services, target.thread_id)).comment_count == count - 1
    assert_error(await _report(api, Reader(), target.id), 409, "conflict")
    [row] = await audit_rows(services, "comment", target.id)
    assert (row.action, row.actor, row.detail) == ("hide", "report threshold", {"reports": 3, "threshold": 3})

    actor = await moderator_of(api)
    page = await queues.queue(services, actor, "reported", queues.QueueFilter(), None, 10)
    [item] = [item for item in page.items if item.comment.id == target.id]
    assert item.reasons == {"abuse": 2, "spam": 1} and item.comment.report_count == 3
    pending = await queues.queue(services, actor, "pending", queues.QueueFilter(), None, 10)
    assert target.id not in [item.comment.id for item in pending.items], "reported, not pending"

    await moderation.restore(services, actor, [target.id])
    back = await comment(services, target.id)
    assert (back.status, back.held_reason, back.report_count) == (CommentStatus.APPROVED, None, 0)
    assert target.id in await public_ids(api, key)
    assert (await thread(services, target.thread_id)).comment_count == count
    assert (await queues.queue(services, actor, "reported", queues.QueueFilter(), None, 10)).items == []
    await _reported_by(api, target.id, "other")
    assert (await comment(services, target.id)).status is CommentStatus.APPROVED, "the count starts again"


async def test_the_site_default_is_three_and_zero_never_hides(api: Api, services: Services) -> None:
    key = api.article()
    default = await post_as(api, Reader(), key, "Under the default.")
    await _reported_by(api, default.id, "spam", "spam")
    assert (await comment(services, default.id)).status is CommentStatus.APPROVED
    await _reported_by(api, default.id, "spam")
    assert (await comment(services, default.id)).status is CommentStatus.PENDING

    await set_policy(api, Policy(report_threshold=0))
    never = await post_as(api, Reader(), key, "Never hidden.")
    await _reported_by(api, never.id, *["abuse"] * 5)
    stored = await comment(services, never.id)
    assert stored.status is CommentStatus.APPROVED and stored.report_count == 5


async def test_a_threshold_of_one_hides_at_the_first_report_and_hidden_comments_take_no_more(
    api: Api, services: Services
) -> None:
    await set_policy(api, Policy(report_threshold=1))
    target = await post_as(api, Reader(), api.article(), "Fragile.")
    await _reported_by(api, target.id, "misinformation")
    assert (await comment(services, target.id)).held_reason == "reports"
    detail = assert_error(await _report(api, Reader(), target.id), 409, "conflict")
    assert "hidden" in detail
    assert (await comment(services, target.id)).report_count == 1


async def test_only_a_public_comment_is_hidden_by_reports(api: Api, services: Services) -> None:
    await set_policy(api, Policy(report_threshold=1))
    target = await post_as(api, Reader(), api.article(), "Rejected already.")
    await moderation.reject(services, await moderator_of(api), [target.id])
    count = (await thread(services, target.thread_id)).comment_count
    await _reported_by(api, target.id, "abuse")
    stored = await comment(services, target.id)
    assert (stored.status, stored.held_reason, stored.report_count) == (CommentStatus.REJECTED, None, 1)
    assert (await thread(services, target.thread_id)).comment_count == count
