"""Mailers: the seam between the outbox worker and the world (SMTP, memory for tests, the log for demos)."""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Literal, Protocol

import aiosmtplib

from pnyx.config import Settings

log = logging.getLogger("pnyx.mail")
SMTP_TIMEOUT_S = 30.0
TlsMode = Literal["starttls", "tls", "none"]


class Mailer(Protocol):
    """Delivers one message or raises; the worker retries whatever raised."""

    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """Sends through an SMTP server with aiosmtplib, one connection a message."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        tls: TlsMode = "starttls",
        user: str | None = None,
        password: str | None = None,
        timeout: float = SMTP_TIMEOUT_S,
    ) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.user, self.password, self.timeout = user, password, timeout

    async def send(self, message: EmailMessage) -> None:
        options: dict[str, Any] = {"use_tls": self.tls == "tls", "start_tls": self.tls == "starttls"}
        if self.user:
            options.update(username=self.user, password=self.password or "")
        await aiosmtplib.send(message, hostname=self.host, port=self.port, timeout=self.timeout, **options)


class MemoryMailer:
    """Keeps every message in ``sent`` (tests)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


class ConsoleMailer:
    """Logs each message instead of sending it (no SMTP configured: the demo, development)."""

    async def send(self, message: EmailMessage) -> None:
        log.info("mail not sent (no PNYX_SMTP_HOST): to %s, subject %r", message["To"], message["Subject"])
        log.debug("%s", message)


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when a host is configured, else the log."""
    if settings.smtp_host is None:
        return ConsoleMailer()
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_tls, settings.smtp_user, password)


def build_message(payload: dict[str, Any], sender: str, now: datetime) -> EmailMessage:
    """The e-mail an outbox payload of kind ``mail`` describes."""
    message = EmailMessage()
    message["From"] = payload.get("from") or sender
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Message-ID"] = payload["message_id"]
    message["Date"] = format_datetime(now)
    for name, value in (payload.get("headers") or {}).items():
        message[name] = value
    message.set_content(payload["text"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    return message
