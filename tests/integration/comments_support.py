"""Helpers shared by the test_comments_* files: the error shape, a guard against 5xx, raw requests."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response

from tests.factories import ORIGIN, Api, Reader

COMMENTS = "/api/v1/comments"


async def _refuse_server_error(response: Response) -> None:
    request = response.request
    assert response.status_code < 500, f"{request.method} {request.url} answered {response.status_code}"


def forbid_server_errors(client: AsyncClient) -> None:
    """Make every later call on ``client`` fail the test when the server answers 5xx."""
    hooks = client.event_hooks
    client.event_hooks = {**hooks, "response": [*hooks["response"], _refuse_server_error]}


def assert_error(response: Response, status: int, code: str | None = None) -> str:
    """The response is ``{"error", "detail"}`` with this status (and code); returns the detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    assert body["error"] and isinstance(body["error"], str)
    if code is not None:
        assert body["error"] == code, body
    detail: str = body["detail"]
    assert len(detail.split()) >= 3 and detail.rstrip()[-1] in ".!?", f"not a sentence: {detail!r}"
    return detail


async def post_raw(
    api: Api, payload: dict[str, Any], reader: Reader | None = None, origin: str | None = ORIGIN
) -> Response:
    """POST /api/v1/comments with exactly this payload (no site or key filled in)."""
    headers = (reader or Reader()).headers(origin)
    response = await api.client.post(COMMENTS, json=payload, headers=headers)
    return reader.keep_token(response) if reader else response


async def edit(api: Api, reader: Reader, comment_id: int | str, body: str) -> Response:
    """PATCH one comment's body as ``reader``."""
    return await api.client.patch(f"{COMMENTS}/{comment_id}", json={"body": body}, headers=reader.headers())


async def delete(api: Api, reader: Reader, comment_id: int | str) -> Response:
    """DELETE one comment as ``reader``."""
    return await api.client.delete(f"{COMMENTS}/{comment_id}", headers=reader.headers())


def flatten(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every comment of a page, replies included, depth first."""
    found: list[dict[str, Any]] = []
    for comment in comments:
        found.append(comment)
        found.extend(flatten(comment["replies"]))
    return found
