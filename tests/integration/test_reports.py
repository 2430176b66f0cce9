"""Reports: one per reader per comment, refused on one's own comment, stored for the moderation queue."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select

from pnyx.store.tables import report
from tests.factories import Api, Reader
from tests.integration.comments_support import assert_error, forbid_server_errors


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


async def _report(api: Api, reader: Reader, comment_id: int, **body: Any) -> Response:
    payload = {"reason": "spam", **body}
    response = await api.client.post(f"/api/v1/comments/{comment_id}/report", json=payload, headers=reader.headers())
    return reader.keep_token(response)


async def _rows(api: Api, comment_id: int) -> list[tuple[str, str | None]]:
    async with api.services.db.read() as conn:
        query = select(report.c.reason, report.c.detail).where(report.c.comment_id == comment_id)
        return [(row.reason, row.detail) for row in await conn.execute(query.order_by(report.c.id))]


async def test_a_reader_reports_a_comment_once(api: Api) -> None:
    comment = await api.post_ok(Reader(), api.article(), "Buy cheap watches at my shop")
    reporter = Reader()
    first = await _report(api, reporter, comment["id"], detail="  Advertising, again. ")
    assert first.status_code == 201 and first.json()["status"] == "received"
    assert reporter.token, "a new reader's first report mints their identity"
    assert_error(await _report(api, reporter, comment["id"], reason="abuse"), 409, "conflict")
    assert (await _report(api, Reader(), comment["id"], reason="off_topic")).status_code == 201
    assert await _rows(api, comment["id"]) == [("spam", "Advertising, again."), ("off_topic", None)]


async def test_own_deleted_and_unknown_comments_cannot_be_reported(api: Api) -> None:
    author = Reader()
    comment = await api.post_ok(author, api.article())
    assert_error(await _report(api, author, comment["id"]), 403, "forbidden")
    response = await api.client.delete(f"/api/v1/comments/{comment['id']}", headers=author.headers())
    assert response.status_code == 204
    assert_error(await _report(api, Reader(), comment["id"]), 404, "not_found")
    assert_error(await _report(api, Reader(), 2_000_000_000), 404, "not_found")


@pytest.mark.parametrize(
    "body", [{"reason": "boring"}, {"reason": None}, {"detail": "x" * 1001}, {"reason": "spam", "extra": 1}]
)
async def test_bad_reports_are_refused_with_a_sentence(api: Api, body: dict[str, Any]) -> None:
    comment = await api.post_ok(Reader(), api.article())
    assert_error(await _report(api, Reader(), comment["id"], **body), 422, "invalid")
    assert await _rows(api, comment["id"]) == []


async def test_a_report_from_a_foreign_page_is_refused(api: Api) -> None:
    comment = await api.post_ok(Reader(), api.article())
    response = await api.client.post(
        f"/api/v1/comments/{comment['id']}/report", json={"reason": "spam"}, headers={"Origin": "https://evil.example"}
    )
    assert_error(response, 403, "origin_not_allowed")


async def test_me_carries_the_source_of_editable_comments(api: Api) -> None:
    author, key = Reader(), api.article()
    comment = await api.post_ok(author, key, "Some *Markdown* here")
    state = await api.me(author, key)
    assert state["editable"] == [
        {"id": comment["id"], "until": state["editable"][0]["until"], "body": "Some *Markdown* here"}
    ]
    assert state["own"] == [comment["id"]]
    assert (await api.me(Reader(), key))["own"] == []
