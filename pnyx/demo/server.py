"""Running the demo: pnyx and the publisher site, two uvicorn servers on two ports in one event loop.

Both ports are bound before anything else starts, so a port in use is one sentence, not a traceback
from the middle of start-up. Each ``uvicorn.Server`` catches SIGINT and SIGTERM while it serves, and
when it stops it restores the handler it found and raises the signal again: the second server's
handler stops it first and hands the signal on to the first one, so Ctrl+C stops both. If either
stops on its own, the other is told to stop too.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Literal

import uvicorn
from starlette.types import ASGIApp

from pnyx.config import Settings
from pnyx.demo.seed import DEMO_SITE
from pnyx.demo.site import create_site_app
from pnyx.errors import ConfigError
from pnyx.web.app import create_app


def listen(host: str, *ports: int) -> list[socket.socket]:
    """One bound socket per port; ConfigError with a sentence when a port is taken."""
    bound: list[socket.socket] = []
    for port in ports:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            for other in bound:
                other.close()
            raise ConfigError(
                f"Port {port} on {host} is not free ({exc.strerror}); choose others with --port and --site-port."
            ) from exc
        bound.append(sock)
    return bound


def _server(app: ASGIApp, sock: socket.socket, lifespan: Literal["on", "off"] = "on") -> uvicorn.Server:
    host, port = sock.getsockname()[:2]
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, lifespan=lifespan, proxy_headers=False))


async def serve_together(servers: list[tuple[uvicorn.Server, socket.socket]]) -> None:
    """Serve each server on its socket until any one stops, then stop the rest and wait for them."""
    tasks = [asyncio.create_task(server.serve(sockets=[sock])) for server, sock in servers]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for server, _ in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)


def run_demo(settings: Settings, api_socket: socket.socket, site_socket: socket.socket) -> None:
    """Serve pnyx on ``api_socket`` and the demo publisher site on ``site_socket`` until interrupted."""
    host, port = api_socket.getsockname()[:2]
    servers = [
        (_server(create_app(settings), api_socket), api_socket),
        (_server(create_site_app(f"http://{host}:{port}", DEMO_SITE), site_socket, lifespan="off"), site_socket),
    ]
    try:
        asyncio.run(serve_together(servers))
    except KeyboardInterrupt:
        pass  # Ctrl+C is how the demo is meant to end
