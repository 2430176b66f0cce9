"""``pnyx mail test``, run as an operator runs it, against aiosmtpd on loopback (see smtp_support.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.smtp_support import Sink, SmtpServer
from tests.integration.test_cli import SECRET, Cli, clean_env

SENDER = "news@pnyx.test"


def _said(result: subprocess.CompletedProcess[str]) -> str:
    """What the command printed, on one line; never a traceback."""
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return " ".join((result.stdout + result.stderr).split())


class RefusingSink(Sink):
    """An aiosmtpd handler that refuses every recipient, as a server does that relays for no one."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.7.1 Relaying denied"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path, {**clean_env(tmp_path), "PNYX_SECRET_KEY": SECRET})


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    running = SmtpServer()
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_the_test_mail_arrives_with_text_and_html(cli: Cli, server: SmtpServer) -> None:
    result = cli.run("mail", "test", "Ana@Example.ORG", **server.env(SENDER))
    assert result.returncode == 0, _said(result)
    assert f"Test mail sent to Ana@example.org through 127.0.0.1:{server.port} (none)." in _said(result)
    [message] = server.sink.received
    assert message["To"] == "Ana@example.org" and message["From"] == SENDER
    assert message["Subject"] == "pnyx test mail" and str(message["Message-ID"]).startswith("<outbox-")
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and f"127.0.0.1:{server.port}" in str(plain.get_content())
    assert html is not None and "<p>This is a test mail from pnyx" in str(html.get_content())
    assert not (cli.folder / "pnyx.db").exists(), "the test mail does not go through the database"


def test_a_refused_connection_is_one_sentence_and_exit_1(cli: Cli) -> None:
    nobody = SmtpServer()  # a free port with nothing listening
    result = cli.run("mail", "test", "ana@example.org", **nobody.env(SENDER))
    said = _said(result)
    assert result.returncode == 1, said
    assert f"could not connect to 127.0.0.1:{nobody.port} (Connection refused)" in said, said
    assert "PNYX_SMTP_PORT" in said and said.endswith("."), said


def test_implicit_tls_against_a_plain_server_points_at_the_tls_setting(cli: Cli, server: SmtpServer) -> None:
    result = cli.run("mail", "test", "ana@example.org", **{**server.env(SENDER), "PNYX_SMTP_TLS": "tls"})
    said = _said(result)
    assert result.returncode == 1, said
    assert f"The TLS handshake with 127.0.0.1:{server.port} failed" in said and "PNYX_SMTP_TLS" in said, said
    assert server.sink.received == []


def test_a_refused_recipient_names_the_reply_and_the_settings(cli: Cli) -> None:
    refusing = SmtpServer()
    refusing.sink = RefusingSink()
    refusing.start()
    try:
        result = cli.run("mail", "test", "ana@example.org", **refusing.env(SENDER))
    finally:
        refusing.stop()
    said = _said(result)
    assert result.returncode == 1, said
    assert "refused the recipient (550 5.7.1 Relaying denied)" in said and "PNYX_SMTP_USER" in said, said


def test_without_an_smtp_host_it_says_so_and_exits_1(cli: Cli) -> None:
    result = cli.run("mail", "test", "ana@example.org")
    said = _said(result)
    assert result.returncode == 1, said
    assert "No SMTP server is configured (PNYX_SMTP_HOST is unset)" in said, said


@pytest.mark.parametrize("address", ["not-an-address", "ana@example", "ana@example.org\r\nBcc: x@example.org", ""])
def test_a_malformed_address_exits_2(cli: Cli, server: SmtpServer, address: str) -> None:
    result = cli.run("mail", "test", address, **server.env(SENDER))
    said = _said(result)
    assert result.returncode == 2, said
    assert "is not an e-mail address; give one like ana@example.org." in said, said
    assert server.sink.received == []


def test_the_worker_refuses_to_start_without_an_smtp_host(cli: Cli) -> None:
    result = cli.run("worker")
    said = _said(result)
    assert result.returncode == 2, said
    assert "Set PNYX_SMTP_HOST" in said, said
