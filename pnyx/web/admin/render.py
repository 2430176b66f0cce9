"""Console pages: a template rendered inside ``admin/base.html``, with the console's security headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from pnyx.web.templating import render

if TYPE_CHECKING:
    from pnyx.web.admin.session import AdminSession

# The console is for staff and stays in English; what readers see is what gets translated.
LANGUAGE = "en"
# Scripts and styles only from pnyx itself (no inline code), no framing, forms post only back here.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}
HEADINGS = {
    400: "The request could not be read",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    409: "That cannot be done now",
    413: "Too large",
    422: "Please check what you entered",
    429: "Too many attempts",
}


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    admin_only: bool = False


NAV = (
    NavItem("Dashboard", "/admin"),
    NavItem("Pending", "/admin/queue/pending"),
    NavItem("Reported", "/admin/queue/reported"),
    NavItem("Spam", "/admin/queue/spam"),
    NavItem("All", "/admin/queue/all"),
    NavItem("Bans", "/admin/bans"),
    NavItem("Audit log", "/admin/audit", admin_only=True),
    NavItem("Account", "/admin/account"),
)


def admin_page(
    request: Request, session: AdminSession | None, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``templates/admin/<template>``; ``csrf`` is the session's token unless the context names one."""
    context.setdefault("csrf", session.csrf if session else "")
    body = render(LANGUAGE, f"admin/{template}", session=session, path=request.url.path, nav=NAV, **context)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def admin_error(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    """A console page saying why the request was refused, with the navigation when someone is signed in."""
    session: AdminSession | None = getattr(request.state, "admin_session", None)
    heading = HEADINGS.get(status, "Something went wrong")
    response = admin_page(request, session, "error.html", status, heading=heading, detail=detail)
    response.headers.update(headers or {})
    return response
