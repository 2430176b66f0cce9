"""The console's moderation pages: the dashboard, the queues, one comment, bans, the audit log, and their forms.

Every form posts back here and answers with a redirect to the page it came from, which names what was
done in ``?done=<action>&n=<count>``; the page turns that into a sentence from a fixed table, so a link
cannot make the console say anything else. admin.js posts the same forms with ``Accept: application/json``
and gets ``{"message", "comments"}`` (or ``{"error", "detail"}``) instead, to stay on the page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import Query, Request
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from pnyx.domain.charts import svg
from pnyx.domain.models import MAX_ID, Comment
from pnyx.errors import Invalid, NotFound, PnyxError
from pnyx.services import banning, dashboard, moderation
from pnyx.services.container import Services
from pnyx.services.moderation import Actor
from pnyx.services.queues import QUEUES, QueueFilter
from pnyx.web.admin.render import admin_page
from pnyx.web.admin.session import (
    AdminOnlyDep,
    AdminSession,
    OptionalSiteDep,
    SessionDep,
    admin_form,
    admin_form_values,
    admin_router,
    safe_next,
)
from pnyx.web.deps import ServicesDep
from pnyx.web.responses import JSON, error_body

router = admin_router()

PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100
DURATIONS: dict[str, timedelta | None] = {
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "365d": timedelta(days=365),
    "forever": None,
}
DEFAULT_DURATION = "30d"
BAN_KINDS = {"ban_identity": "identity", "ban_email": "email", "ban_ip": "ip_hash"}
# What each action did, as the notice after it says; ``{n}`` counts, ``{noun}`` agrees with it.
SENTENCES: dict[str, tuple[str, str, str]] = {
    "approve": ("Approved {n} {noun}.", "comment", "comments"),
    "reject": ("Rejected {n} {noun}.", "comment", "comments"),
    "spam": ("Marked {n} {noun} as spam.", "comment", "comments"),
    "delete": ("Deleted {n} {noun}.", "comment", "comments"),
    "restore": ("Restored {n} {noun}.", "comment", "comments"),
    "pin": ("Pinned {n} {noun}.", "comment", "comments"),
    "unpin": ("Unpinned {n} {noun}.", "comment", "comments"),
    "feature": ("Marked {n} {noun} as Featured.", "comment", "comments"),
    "unfeature": ("Took the Featured mark off {n} {noun}.", "comment", "comments"),
    "shadow_ban": ("Shadow-banned {n} {noun}: only they see what they write.", "reader", "readers"),
    "lift_shadow_ban": ("Lifted the shadow-ban of {n} {noun}.", "reader", "readers"),
    "ban_identity": ("Banned {n} {noun}.", "reader", "readers"),
    "ban_email": ("Banned {n} e-mail {noun}.", "address", "addresses"),
    "ban_ip": ("Banned {n} address {noun}.", "hash", "hashes"),
    "edit": ("Saved your edit; readers see it marked “edited by moderator”.", "", ""),
    "close": ("Closed the thread to new comments.", "", ""),
    "reopen": ("Reopened the thread to new comments.", "", ""),
    "lift": ("Lifted the ban.", "", ""),
}
NOTHING = "Nothing changed: those comments already were that way."
DoneParam = Annotated[str | None, Query(max_length=40)]
CountParam = Annotated[int, Query(ge=0, le=10_000)]
TextParam = Annotated[str | None, Query(max_length=254)]
# Text, not a date: the search form sends its empty date fields as empty strings.
DayParam = Annotated[str | None, Query(max_length=40)]


def actor_of(session: AdminSession) -> Actor:
    """The moderation services' view of a console session: admins act on every site."""
    sites = None if session.is_admin else session.sites
    return Actor(session.moderator_id, session.email, sites, admin=session.is_admin)


def sentence(action: str | None, count: int) -> str | None:
    """The notice after ``action`` changed ``count`` things; None for an action this table does not know."""
    found = SENTENCES.get(action or "")
    if found is None:
        return None
    template, one, many = found
    if count == 0 and "{n}" in template:
        return NOTHING
    return template.format(n=count, noun=one if count == 1 else many)


def with_query(target: str, **params: str) -> str:
    """``target`` with these query parameters set, replacing earlier values; ``done`` notices never carry over."""
    parts = urlsplit(target)
    dropped = {"done", "n", *params}
    kept = [(name, value) for name, value in parse_qsl(parts.query) if name not in dropped]
    return urlunsplit(parts._replace(query=urlencode([*kept, *params.items()])))


def with_done(target: str, action: str, count: int) -> str:
    """``target`` saying that ``action`` changed ``count`` things."""
    return with_query(target, done=action, n=str(count))


def wants_json(request: Request) -> bool:
    """Whether admin.js sent the form (it asks for JSON), rather than a browser without scripts."""
    return "application/json" in request.headers.get("accept", "")


def day(value: str | None, label: str) -> date | None:
    """A day from the search form (YYYY-MM-DD), None when the field was left empty."""
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{label}: {value[:40]!r} is not a day; give one like 2025-03-14.") from None


def _ids(values: list[str]) -> list[int]:
    ids: list[int] = []
    for value in values:
        if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID):
            raise Invalid(f"{value[:20]!r} is not a comment number.")
        ids.append(int(value))
    return ids


@dataclass(frozen=True, slots=True)
class ActionForm:
    """A posted moderation form: the action, the comments it is for, and the options a ban or a log entry takes."""

    action: str
    ids: list[int]
    reason: str | None
    duration: str
    all_sites: bool
    reject_comments: bool


async def parse_action(request: Request) -> ActionForm:
    """The action form: a per-comment button (``one`` = ``action:id``) wins over the ticked boxes."""
    form = await admin_form(request)
    one = form.get("one", "")
    if one:
        action, _, single = one.partition(":")
        ids = _ids([single])
    else:
        action = form.get("more", "") if form.get("action") == "more" else form.get("action", "")
        ids = _ids(await admin_form_values(request, "ids"))
    if not ids:
        raise Invalid("Select at least one comment first.")
    return ActionForm(
        action=action,
        ids=ids,
        reason=form.get("reason") or None,
        duration=form.get("duration", DEFAULT_DURATION),
        all_sites=form.get("all_sites") == "on",
        reject_comments=form.get("reject_comments") == "on",
    )


@dataclass(frozen=True, slots=True)
class Done:
    """What an action changed: how many things (comments, readers, bans) and the comments as they now stand."""

    action: str
    count: int
    comments: tuple[Comment, ...] = ()


Handler = Callable[[Services, Actor, ActionForm], Awaitable[Done]]
Review = Callable[..., Awaitable[moderation.Moderated]]


def _review(use_case: Review, *, readers: bool = False, **options: Any) -> Handler:
    """A handler for a use case on comments; ``readers``: it acts on their authors, and counts those."""

    async def run(services: Services, actor: Actor, form: ActionForm) -> Done:
        done = await use_case(services, actor, form.ids, reason=form.reason, **options)
        count = len(done.identities) if readers else len(done.changed)
        return Done(form.action, count, done.changed)

    return run


def _ban(kind: str) -> Handler:
    async def run(services: Services, actor: Actor, form: ActionForm) -> Done:
        if form.duration not in DURATIONS:
            raise Invalid("Choose how long the ban lasts from the list.")
        length = DURATIONS[form.duration]
        expires_at = None if length is None else services.clock() + length
        banned = await banning.ban(
            services,
            actor,
            form.ids,
            kind,
            expires_at=expires_at,
            all_sites=form.all_sites,
            reject_comments=form.reject_comments,
            reason=form.reason,
        )
        return Done(form.action, len(banned.bans), banned.rejected)

    return run


HANDLERS: dict[str, Handler] = {
    "approve": _review(moderation.approve),
    "reject": _review(moderation.reject),
    "spam": _review(moderation.mark_spam),
    "delete": _review(moderation.delete),
    "restore": _review(moderation.restore),
    "pin": _review(moderation.pin, pinned=True),
    "unpin": _review(moderation.pin, pinned=False),
    "feature": _review(moderation.feature, featured=True),
    "unfeature": _review(moderation.feature, featured=False),
    "shadow_ban": _review(banning.shadow_ban, readers=True),
    "lift_shadow_ban": _review(banning.lift_shadow_ban, readers=True),
    **{action: _ban(kind) for action, kind in BAN_KINDS.items()},
}


def _comment_state(comment: Comment) -> dict[str, Any]:
    return {"id": comment.id, "status": comment.status.value, "reports": comment.report_count}


async def _answer(request: Request, work: Awaitable[Done], target: str) -> Response:
    """Run ``work``; a redirect to ``target`` saying what it did, or JSON for admin.js."""
    if not wants_json(request):
        done = await work
        return RedirectResponse(with_done(target, done.action, done.count), status_code=303)
    try:
        done = await work
    except PnyxError as exc:
        return JSON(error_body(exc.code, exc.detail), status_code=exc.status)
    comments = [_comment_state(comment) for comment in done.comments]
    return JSON({"message": sentence(done.action, done.count), "count": done.count, "comments": comments})


@router.post("/admin/actions")
async def act(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """One action on one or many comments, from a queue or a comment's page."""
    target = safe_next((await admin_form(request)).get("next"))

    async def work() -> Done:
        form = await parse_action(request)
        handler = HANDLERS.get(form.action)
        if handler is None:
            raise Invalid(f"The console has no action {form.action[:40]!r}.")
        return await handler(services, actor_of(session), form)

    return await _answer(request, work(), target)


@router.get("/admin")
async def dashboard_page(
    request: Request, services: ServicesDep, session: SessionDep, site: OptionalSiteDep = None
) -> Response:
    """Activity of the last 30 days as a chart and a table, the week's busiest threads, the queue sizes."""
    found = await dashboard.overview(services, actor_of(session), site)
    # Markup: pnyx.domain.charts escapes every text it puts in the SVG.
    chart = Markup(svg(found.activity.chart, "activity"))
    return admin_page(request, session, "dashboard.html", overview=found, chart=chart)


def _filters(site_id: int | None, params: dict[str, Any]) -> QueueFilter:
    since, until = params["since"], params["until"]
    return QueueFilter(
        site_id=site_id,
        text=params["q"],
        author=params["author"],
        email=params["email"],
        ip_hash=params["ip"],
        thread=params["thread"],
        since=dashboard.start_of(since) if since else None,
        # The form's "to" day is inclusive; the filter's end is not.
        until=dashboard.start_of(until + timedelta(days=1)) if until else None,
    )


@router.get("/admin/queue/{name}")
async def queue_page(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    name: str,
    site: OptionalSiteDep = None,
    q: TextParam = None,
    author: TextParam = None,
    email: TextParam = None,
    ip: TextParam = None,
    thread: Annotated[str | None, Query(max_length=2000)] = None,
    since: DayParam = None,
    until: DayParam = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    done: DoneParam = None,
    n: CountParam = 0,
) -> Response:
    """A moderation queue, newest first, with its search form and the actions for one or many comments."""
    queue = next((known for known in QUEUES if known == name), None)
    if queue is None:
        raise NotFound(f"There is no queue {name[:40]!r}; the queues are {', '.join(QUEUES)}.")
    texts = {"q": q, "author": author, "email": email, "ip": ip, "thread": thread}
    params: dict[str, Any] = {**texts, "since": day(since, "From"), "until": day(until, "To")}
    filters = _filters(site.id if site else None, params)
    view = await dashboard.queue_view(services, actor_of(session), queue, filters, cursor, PAGE_SIZE)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return admin_page(
        request,
        session,
        "queue.html",
        view=view,
        queue=queue,
        site=site,
        search={**params, "site": site.slug if site else ""},
        searching=any(params.values()) or site is not None,
        here=with_query(here),
        older_url=with_query(here, cursor=view.page.next_cursor) if view.page.next_cursor else None,
        notice=sentence(done, n),
        durations=DURATIONS,
        default_duration=DEFAULT_DURATION,
    )


@router.get("/admin/comments/{comment_id}")
async def comment_page(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    comment_id: int,
    done: DoneParam = None,
    n: CountParam = 0,
) -> Response:
    """One comment: what the queue shows, every action, the ban options, and the edit form."""
    item = await dashboard.comment_view(services, actor_of(session), comment_id)
    return admin_page(
        request,
        session,
        "comment.html",
        item=item,
        here=request.url.path,
        notice=sentence(done, n),
        durations=DURATIONS,
        default_duration=DEFAULT_DURATION,
        all_sites_allowed=session.is_admin or session.sites is None,
    )


@router.post("/admin/comments/{comment_id}/edit")
async def edit_comment(request: Request, services: ServicesDep, session: SessionDep, comment_id: int) -> Response:
    """Replace a comment's text; readers see that a moderator edited it."""
    form = await admin_form(request)
    await moderation.edit(services, actor_of(session), comment_id, form.get("body", ""), form.get("reason") or None)
    return RedirectResponse(with_done(f"/admin/comments/{comment_id}", "edit", 1), status_code=303)


async def _close(request: Request, services: Services, session: AdminSession, thread_id: int, closed: bool) -> Response:
    form = await admin_form(request)
    target = safe_next(form.get("next"))
    action = "close" if closed else "reopen"
    actor, reason = actor_of(session), form.get("reason") or None

    async def work() -> Done:
        changed = await moderation.close_threads(services, actor, [thread_id], closed, reason)
        return Done(action, len(changed))

    return await _answer(request, work(), target)


@router.post("/admin/threads/{thread_id}/close")
async def close_thread(request: Request, services: ServicesDep, session: SessionDep, thread_id: int) -> Response:
    """Close a thread to new comments."""
    return await _close(request, services, session, thread_id, True)


@router.post("/admin/threads/{thread_id}/reopen")
async def reopen_thread(request: Request, services: ServicesDep, session: SessionDep, thread_id: int) -> Response:
    """Open a closed thread to new comments again."""
    return await _close(request, services, session, thread_id, False)


@router.get("/admin/bans")
async def bans_page(
    request: Request, services: ServicesDep, session: SessionDep, done: DoneParam = None, n: CountParam = 0
) -> Response:
    """The bans in force on the moderator's sites, each with a button that lifts it."""
    found = await dashboard.ban_list(services, actor_of(session))
    return admin_page(request, session, "bans.html", found=found, notice=sentence(done, n))


@router.post("/admin/bans/lift")
async def lift_ban(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """Lift one ban, named by its kind, value and site (empty: every site)."""
    form = await admin_form(request)
    scope = form.get("site_id", "")
    site_id = _ids([scope])[0] if scope else None
    actor, reason = actor_of(session), form.get("reason") or None
    lifted = await banning.lift_ban(services, actor, form.get("kind", ""), form.get("value", ""), site_id, reason)
    if lifted is None:
        raise NotFound("That ban was lifted already or has run out.")
    return RedirectResponse(with_done("/admin/bans", "lift", 1), status_code=303)


@router.get("/admin/audit")
async def audit_page(
    request: Request,
    services: ServicesDep,
    session: AdminOnlyDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Every moderator's actions, newest first (admins only)."""
    view = await dashboard.audit_view(services, actor_of(session), cursor, AUDIT_PAGE_SIZE)
    return admin_page(request, session, "audit.html", view=view)
