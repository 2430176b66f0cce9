"""The ``pnyx`` command, run as a separate process the way an operator runs it, on a fresh SQLite file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from pnyx.config import SECRET_FILE_NAME
from pnyx.store.migrate import head_revision

CLI_TIMEOUT_S = 60
SERVE_START_TIMEOUT_S = 15
SECRET = "cli-test-secret-" + "z" * 40


@dataclass
class Cli:
    """Runs ``python -m pnyx`` in a folder of its own with a clean ``PNYX_*`` environment."""

    folder: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pnyx", *args],
            env={**self.env, **env},
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )

    def ok(self, *args: str, **env: str) -> str:
        result = self.run(*args, **env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        return result.stdout

    def fails(self, *args: str, **env: str) -> str:
        """Run a command that must fail with a sentence for a person, not a traceback; returns that sentence."""
        result = self.run(*args, **env)
        assert result.returncode != 0, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
        return " ".join((result.stdout + result.stderr).split())


def clean_env(folder: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PNYX_")}
    env.update(
        PNYX_DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'pnyx.db'}",
        PNYX_DATA_DIR=str(folder / "data"),
        PNYX_CONFIG=str(folder / "no-such-pnyx.toml"),
        COLUMNS="200",
    )
    return env


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A CLI with a valid secret and its own database file."""
    return Cli(tmp_path, {**clean_env(tmp_path), "PNYX_SECRET_KEY": SECRET})


def test_migrate_prints_the_revision(cli: Cli) -> None:
    out = cli.ok("migrate")
    assert f"revision {head_revision()}" in out
    assert (cli.folder / "pnyx.db").exists()
    # A second run finds nothing to do and says the same.
    assert f"revision {head_revision()}" in cli.ok("migrate")


def test_site_add_list_and_change_origins(cli: Cli) -> None:
    out = cli.ok("site", "add", "daily", "--origin", "https://news.example", "--origin", "https://www.news.example")
    assert "daily" in out

    listing = cli.ok("site", "list")
    assert "daily" in listing
    assert "https://news.example" in listing
    assert "https://www.news.example" in listing

    cli.ok("site", "origins", "daily", "--origin", "https://paper.example")
    listing = cli.ok("site", "list")
    assert "https://paper.example" in listing
    assert "news.example" not in listing, "origins are replaced, not added to"


def test_origins_are_normalised(cli: Cli) -> None:
    cli.ok("site", "add", "daily", "--origin", "HTTPS://News.Example:443/")
    listing = cli.ok("site", "list")
    assert "https://news.example" in listing
    assert "News.Example" not in listing and ":443" not in listing


def test_a_duplicate_site_is_refused_with_a_sentence(cli: Cli) -> None:
    cli.ok("site", "add", "daily", "--origin", "https://news.example")
    message = cli.fails("site", "add", "daily", "--origin", "https://other.example")
    assert "exists already" in message
    listing = cli.ok("site", "list")
    assert "other.example" not in listing, "the refused add changed nothing"


def test_an_origin_with_a_path_is_refused(cli: Cli) -> None:
    message = cli.fails("site", "add", "daily", "--origin", "https://news.example/politics")
    assert "not an origin" in message
    assert "daily" not in cli.ok("site", "list")

    cli.ok("site", "add", "daily", "--origin", "https://news.example")
    message = cli.fails("site", "origins", "daily", "--origin", "https://news.example/?edition=uk")
    assert "not an origin" in message
    assert "https://news.example" in cli.ok("site", "list"), "the refused change kept the old origins"


def test_bad_site_names_and_unknown_sites_are_refused_with_a_sentence(cli: Cli) -> None:
    assert "not a usable site name" in cli.fails("site", "add", "Daily Planet", "--origin", "https://news.example")
    assert "no site named" in cli.fails("site", "origins", "missing", "--origin", "https://news.example")


def test_site_settings_show_and_change_where_comments_on_passages_appear(cli: Cli) -> None:
    cli.ok("site", "add", "daily", "--origin", "https://news.example")
    assert "in the main thread and beside" in cli.ok("site", "settings", "daily")
    assert "only beside their passages" in cli.ok("site", "settings", "daily", "--no-inline-in-main")
    assert "only beside their passages" in cli.ok("site", "settings", "daily"), "the change was kept"
    assert "in the main thread and beside" in cli.ok("site", "settings", "daily", "--inline-in-main")
    assert "no site named" in cli.fails("site", "settings", "missing", "--no-inline-in-main")


def test_a_short_secret_is_refused_unless_in_demo_mode(tmp_path: Path) -> None:
    cli = Cli(tmp_path, {**clean_env(tmp_path), "PNYX_SECRET_KEY": "too-short"})
    message = cli.fails("migrate")
    assert "PNYX_SECRET_KEY" in message and "32" in message
    assert "PNYX_SECRET_KEY" in cli.fails("serve", "--port", str(free_port()))
    assert "revision" in cli.ok("migrate", PNYX_DEMO="1")


def test_an_unset_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    cli = Cli(tmp_path, clean_env(tmp_path))
    secret_file = tmp_path / "data" / SECRET_FILE_NAME
    assert not secret_file.exists()

    cli.ok("migrate")
    assert secret_file.exists()
    secret = secret_file.read_text().strip()
    assert len(secret) >= 32
    assert secret_file.stat().st_mode & 0o077 == 0, "only the owner may read the secret"

    cli.ok("site", "add", "daily", "--origin", "https://news.example")
    assert secret_file.read_text().strip() == secret, "later runs reuse the secret"
    assert list(secret_file.parent.iterdir()) == [secret_file]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(cli: Cli) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``pnyx serve`` on a free port; stopped by its PID after the test."""
    port = free_port()
    log = (cli.folder / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "pnyx", "serve", "--port", str(port)],
        env=cli.env,
        cwd=cli.folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + SERVE_START_TIMEOUT_S
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"pnyx serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            response = httpx.get(url, timeout=2)
        except httpx.TransportError as exc:
            last_error = repr(exc)
        else:
            if response.status_code == 200:
                return response
            last_error = f"{response.status_code} {response.text}"
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer 200 within {SERVE_START_TIMEOUT_S}s ({last_error}):\n{log.read_text()}")


def test_serve_answers_health_and_readiness_checks(cli: Cli, server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = server
    log = cli.folder / "serve.log"
    health = wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
    assert health.json() == {"status": "ok"}
    ready = wait_for(f"http://127.0.0.1:{port}/readyz", process, log)
    assert ready.json()["database"] == "ok"
    # The server migrated its database on start: the CLI sees the newest schema.
    assert f"revision {head_revision()}" in cli.ok("migrate")

    process.terminate()
    # uvicorn shuts down cleanly, then re-raises the signal it got.
    assert process.wait(timeout=10) in (0, -signal.SIGTERM), log.read_text()
    assert "Application shutdown complete" in log.read_text()
