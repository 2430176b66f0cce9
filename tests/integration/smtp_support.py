"""A real SMTP server for the mail tests: aiosmtpd on a free loopback port, keeping what it receives.

"SMTP down" is that port with nothing listening. A ``delay`` slows every DATA answer, so a test can
catch a sender in the middle of a run; ``hold_quit_after=n`` leaves the QUIT after the n-th mail
unanswered, so a sender can be caught after the server took a mail but before the sender knew it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING

from pnyx.jobs.mail import SmtpMailer


def free_port() -> int:
    """A loopback port the OS has just handed out."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


HOLD_S = 60  # a held QUIT is answered after this at the latest (or when the server stops)


class Sink:
    """An aiosmtpd handler that keeps every message it accepts, after ``delay`` seconds per message."""

    def __init__(self, delay: float = 0.0, hold_quit_after: int | None = None) -> None:
        self.delay, self.hold_quit_after = delay, hold_quit_after
        self.received: list[EmailMessage] = []
        # Set once the held QUIT has arrived: the sender now waits with its mail accepted but not confirmed.
        self.quit_held = threading.Event()
        self._held_session: Any = None
        # The server runs in a thread of its own; tests read ``received`` from theirs.
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        if self.delay:
            await asyncio.sleep(self.delay)
        # Kept only when the 250 is about to go out: like a real server, it owns the mail from here on.
        with self._lock:
            self.received.append(message)
            if len(self.received) == self.hold_quit_after:
                self._held_session = session
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> Any:
        if session is self._held_session:
            self.quit_held.set()
            await asyncio.sleep(HOLD_S)
        return MISSING

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(message["Message-ID"]) for message in self.received]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a fixed port, started and stopped by the test."""

    def __init__(self, delay: float = 0.0, hold_quit_after: int | None = None) -> None:
        self.port = free_port()
        self.sink = Sink(delay, hold_quit_after)
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mailer(self) -> SmtpMailer:
        return SmtpMailer("127.0.0.1", self.port, tls="none", timeout=5)

    def env(self, sender: str) -> dict[str, str]:
        """The ``PNYX_*`` variables that make a pnyx process send through this server as ``sender``."""
        return {
            "PNYX_SMTP_HOST": "127.0.0.1",
            "PNYX_SMTP_PORT": str(self.port),
            "PNYX_SMTP_TLS": "none",
            "PNYX_MAIL_FROM": sender,
        }
