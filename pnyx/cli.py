"""The ``pnyx`` command: serve, demo, worker, migrate, site, mail, doctor."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, NoReturn, TypeVar

import typer
import uvicorn
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from pnyx.config import load_settings, resolve_secret
from pnyx.domain.models import Site
from pnyx.domain.policy import Policy, policy_settings
from pnyx.domain.text import clean_email
from pnyx.domain.webhooks import EVENTS
from pnyx.errors import ConfigError, PnyxError
from pnyx.jobs import mail_check
from pnyx.jobs.worker import LEASE, Worker
from pnyx.services import accounts as account_service
from pnyx.services import doctor as doctor_service
from pnyx.services import sites as site_service
from pnyx.services import webhooks as webhook_service
from pnyx.services.container import Services, utc_now
from pnyx.store.migrate import current_revision, upgrade

app = typer.Typer(help="pnyx: reader engagement for news and opinion sites.", no_args_is_help=True)
site_app = typer.Typer(help="Publishers' sites: which origins may embed pnyx.", no_args_is_help=True)
app.add_typer(site_app, name="site")
mail_app = typer.Typer(help="Outgoing mail: check that pnyx can send it.", no_args_is_help=True)
app.add_typer(mail_app, name="mail")
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
def worker(
    lease_seconds: Annotated[
        int,
        typer.Option(
            min=1,
            help="How long a claimed batch stays this worker's; a killed worker's mails go out again once it "
            "ends. Keep it above the time a batch takes to send.",
        ),
    ] = int(LEASE.total_seconds()),
) -> None:
    """Deliver the outbox (mail, webhooks) until SIGINT or SIGTERM; several may run at once on PostgreSQL."""

    async def work(services: Services) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
        if services.settings.smtp_host is None and not services.settings.demo:
            raise ConfigError(
                "Set PNYX_SMTP_HOST (see docs/mail.md) before starting the worker: without it, mail would only be "
                "logged and then counted as sent."
            )
        deliverer = Worker.from_services(services, lease=timedelta(seconds=lease_seconds))
        console.print("Outbox worker running; stop it with Ctrl+C.")
        await deliverer.run_forever(stop)

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
    premoderation: Annotated[
        str | None,
        typer.Option(
            help="Hold comments for a moderator: none, all, first_time (a reader's first comment on the site) "
            "or links (comments with links)."
        ),
    ] = None,
    banned_words: Annotated[
        str | None,
        typer.Option(help='Comma-separated words or phrases that refuse a comment; "" empties the list.'),
    ] = None,
    hold_words: Annotated[
        str | None,
        typer.Option(help='Comma-separated words or phrases that hold a comment for a moderator; "" empties the list.'),
    ] = None,
    max_links: Annotated[int | None, typer.Option(help="The most links a comment may contain (0: none).")] = None,
    close_after_days: Annotated[
        int | None, typer.Option(help="Close an article's comments this many days after its first one (0: never).")
    ] = None,
    report_threshold: Annotated[
        int | None,
        typer.Option(help="Distinct readers whose reports hide a comment until a moderator reviews it (0: never)."),
    ] = None,
    spam_threshold: Annotated[
        int | None, typer.Option(help="The local spam score (1-100) that holds a comment as spam (0: never).")
    ] = None,
    queue_alert_size: Annotated[
        int | None, typer.Option(help="Alert when this many comments wait for moderators (0: never).")
    ] = None,
    queue_alert_emails: Annotated[
        str | None,
        typer.Option(help='Comma-separated addresses that get queue alerts; "" means the site\'s moderators.'),
    ] = None,
) -> None:
    """Show a site's settings and moderation policy, or change the ones given."""
    changes = _policy_changes(
        premoderation=premoderation,
        banned_words=_comma_list(banned_words),
        hold_words=_comma_list(hold_words),
        max_links=max_links,
        close_after_days=close_after_days,
        report_threshold=report_threshold,
        spam_threshold=spam_threshold,
        queue_alert_size=queue_alert_size,
        queue_alert_emails=_comma_list(queue_alert_emails),
    )

    async def work(services: Services) -> Site:
        if inline_in_main is not None:
            await site_service.set_inline_in_main(services, slug, inline_in_main)
        if changes:
            await site_service.set_policy(services, slug, changes)
        return await site_service.site_by_slug(services, slug)

    site = _run(work)
    where = "in the main thread and beside their passages" if site.inline_in_main else "only beside their passages"
    console.print(f"Site {site.slug!r}: comments on passages appear {where}.")
    _show_policy(site.policy)


def _comma_list(value: str | None) -> list[str] | None:
    """A comma-separated option as a list; None when the option was not given."""
    return None if value is None else [part.strip() for part in value.split(",") if part.strip()]


def _policy_changes(**options: object) -> dict[str, object]:
    return {name: value for name, value in options.items() if value is not None}


def _show_policy(policy: Policy) -> None:
    """Each policy setting on a line of its own, as typed (word lists may hold brackets)."""
    for name, value in policy_settings(policy).items():
        if isinstance(value, list):
            empty = "(the site's moderators)" if name == "queue_alert_emails" else "(none)"
            shown = ", ".join(value) if value else empty
        else:
            shown = "0 (never)" if value == 0 and name not in ("max_links",) else str(value)
        _plain(f"{name.replace('_', ' ')}: {shown}")


@site_app.command("list")
def site_list() -> None:
    """List every site and its origins."""
    sites = _run(site_service.list_sites)
    table = Table("site", "name", "origins")
    for site in sites:
        table.add_row(site.slug, site.name, "\n".join(site.origins))
    console.print(table)


webhook_app = typer.Typer(help="A site's webhooks: URLs its events are posted to, signed with HMAC-SHA256.")
site_app.add_typer(webhook_app, name="webhook", no_args_is_help=True)


@webhook_app.command("add")
def webhook_add(
    slug: Annotated[str, typer.Argument(help="The site whose events are posted.")],
    url: Annotated[str, typer.Argument(help="The http:// or https:// address that receives them.")],
    event: Annotated[
        list[str] | None,
        typer.Option(help=f"An event to post ({', '.join(EVENTS)}); repeat for several. Default: all of them."),
    ] = None,
) -> None:
    """Add a webhook to a site and print its signing secret, which is shown only this once."""
    hook, secret = _run(lambda services: webhook_service.add_hook(services, slug, url, event))
    _plain(f"Webhook {hook.id} of site {slug!r} posts {', '.join(hook.events)} to {hook.url}.")
    _plain("Its signing secret follows. It is shown only now: store it with the receiver.")
    _plain(secret)


@webhook_app.command("list")
def webhook_list(slug: Annotated[str, typer.Argument(help="The site whose webhooks are listed.")]) -> None:
    """List a site's webhooks with their ids and events (never their secrets)."""
    hooks = _run(lambda services: webhook_service.list_hooks(services, slug))
    if not hooks:
        _plain(f"Site {slug!r} has no webhooks; add one with `pnyx site webhook add {slug} URL`.")
        return
    table = Table("id", "url", "events", "added")
    for hook in hooks:
        table.add_row(str(hook.id), Text(hook.url), "\n".join(hook.events), hook.created_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)


@webhook_app.command("remove")
def webhook_remove(
    slug: Annotated[str, typer.Argument(help="The site the webhook belongs to.")],
    hook_id: Annotated[int, typer.Argument(metavar="ID", help="The webhook's id, as `pnyx site webhook list` shows.")],
) -> None:
    """Remove a webhook; deliveries still waiting in the outbox for it are dropped."""
    _run(lambda services: webhook_service.remove_hook(services, slug, hook_id))
    _plain(f"Webhook {hook_id} removed from site {slug!r}.")


def _plain(text: str) -> None:
    """Print a line holding a URL or a secret as it is: no markup, no colouring, no line breaks inside."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


@mail_app.command("test")
def mail_test(
    address: Annotated[str, typer.Argument(help="Where to send the test mail, like ana@example.org.")],
) -> None:
    """Send one test mail straight through the SMTP settings (not the outbox) and say where it went."""
    try:
        settings = load_settings()
    except PnyxError as exc:
        _fail(exc.detail, 2)
    try:
        to = clean_email(address)
    except PnyxError:
        to = None
    if to is None:
        _fail(f"{address[:80]!r} is not an e-mail address; give one like ana@example.org.", 2)
    if settings.smtp_host is None:
        _fail("No SMTP server is configured (PNYX_SMTP_HOST is unset), so pnyx only logs mail; set it and retry.", 1)
    try:
        asyncio.run(mail_check.send_test_mail(settings, to, utc_now()))
    except mail_check.SendFailed as exc:
        _fail(str(exc), 1)
    console.print(f"Test mail sent to {to} through {mail_check.route(settings)}.", markup=False, highlight=False)


def _fail(sentence: str, code: int) -> NoReturn:
    """Print ``sentence`` in red on stderr and exit with ``code``."""
    # No markup: the sentence may quote a server's reply, which can hold square brackets.
    errors.print(sentence, style="red", markup=False, highlight=False)
    raise typer.Exit(code)


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
    from pnyx.demo import DEMO_EDITOR, demo_editor, prepare_demo
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
    password = _run(demo_editor)
    console.print(f"Demo newspaper: http://127.0.0.1:{page_port}{FEATURED.path} (front page: /)")
    console.print(f"pnyx:           http://127.0.0.1:{port}/api/docs (API) — stop both with Ctrl+C")
    console.print(f"Moderation:     http://127.0.0.1:{port}/admin")
    console.print(f"                sign in as {DEMO_EDITOR} with {password} (new at every start)")
    run_demo(load_settings(), api_socket, site_socket)


admin_app = typer.Typer(help="Accounts of the admin console at /admin: admins and moderators.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
ADMIN_PASSWORD_ENV = "PNYX_ADMIN_PASSWORD"


class Role(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"


def _new_password() -> str:
    """The password from PNYX_ADMIN_PASSWORD, or typed twice without echo; a weak one exits 2."""
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if password is None:
        password = str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        account_service.check_password(password)
    except PnyxError as exc:
        _fail(exc.detail, 2)
    return password


@admin_app.command("create")
def admin_create(
    email: Annotated[str, typer.Argument(help="The address the person signs in with.")],
    role: Annotated[Role, typer.Option(help="`admin`: every site and the audit log; `moderator`: moderation only.")],
    site: Annotated[
        list[str] | None,
        typer.Option(help="A site (slug) a moderator may moderate; repeat for several. Default: every site."),
    ] = None,
) -> None:
    """Create a console account. The password is asked twice, or read from PNYX_ADMIN_PASSWORD in scripts."""
    slugs = site or []
    try:
        address = account_service.checked_email(email)
    except PnyxError as exc:
        _fail(exc.detail, 2)
    if role is Role.ADMIN and slugs:
        _fail("Admins moderate every site; give --site only with --role moderator.", 2)
    unknown = _run(lambda services: account_service.unknown_sites(services, slugs)) if slugs else []
    if unknown:
        _fail(f"There is no site named {unknown[0]!r}; `pnyx site list` shows the sites.", 2)
    password = _new_password()
    account = _run(lambda services: account_service.create_account(services, address, password, role.value, slugs))
    scope = "every site" if account.sites is None else ", ".join(slugs)
    _plain(f"Account {account.email} created: {account.role} of {scope}. Sign in at /admin/login.")


@admin_app.command("list")
def admin_list() -> None:
    """List the console accounts: role, sites, second factor, lock and last sign-in."""
    listings = _run(account_service.list_accounts)
    if not listings:
        _plain("There are no console accounts yet; add one with `pnyx admin create EMAIL --role admin`.")
        return
    now = utc_now()
    # Addresses wrap rather than shorten: a clipped address is no use to whoever reads the list.
    table = Table(Column("email", overflow="fold"), "role", "sites", "second factor", "locked until", "last sign-in")
    for listing in listings:
        account = listing.account
        locked = account.locked_until if account.locked_until and account.locked_until > now else None
        table.add_row(
            Text(account.email),
            account.role,
            "every site" if listing.site_slugs is None else "\n".join(listing.site_slugs) or "none",
            "on" if account.totp_secret else "off",
            locked.strftime("%Y-%m-%d %H:%M") if locked else "",
            account.last_login_at.strftime("%Y-%m-%d %H:%M") if account.last_login_at else "never",
        )
    console.print(table)


@admin_app.command("password")
def admin_password(
    email: Annotated[str, typer.Argument(help="The account's address.")],
    remove_totp: Annotated[
        bool, typer.Option("--remove-totp", help="Also remove the second factor (a lost phone).")
    ] = False,
) -> None:
    """Set a new password for a console account, unlock it and sign it out everywhere (recovery)."""
    password = _new_password()
    account = _run(lambda services: account_service.reset_account(services, email, password, remove_totp=remove_totp))
    extra = " Its second factor is removed." if remove_totp and account.totp_secret else ""
    _plain(f"New password set for {account.email}; it is unlocked and signed out everywhere.{extra}")


def main() -> None:
    """Entry point of the ``pnyx`` script."""
    app()
