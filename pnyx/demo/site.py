"""The demo publisher's web site: a front page and opinion articles that embed pnyx from another origin.

These pages stand in for a newspaper's own site; they are not pnyx's widget templates.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from pnyx.demo.articles import ARTICLES, FEATURED, PUBLICATION, Article, article_named, related_to

STYLESHEET = "demo.css"


def long_date(day: date) -> str:
    """A date as a British newspaper prints it: 14 March 2025."""
    return f"{day.day} {day:%B %Y}"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pnyx.demo", "pages"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    return env


def render(template: str, **context: object) -> str:
    """A page of the demo site as HTML."""
    return _environment().get_template(template).render(publication=PUBLICATION, today=date.today(), **context)


def version_asked(article: Article, asked: str | None) -> int | None:
    """The version of ``article`` a ``?version=`` value names: 1 when absent, None when it has no such version."""
    if asked is None or asked == "1":
        return 1
    return next((version for version in article.editions if str(version) == asked), None)


def create_site_app(pnyx_url: str, site: str) -> Starlette:
    """The publisher site whose pages embed the pnyx server at ``pnyx_url`` for the site slug ``site``."""
    common = {"pnyx_url": pnyx_url.rstrip("/"), "site": site}

    def page(template: str, status: int = 200, **context: object) -> HTMLResponse:
        return HTMLResponse(render(template, **common, **context), status_code=status)

    async def front(request: Request) -> Response:
        return page("front.html", articles=ARTICLES, featured=FEATURED)

    async def article(request: Request) -> Response:
        found = article_named(request.path_params["key"])
        version = version_asked(found, request.query_params.get("version")) if found else None
        if found is None or version is None:
            return page("missing.html", status=404)
        return page("article.html", article=found, version=version, related=related_to(found))

    async def stylesheet(request: Request) -> Response:
        css = files("pnyx.demo").joinpath("pages", STYLESHEET).read_text(encoding="utf-8")
        return Response(css, media_type="text/css")

    routes = [
        Route("/", front),
        Route("/opinion/{key}", article),
        Route(f"/{STYLESHEET}", stylesheet),
    ]
    return Starlette(routes=routes)
