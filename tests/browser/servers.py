"""The demo under test: ``pnyx demo`` in a subprocess on two loopback ports the OS picked, stopped by its PID."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
SECRET = "browser-test-secret-" + "b" * 40


def free_ports(count: int) -> list[int]:
    """Ports the OS hands out, held open together so the same port is not handed out twice."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2, trust_env=False).status_code == 200
    except httpx.TransportError:
        return False


def demo_env(folder: Path) -> dict[str, str]:
    """The environment of a demo living in ``folder``: its own database, data folder and secret, no pnyx.toml."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PNYX_")}
    env.update(
        PNYX_DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'browser.db'}",
        PNYX_DATA_DIR=str(folder),
        PNYX_SECRET_KEY=SECRET,
        PNYX_CONFIG=str(folder / "no-such-pnyx.toml"),
    )
    return env


CLI_TIMEOUT_S = 60


@dataclass
class DemoServers:
    """pnyx (``api_url``) and the demo publisher site (``site_url``), one process, one temp SQLite file."""

    process: subprocess.Popen[bytes]
    api_url: str
    site_url: str
    log_path: Path
    log: IO[bytes]

    def cli(self, *args: str, **env: str) -> str:
        """Run the pnyx CLI on this demo's database, as its operator would; what it printed (it must succeed)."""
        folder = self.log_path.parent
        command = [sys.executable, "-m", "pnyx", *args]
        done = subprocess.run(
            command, cwd=folder, env={**demo_env(folder), **env}, capture_output=True, text=True, timeout=CLI_TIMEOUT_S
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    @classmethod
    def start(cls, folder: Path) -> DemoServers:
        """Start ``pnyx demo`` in ``folder`` and wait until both servers answer."""
        api_port, site_port = free_ports(2)
        # The tests post and vote faster than any person; limits have their own tests.
        env = {**demo_env(folder), "PNYX_RATE_LIMITS": "off"}
        log_path = folder / "demo.log"
        log = log_path.open("wb")
        command = [sys.executable, "-m", "pnyx", "demo", "--port", str(api_port), "--site-port", str(site_port)]
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
        servers = cls(process, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{site_port}", log_path, log)
        servers.wait_until_up()
        return servers

    def wait_until_up(self) -> None:
        """Poll both servers until they answer; stop and raise after START_TIMEOUT_S."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"pnyx demo exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            if _answers(f"{self.api_url}/readyz") and _answers(f"{self.site_url}/"):
                return
            time.sleep(0.1)  # a server starting up; this is a readiness poll, not a test assertion
        self.stop()
        raise RuntimeError(f"pnyx demo did not answer within {START_TIMEOUT_S}s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        """SIGTERM by PID, then SIGKILL if it has not stopped in time."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_S)
        self.log.close()

    def article(self, key: str) -> str:
        """The URL of a demo article page."""
        return f"{self.site_url}/opinion/{key}"
