"""Mapping errors to ``{"error", "detail"}`` responses, by type, never by message text."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from pnyx.errors import PnyxError, RateLimited
from pnyx.web.responses import JSON, error_body

log = logging.getLogger("pnyx.web")

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 400: "bad_request"}


def _field(loc: tuple[object, ...]) -> str:
    # Only the first element names where the value was (a field may itself be called "body").
    where = loc[1:] if loc[:1] in (("body",), ("query",), ("path",), ("header",)) else loc
    return ".".join(str(part) for part in where) or "request"


def validation_sentence(exc: RequestValidationError) -> tuple[int, str, str]:
    """Status, code and a sentence for the first problem pydantic found."""
    first = exc.errors()[0]
    if first.get("type") == "json_invalid":
        return 400, "invalid_json", 'The request body is not valid JSON; send an object like {"body": "..."}.'
    if first.get("type") == "missing" and tuple(first.get("loc", ())) == ("body",):
        return 422, "invalid", "The request needs a JSON object as its body."
    field = _field(tuple(first.get("loc", ())))
    message = str(first.get("msg", "is not valid")).rstrip(".")
    return 422, "invalid", f"{field}: {message}."


async def _pnyx_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PnyxError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return JSON(error_body(exc.code, exc.detail), status_code=exc.status, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    status, code, detail = validation_sentence(exc)
    return JSON(error_body(code, detail), status_code=status)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    detail = (
        exc.detail if isinstance(exc.detail, str) and exc.detail[-1:] == "." else _default_sentence(exc.status_code)
    )
    return JSON(error_body(code, detail), status_code=exc.status_code, headers=exc.headers)


def _default_sentence(status: int) -> str:
    if status == 404:
        return "There is nothing at this address; see /api/docs for the API."
    if status == 405:
        return "This address does not accept that method; see /api/docs for the API."
    return "The request could not be handled."


async def _unexpected(_request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return JSON(error_body("internal", "Something went wrong on the server; it has been logged."), status_code=500)


def install(app: FastAPI) -> None:
    """Register every error handler on the app."""
    app.add_exception_handler(PnyxError, _pnyx_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
