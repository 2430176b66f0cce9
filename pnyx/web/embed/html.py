"""HTML answers of the embed routes: fragments, their error form, and pnyx's own small pages.

Fragment routes use ``FragmentRoute``: a refusal (unknown site, bad cursor, missing parameter)
answers a fragment with the server's sentence instead of JSON, so a page that includes the thread
(by embed.js or by a server-side include) shows the reader why there is nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from pnyx.errors import PnyxError, RateLimited
from pnyx.i18n import negotiate
from pnyx.web.errors import validation_sentence
from pnyx.web.templating import render

# pnyx's own pages load nothing and may not be framed or submit anywhere.
PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def fragment(language: str, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A rendered fragment (no <html> wrapper)."""
    return HTMLResponse(render(language, f"embed/{template}", **context), status_code=status)


def error_fragment(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """The thread's place on the page when pnyx refuses the request."""
    language = negotiate(request.query_params.get("lang"))
    response = fragment(language, "error.html", status, detail=detail)
    response.headers.update({"Cache-Control": "no-store", **(headers or {})})
    return response


def notice_page(
    language: str, status: int, heading: str, detail: str, back: str | None, *, form_hint: bool = True
) -> Response:
    """A small page of pnyx's own, with a link back to the article (or, after a form post, how to get back)."""
    body = render(language, "embed/notice.html", heading=heading, detail=detail, back=back, form_hint=form_hint)
    headers = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"}
    return HTMLResponse(body, status_code=status, headers=headers)


def retry_headers(exc: PnyxError) -> dict[str, str]:
    """``Retry-After`` for a rate-limited request, nothing otherwise."""
    return {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}


class FragmentRoute(APIRoute):
    """A route whose refusals answer as an HTML error fragment rather than JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except PnyxError as exc:
                return error_fragment(request, exc.status, exc.detail, retry_headers(exc))
            except RequestValidationError as exc:
                status, _code, detail = validation_sentence(exc)
                return error_fragment(request, status, detail)

        return handle
