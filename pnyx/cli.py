"""The ``pnyx`` command: serve, demo, worker, migrate, site, doctor."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from pnyx.config import load_settings, resolve_secret
from pnyx.errors import PnyxError
from pnyx.jobs.worker import Worker
from pnyx.services import doctor as doctor_service
from pnyx.services import sites as site_service
from pnyx.services.container import Services
from pnyx.store.migrate import current_revision, upgrade

app = typer.Typer(help="pnyx: reader engagement for news and opinion sites.", no_args_is_help=True)
site_app = typer.Typer(help="Publishers' sites: which origins may embed pnyx.", no_args_is_help=True)
app.add_typer(site_app, name="site")
console = Console()
errors = Console(stderr=True)
T = TypeVar("T")


def _run(work: Callable[[Services], Awaitable[T]], *, migrate: bool = True) -> T:
    """Open services from the environment, bring the schema up to date, run ``work``, close."""

    async def main() -> T:
        services = Services.build(load_settings())
        try:
            if migrate:
                await upgrade(services.db)
            return await work(services)
        finally:
            await services.close()

    try:
        return asyncio.run(main())
    except PnyxError as exc:
        errors.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1 if exc.status < 500 else 2) from exc


def _check_settings() -> None:
    """Report a bad setting as a sentence before any server process starts."""
    try:
        resolve_secret(load_settings())
    except PnyxError as exc:
        errors.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve pnyx with uvicorn (migrations run on start)."""
    _check_settings()
    uvicorn.run("pnyx.web.app:create_app", factory=True, host=host, port=port, workers=workers, proxy_headers=False)


@app.command()
def worker() -> None:
    """Deliver the outbox (mail) until SIGINT or SIGTERM; several may run at once on PostgreSQL."""

    async def work(services: Services) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
        console.print("Outbox worker running; stop it with Ctrl+C.")
        await Worker.from_services(services).run_forever(stop)

    _run(work)


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema."""
    revision = _run(lambda services: current_revision(services.db))
    console.print(f"Database schema at revision {revision}.")


@site_app.command("add")
def site_add(
    slug: Annotated[str, typer.Argument(help="Short name used as data-pnyx-site, like 'daily-planet'.")],
    origin: Annotated[list[str], typer.Option(help="An origin that embeds pnyx; repeat for several.")],
    name: Annotated[str | None, typer.Option(help="Display name (defaults to the slug).")] = None,
) -> None:
    """Register a site and the origins whose pages may embed pnyx."""
    site = _run(lambda services: site_service.add_site(services, slug, origin, name))
    console.print(f"Site {site.slug!r} added for {', '.join(site.origins)}.")


@site_app.command("origins")
def site_origins(
    slug: Annotated[str, typer.Argument(help="The site to change.")],
    origin: Annotated[list[str], typer.Option(help="The full new list of origins; repeat for several.")],
) -> None:
    """Replace the origins of a site."""
    site = _run(lambda services: site_service.set_origins(services, slug, origin))
    console.print(f"Site {site.slug!r} now answers {', '.join(site.origins)}.")


@site_app.command("settings")
def site_settings(
    slug: Annotated[str, typer.Argument(help="The site to show or change.")],
    inline_in_main: Annotated[
        bool | None,
        typer.Option(
            "--inline-in-main/--no-inline-in-main",
            help="Show comments on passages of an article in its main thread too (the default), or only beside them.",
        ),
    ] = None,
) -> None:
    """Show a site's settings, or change the ones given."""
    if inline_in_main is None:
        site = _run(lambda services: site_service.site_by_slug(services, slug))
    else:
        site = _run(lambda services: site_service.set_inline_in_main(services, slug, inline_in_main))
    where = "in the main thread and beside their passages" if site.inline_in_main else "only beside their passages"
    console.print(f"Site {site.slug!r}: comments on passages appear {where}.")


@site_app.command("list")
def site_list() -> None:
    """List every site and its origins."""
    sites = _run(site_service.list_sites)
    table = Table("site", "name", "origins")
    for site in sites:
        table.add_row(site.slug, site.name, "\n".join(site.origins))
    console.print(table)


@app.command()
def doctor(
    repair: Annotated[bool, typer.Option(help="Overwrite drifted counters with their recount.")] = False,
) -> None:
    """Recount every counter from source rows; report drift (exit 1) or repair it."""
    drifts = _run(lambda services: doctor_service.check_counters(services, repair=repair))
    if not drifts:
        console.print("All counters match their source rows.")
        return
    table = Table("table", "row", "column", "stored", "recount")
    for drift in drifts:
        table.add_row(drift.table, str(drift.row_id), drift.column, str(drift.stored), str(drift.actual))
    console.print(table)
    if repair:
        console.print(f"Repaired {len(drifts)} drifted counters.")
        return
    console.print(f"{len(drifts)} counters drifted; run `pnyx doctor --repair` to fix them.")
    raise typer.Exit(1)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port for the pnyx API.")] = 8000,
    site_port: Annotated[
        int | None, typer.Option(help="Port for the demo publisher site (default: one above --port).")
    ] = None,
) -> None:
    """Start pnyx on SQLite and a demo newspaper site on a second port whose articles embed it."""
    from pnyx.demo import prepare_demo
    from pnyx.demo.articles import FEATURED
    from pnyx.demo.server import listen, run_demo

    page_port = site_port if site_port is not None else port + 1
    os.environ.setdefault("PNYX_DEMO", "1")
    os.environ.setdefault("PNYX_DATABASE_URL", "sqlite+aiosqlite:///./pnyx-demo.db")
    os.environ.setdefault("PNYX_PUBLIC_URL", f"http://127.0.0.1:{port}")
    try:
        api_socket, site_socket = listen("127.0.0.1", port, page_port)
    except PnyxError as exc:
        errors.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    _run(lambda services: prepare_demo(services, port, page_port))
    console.print(f"Demo newspaper: http://127.0.0.1:{page_port}{FEATURED.path} (front page: /)")
    console.print(f"pnyx:           http://127.0.0.1:{port}/api/docs (API) — stop both with Ctrl+C")
    run_demo(load_settings(), api_socket, site_socket)


def main() -> None:
    """Entry point of the ``pnyx`` script."""
    app()
