"""Delivering webhooks: sign each outbox row when it is sent and POST it to the hook's URL.

The secret is read from the hook at delivery, so a delivery retried after the secret changed
carries a signature the receiver can check today. Unless private targets are allowed, the host
is resolved here, every address it resolves to must be public, and the request goes to the
checked address (the name travels in Host and SNI): a name that re-resolves to 127.0.0.1
between the check and the connection (DNS rebinding) cannot reach the machine pnyx runs on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx

from pnyx import __version__
from pnyx.domain.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    is_public_address,
    signature_header,
)
from pnyx.store import webhooks as webhook_store
from pnyx.store.engine import Database

log = logging.getLogger("pnyx.webhooks")
TIMEOUT_S = 10.0
USER_AGENT = f"pnyx/{__version__}"
DEFAULT_PORTS = {"http": 80, "https": 443}
# (host, port) -> the addresses a connection to it may use.
Resolver = Callable[[str, int], Awaitable[list[str]]]


class DeliveryFailed(Exception):
    """A delivery did not get a 2xx answer; the worker records it and retries later."""


class UnsafeTarget(DeliveryFailed):
    """The hook's host resolves to an address pnyx does not post to."""


async def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to now, as the system resolver answers."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class WebhookSender:
    """Posts webhook deliveries, refusing private targets unless ``allow_private``."""

    def __init__(
        self, *, allow_private: bool = False, resolver: Resolver = resolve, timeout: float = TIMEOUT_S
    ) -> None:
        self.allow_private, self.resolver, self.timeout = allow_private, resolver, timeout

    async def deliver(self, db: Database, payload: dict[str, Any], now: datetime) -> None:
        """Sign and post one delivery; raise unless the receiver answers 2xx. A removed hook's delivery is dropped."""
        async with db.read() as conn:
            hook = await webhook_store.get_hook(conn, payload["hook_id"])
        if hook is None:
            log.info("webhook %s was removed; dropping delivery %s", payload["hook_id"], payload["delivery_id"])
            return
        body = payload["body"].encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: payload["event"],
            DELIVERY_HEADER: payload["delivery_id"],
            SIGNATURE_HEADER: signature_header(hook.secret, body, int(now.timestamp())),
        }
        url = httpx.URL(hook.url)
        try:
            async with asyncio.timeout(self.timeout):
                status = await self._post(await self._request(url, body, headers))
        except TimeoutError as exc:
            raise DeliveryFailed(f"{url.host} did not answer within {self.timeout:g} s") from exc
        if not 200 <= status < 300:
            raise DeliveryFailed(f"{url.host} answered {status}")

    async def _post(self, request: httpx.Request) -> int:
        # No proxies or .netrc from the environment: credentials must never ride along to a hook's host.
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False, trust_env=False) as client:
            # Streamed and closed unread: only the status matters, and a receiver's body could be huge.
            response = await client.send(request, stream=True)
            await response.aclose()
            return response.status_code

    async def _request(self, url: httpx.URL, body: bytes, headers: dict[str, str]) -> httpx.Request:
        if self.allow_private:
            return httpx.Request("POST", url, content=body, headers=headers)
        address = await self._public_address(url.host, url.port or DEFAULT_PORTS.get(url.scheme, 80))
        pinned = {**headers, "Host": url.netloc.decode("ascii")}
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        return httpx.Request("POST", url.copy_with(host=address), content=body, headers=pinned, extensions=extensions)

    async def _public_address(self, host: str, port: int) -> str:
        """The address to connect to: the first the host resolves to, if every one of them is public."""
        try:
            addresses = await self.resolver(host, port)
        except OSError as exc:
            raise DeliveryFailed(f"{host} could not be resolved: {exc}") from exc
        # A scoped address (fe80::1%eth0) is link-local, refused below; the scope only gets in the parser's way.
        parsed = [ipaddress.ip_address(address.split("%", 1)[0]) for address in addresses]
        if not parsed or not all(is_public_address(address) for address in parsed):
            raise UnsafeTarget(
                f"{host} resolves to a loopback, private or reserved address; set PNYX_WEBHOOK_PRIVATE_TARGETS "
                "to allow it"
            )
        return str(parsed[0])
