"""Mails pnyx writes to readers: rendered from Jinja2 templates and put in the outbox of the caller's transaction."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from pnyx.domain.outbox import MAIL, mail_payload
from pnyx.services.container import Services
from pnyx.store import outbox
from pnyx.store.engine import Conn

MAX_KEY_CHARS = 200  # outbox.dedupe_key


@cache
def _templates() -> Environment:
    """The Jinja2 environment of the mail templates; HTML ones are escaped."""
    return Environment(
        loader=PackageLoader("pnyx", "templates/email"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        keep_trailing_newline=True,
        # Templates ship with the package and never change while it runs: no stat() per mail.
        auto_reload=False,
    )


def render(name: str, **context: object) -> tuple[str, str]:
    """The plain-text and HTML bodies of the mail template ``name``."""
    env = _templates()
    return env.get_template(f"{name}.txt").render(**context), env.get_template(f"{name}.html").render(**context)


def link(services: Services, path: str, token: str) -> str:
    """An absolute link to a pnyx page carrying ``token``."""
    return f"{services.settings.public_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def manage_url(services: Services, email: str) -> str:
    """The page where ``email`` sees and ends all of its subscriptions."""
    return link(services, "/subscriptions/manage", services.tokens.manage_token(email))


def key_for(prefix: str, email: str) -> str:
    """``<prefix>:<email>`` as an outbox dedupe key, the address hashed when the key would not fit its column."""
    key = f"{prefix}:{email}"
    return key if len(key) <= MAX_KEY_CHARS else f"{prefix}:{hashlib.sha256(email.encode()).hexdigest()}"


def payload(
    services: Services,
    to: str,
    subject: str,
    bodies: tuple[str, str],
    key: str,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The outbox payload of one mail; its Message-ID follows from ``key``."""
    host = urlsplit(services.settings.public_url).hostname or "localhost"
    text, html = bodies
    return mail_payload(to=to, subject=subject, text=text, html=html, dedupe_key=key, host=host, headers=headers)


async def enqueue(
    conn: Conn,
    services: Services,
    to: str,
    subject: str,
    bodies: tuple[str, str],
    key: str,
    headers: dict[str, str] | None = None,
    not_before: datetime | None = None,
) -> None:
    """Put one mail (plain text and HTML) in the outbox, once per ``key``."""
    message = payload(services, to, subject, bodies, key, headers)
    await outbox.enqueue(conn, MAIL, message, key, services.clock(), not_before)
