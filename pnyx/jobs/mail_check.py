"""``pnyx mail test``: one mail straight through the SMTP settings, and a sentence for each way that fails.

The test mail skips the outbox on purpose: an operator checking the settings wants the server's
answer now, not a row that a worker retries for hours.
"""

from __future__ import annotations

import html
import os
import secrets
import socket
import ssl
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

import aiosmtplib

from pnyx.config import Settings
from pnyx.domain.outbox import mail_payload
from pnyx.jobs.mail import SMTP_TIMEOUT_S, build_message, mailer_from_settings

SUBJECT = "pnyx test mail"
TLS_HINT = "PNYX_SMTP_TLS must match the port: `tls` for 465, `starttls` for 587, `none` for a local relay on 25"


class SendFailed(Exception):
    """The test mail did not leave; ``str()`` is one sentence naming the cause and what to check."""


def route(settings: Settings) -> str:
    """Where mail goes, as ``host:port (tls mode)``."""
    return f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_tls})"


def build_test_message(settings: Settings, to: str, now: datetime) -> EmailMessage:
    """A short plain-text and HTML mail to ``to`` saying which server it went through."""
    text = (
        f"This is a test mail from pnyx at {settings.public_url}, sent by `pnyx mail test`.\n\n"
        f"It went from {settings.mail_from} through {route(settings)}. If you can read it, pnyx can send mail.\n\n"
        "If it landed in spam, check the SPF, DKIM and DMARC records of the sender's domain.\n"
    )
    paragraphs = "".join(f"<p>{html.escape(part)}</p>" for part in text.strip().split("\n\n"))
    host = urlsplit(settings.public_url).hostname or "localhost"
    # A fresh key each run: two tests must not share a Message-ID, or the second looks like a repeat.
    payload = mail_payload(
        to=to, subject=SUBJECT, text=text, html=paragraphs, dedupe_key=f"mail-test:{secrets.token_hex(8)}", host=host
    )
    return build_message(payload, settings.mail_from, now)


async def send_test_mail(settings: Settings, to: str, now: datetime) -> None:
    """Send the test mail through the configured mailer; SendFailed with a sentence when it does not leave."""
    try:
        await mailer_from_settings(settings).send(build_test_message(settings, to, now))
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise SendFailed(explain(exc, settings)) from exc


def explain(exc: BaseException, settings: Settings) -> str:
    """One sentence for an SMTP failure: what the server (or the network) said, and which setting to check."""
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return (
            f"{server} refused the login {settings.smtp_user!r} ({_said(exc)}); "
            "check PNYX_SMTP_USER and PNYX_SMTP_PASSWORD."
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused | aiosmtplib.SMTPRecipientRefused):
        return (
            f"{server} refused the recipient ({_said(exc)}); check the address, and that the server relays mail "
            "from pnyx (most providers want a login: PNYX_SMTP_USER and PNYX_SMTP_PASSWORD)."
        )
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return (
            f"{server} refused the sender {settings.mail_from} ({_said(exc)}); "
            "check PNYX_MAIL_FROM and that your SMTP login may send as that address."
        )
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return f"{server} refused the message ({_said(exc)}); the server's log says which of its policies did."
    if isinstance(exc, aiosmtplib.SMTPConnectTimeoutError):
        return (
            f"{server} did not answer within {SMTP_TIMEOUT_S:.0f} s; check PNYX_SMTP_HOST, PNYX_SMTP_PORT and any "
            f"firewall on the way ({TLS_HINT})."
        )
    tls_error = exc if isinstance(exc, ssl.SSLError) else exc.__cause__
    if isinstance(tls_error, ssl.SSLError):
        return (
            f"The TLS handshake with {server} failed ({_tls_said(tls_error)}); {TLS_HINT}, and the server's "
            "certificate must be valid for PNYX_SMTP_HOST."
        )
    if isinstance(exc, aiosmtplib.SMTPConnectError):
        return (
            f"pnyx could not connect to {server} ({_said(exc)}); check PNYX_SMTP_HOST and PNYX_SMTP_PORT, and that "
            "the server runs and accepts connections from this machine."
        )
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPTimeoutError):
        return f"{server} broke off the conversation ({_said(exc)}); {TLS_HINT}."
    return f"Sending through {server} failed ({_said(exc)}); check the PNYX_SMTP_* settings ({TLS_HINT})."


def _said(exc: BaseException) -> str:
    """The server's reply code and text, or the error's own words, on one line."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    cause = exc.__cause__
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        words = f"{exc.code} {exc.message}"
    elif isinstance(cause, OSError) and cause.errno:
        # aiosmtplib wraps the socket's error in a sentence that repeats host and port; the reason is enough.
        words = (cause.strerror if isinstance(cause, socket.gaierror) else None) or os.strerror(cause.errno)
    else:
        words = str(exc) or type(exc).__name__
    return " ".join(words.split()).rstrip(".")


def _tls_said(error: ssl.SSLError) -> str:
    """OpenSSL's reason in words: ``certificate has expired``, ``wrong version number``."""
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return str(error.verify_message)
    return str(error.reason or error).lower().replace("_", " ")
