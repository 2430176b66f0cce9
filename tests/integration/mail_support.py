"""Helpers for the subscription tests: subscribe through the API, deliver the outbox, read links out of mails."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote

from httpx import Response

from pnyx.jobs.worker import Worker
from tests.factories import Api, Reader
from tests.integration.smtp_support import SmtpServer

SENDER = "news@pnyx.test"


async def deliver(worker: Worker, server: SmtpServer) -> list[EmailMessage]:
    """Run the worker until nothing is due; the messages that arrived during the run."""
    before = len(server.sink.received)
    while await worker.run_once():
        pass
    return server.sink.received[before:]


async def subscribe(api: Api, key: str, email: str, kind: str = "followups", **extra: Any) -> Response:
    """POST /api/v1/subscriptions as a new reader (or ``reader=``) on the site's origin."""
    reader: Reader = extra.pop("reader", None) or Reader()
    payload = {"site": api.site, "key": key, "email": email, "kind": kind, **extra}
    return reader.keep_token(await api.client.post("/api/v1/subscriptions", json=payload, headers=reader.headers()))


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a mail."""
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    """The HTML part of a mail."""
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def token_in(message: EmailMessage, path: str) -> str:
    """The token of the first link to ``path`` in a mail's text."""
    match = re.search(re.escape(path) + r"\?token=([^\s&>]+)", text_of(message))
    assert match, text_of(message)
    return unquote(match.group(1))


async def confirm_mail(api: Api, message: EmailMessage) -> None:
    """Open the confirmation link of a mail, as its reader would."""
    page = await api.client.get("/subscriptions/confirm", params={"token": token_in(message, "/subscriptions/confirm")})
    assert page.status_code == 200 and "confirmed" in page.text, page.text


async def confirmed(api: Api, worker: Worker, server: SmtpServer, key: str, email: str, **extra: Any) -> None:
    """Subscribe ``email`` and follow its confirmation link."""
    response = await subscribe(api, key, email, **extra)
    assert response.status_code == 202 and response.json() == {"status": "confirmation_sent"}, response.text
    [mail] = [m for m in await deliver(worker, server) if m["To"] == email]
    await confirm_mail(api, mail)
