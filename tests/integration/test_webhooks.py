"""Webhooks: enqueued with the change they report, signed and posted by the worker to a real HTTP receiver.

The receiver is a small asyncio HTTP/1.1 server on a free loopback port, started and stopped by
each test; it answers with the statuses a test scripts, then 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import delete, select

import pnyx.jobs.webhooks
from pnyx import __version__
from pnyx.config import Settings
from pnyx.domain.webhooks import REPORT_FILED, verify_signature
from pnyx.errors import Invalid
from pnyx.jobs.mail import MemoryMailer
from pnyx.jobs.webhooks import WebhookSender
from pnyx.jobs.worker import Worker
from pnyx.services import webhooks as webhook_service
from pnyx.services.container import Services
from pnyx.services.sites import site_by_slug
from pnyx.store import tables
from tests.conftest import TEST_SECRET, FakeClock
from tests.factories import Api, Reader
from tests.integration.comments_support import forbid_server_errors
from tests.integration.test_cli import Cli, clean_env

RECEIVER_TIMEOUT_S = 5.0
TEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Received:
    """One request as it reached the receiver; header names in lower case."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP/1.1 server on 127.0.0.1 that answers each request with the next scripted status (then 200)."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def url(self, path: str = "/hooks/pnyx?source=test") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(RECEIVER_TIMEOUT_S):
                self.received.append(await _read_request(reader))
            status = self.statuses.pop(0) if self.statuses else 200
            location = "Location: http://127.0.0.1:9/elsewhere\r\n" if 300 <= status < 400 else ""
            head = f"HTTP/1.1 {status} Scripted\r\nContent-Length: 2\r\n{location}Connection: close\r\n\r\n"
            writer.write(head.encode() + b"ok")
            await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> Received:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request_line, *lines = head.split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Received(method, target, headers, body)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # No embedded worker: the test's own worker, on the test's clock, is the only one delivering.
    return Settings(
        database_url=db_url,
        secret_key=TEST_SECRET,
        rate_limits="off",
        data_dir=tmp_path,
        worker="external",
        webhook_private_targets=True,
    )


@pytest.fixture
async def services(app: FastAPI, client: AsyncClient) -> Services:
    """The app's services with an empty outbox (the test databases live for the whole run); no 5xx allowed."""
    forbid_server_errors(client)
    found: Services = app.state.services
    async with found.db.write() as conn:
        await conn.execute(delete(tables.outbox))
    return found


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _worker(services: Services, clock: FakeClock, sender: WebhookSender | None = None) -> Worker:
    webhooks = sender or WebhookSender(allow_private=True, timeout=RECEIVER_TIMEOUT_S)
    return Worker(services.db, MemoryMailer(), clock, webhooks=webhooks)


async def _run(worker: Worker) -> int:
    async with asyncio.timeout(TEST_TIMEOUT_S):
        return await worker.run_once()


async def _rows(services: Services) -> list[dict[str, Any]]:
    query = select(tables.outbox).where(tables.outbox.c.kind == "webhook").order_by(tables.outbox.c.id)
    async with services.db.read() as conn:
        return [dict(row._mapping) for row in await conn.execute(query)]


async def _report(api: Api, comment_id: int) -> None:
    response = await api.client.post(
        f"/api/v1/comments/{comment_id}/report", json={"reason": "spam"}, headers=Reader().headers()
    )
    assert response.status_code == 201, response.text


async def test_a_comment_enqueues_one_delivery_per_interested_hook(
    api: Api, services: Services, receiver: Receiver
) -> None:
    created, _ = await webhook_service.add_hook(services, api.site, receiver.url("/a"), ["comment.created"])
    await webhook_service.add_hook(services, api.site, receiver.url("/b"), ["report.filed"])
    everything, _ = await webhook_service.add_hook(services, api.site, receiver.url("/c"))
    article = api.article()
    comment = await api.post_ok(Reader(), article, "Hello *there*", author_name="Ana", author_email="ana@example.org")

    rows = await _rows(services)
    assert [row["payload"]["hook_id"] for row in rows] == [created.id, everything.id]
    assert [row["dedupe_key"] for row in rows] == [
        f"hook:{created.id}:comment.created:{comment['id']}",
        f"hook:{everything.id}:comment.created:{comment['id']}",
    ]
    bodies = [json.loads(row["payload"]["body"]) for row in rows]
    assert [body["id"] for body in bodies] == [row["payload"]["delivery_id"] for row in rows]
    assert bodies[0]["id"] != bodies[1]["id"], "each hook gets its own delivery id"
    body = bodies[0]
    assert body["event"] == "comment.created" and body["site"] == api.site
    assert body["data"]["id"] == comment["id"] and body["data"]["author_name"] == "Ana"
    assert body["data"]["body_html"] == comment["body_html"]
    assert body["data"]["thread"]["key"] == article and body["data"]["parent_id"] is None
    assert body["data"]["status"] == "approved"
    assert "ana@example.org" not in rows[0]["payload"]["body"]
    assert not {"author_email", "ip_hash", "identity_id"} & set(body["data"])


async def test_a_rolled_back_write_enqueues_nothing(api: Api, services: Services, receiver: Receiver) -> None:
    await webhook_service.add_hook(services, api.site, receiver.url())
    site = await site_by_slug(services, api.site)
    with pytest.raises(RuntimeError):
        async with services.db.write() as conn:
            enqueued = await webhook_service.enqueue_event(conn, services, site, "comment.approved", {"id": 1})
            assert enqueued == 1
            raise RuntimeError("the change this event reports failed")
    assert await _rows(services) == []


async def test_the_worker_posts_a_signed_request_with_the_documented_headers(
    api: Api, services: Services, receiver: Receiver, clock: FakeClock
) -> None:
    hook, secret = await webhook_service.add_hook(services, api.site, receiver.url(), ["comment.created"])
    await api.post_ok(Reader(), api.article())
    worker = _worker(services, clock)
    assert await _run(worker) == 1
    assert await _run(worker) == 0

    [request] = receiver.received
    [row] = await _rows(services)
    assert request.method == "POST" and request.target == "/hooks/pnyx?source=test"
    assert request.body == row["payload"]["body"].encode()
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == f"pnyx/{__version__}"
    assert request.headers["x-pnyx-event"] == "comment.created"
    assert request.headers["x-pnyx-delivery"] == row["payload"]["delivery_id"] == json.loads(request.body)["id"]
    signature = request.headers["x-pnyx-signature"]
    assert signature.startswith(f"t={int(clock().timestamp())},v1=")
    assert verify_signature(secret, signature, request.body, now=clock().timestamp())
    assert not verify_signature(secret + "x", signature, request.body, now=clock().timestamp())
    assert row["sent_at"] == clock() and row["attempts"] == 0 and row["payload"]["hook_id"] == hook.id


async def test_a_failing_receiver_gets_the_same_delivery_after_backoff(
    api: Api, services: Services, receiver: Receiver, clock: FakeClock
) -> None:
    _, secret = await webhook_service.add_hook(services, api.site, receiver.url(), ["comment.created"])
    await api.post_ok(Reader(), api.article())
    receiver.statuses = [500]
    worker = _worker(services, clock)

    assert await _run(worker) == 1
    [row] = await _rows(services)
    assert row["sent_at"] is None and row["attempts"] == 1 and "answered 500" in row["last_error"]
    assert row["next_attempt_at"] >= clock() + timedelta(seconds=30)
    assert await _run(worker) == 0, "not due again before the backoff"

    clock.advance(minutes=1)
    assert await _run(worker) == 1
    clock.advance(hours=2)
    assert await _run(worker) == 0
    first, second = receiver.received
    assert first.headers["x-pnyx-delivery"] == second.headers["x-pnyx-delivery"]
    assert first.body == second.body
    # Signed at each attempt: the retry carries a fresh timestamp a receiver accepts.
    assert first.headers["x-pnyx-signature"] != second.headers["x-pnyx-signature"]
    assert verify_signature(secret, second.headers["x-pnyx-signature"], second.body, now=clock().timestamp() - 7200)
    [row] = await _rows(services)
    assert row["sent_at"] is not None and row["attempts"] == 1


@pytest.mark.parametrize("status", [302, 404, 410])
async def test_a_redirect_or_refusal_is_not_success(
    api: Api, services: Services, receiver: Receiver, clock: FakeClock, status: int
) -> None:
    await webhook_service.add_hook(services, api.site, receiver.url(), ["comment.created"])
    await api.post_ok(Reader(), api.article())
    receiver.statuses = [status]
    assert await _run(_worker(services, clock)) == 1
    [row] = await _rows(services)
    assert row["sent_at"] is None and f"answered {status}" in row["last_error"]
    assert len(receiver.received) == 1, "a redirect is not followed"


async def test_a_removed_hooks_delivery_is_dropped(
    api: Api, services: Services, receiver: Receiver, clock: FakeClock
) -> None:
    hook, _ = await webhook_service.add_hook(services, api.site, receiver.url())
    await api.post_ok(Reader(), api.article())
    await webhook_service.remove_hook(services, api.site, hook.id)
    assert await webhook_service.list_hooks(services, api.site) == []

    worker = _worker(services, clock)
    assert await _run(worker) == 1
    assert await _run(worker) == 0
    assert receiver.received == []
    [row] = await _rows(services)
    assert row["sent_at"] is not None and row["last_error"] is None, "done, not failing forever"


async def test_a_report_enqueues_report_filed(
    api: Api, services: Services, receiver: Receiver, clock: FakeClock
) -> None:
    _, secret = await webhook_service.add_hook(services, api.site, receiver.url(), [REPORT_FILED])
    article = api.article()
    comment = await api.post_ok(Reader(), article, "Buy cheap watches at my shop")
    assert await _rows(services) == [], "this hook does not want comment.created"
    await _report(api, comment["id"])

    assert await _run(_worker(services, clock)) == 1
    [request] = receiver.received
    assert request.headers["x-pnyx-event"] == REPORT_FILED
    assert verify_signature(secret, request.headers["x-pnyx-signature"], request.body, now=clock().timestamp())
    body = json.loads(request.body)
    assert body["event"] == REPORT_FILED and body["site"] == api.site
    assert body["data"]["comment_id"] == comment["id"] and body["data"]["reason"] == "spam"
    assert body["data"]["thread"]["key"] == article
    assert set(body["data"]) == {"comment_id", "thread", "reason", "created_at"}, "nothing about the reporter"


async def test_a_private_target_is_refused_at_add_time_unless_allowed(api: Api, services: Services) -> None:
    strict = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"webhook_private_targets": False})
    )
    with pytest.raises(Invalid, match="PNYX_WEBHOOK_PRIVATE_TARGETS"):
        await webhook_service.add_hook(strict, api.site, "http://127.0.0.1:8080/hook")
    with pytest.raises(Invalid, match="no webhook event"):
        await webhook_service.add_hook(strict, api.site, "https://hooks.example/in", ["comment.deleted"])
    assert await webhook_service.list_hooks(services, api.site) == []
    hook, _ = await webhook_service.add_hook(services, api.site, "http://127.0.0.1:8080/hook")
    assert hook.events == ("comment.created", "comment.approved", "report.filed", "queue.alert")


async def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery(
    api: Api, services: Services, receiver: Receiver, clock: FakeClock
) -> None:
    await webhook_service.add_hook(services, api.site, f"http://receiver.example:{receiver.port}/hook")
    await api.post_ok(Reader(), api.article())

    async def rebound(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    sender = WebhookSender(allow_private=False, resolver=rebound, timeout=RECEIVER_TIMEOUT_S)
    assert await _run(_worker(services, clock, sender)) == 1
    [row] = await _rows(services)
    assert row["sent_at"] is None and row["attempts"] == 1
    assert row["last_error"].startswith("UnsafeTarget: receiver.example resolves to a loopback")
    assert receiver.received == []


async def test_a_checked_name_is_posted_to_the_address_that_was_checked(
    api: Api, services: Services, receiver: Receiver, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, secret = await webhook_service.add_hook(services, api.site, f"http://receiver.example:{receiver.port}/h?x=1")
    await api.post_ok(Reader(), api.article())
    resolved: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        resolved.append(f"{host}:{port}")
        return ["127.0.0.1"]

    # Loopback stands in for a public address here; the connection must go to it, not re-resolve the name.
    monkeypatch.setattr(pnyx.jobs.webhooks, "is_public_address", lambda address: True)
    sender = WebhookSender(allow_private=False, resolver=resolver, timeout=RECEIVER_TIMEOUT_S)
    assert await _run(_worker(services, clock, sender)) == 1
    assert resolved == [f"receiver.example:{receiver.port}"]
    [request] = receiver.received
    assert request.headers["host"] == f"receiver.example:{receiver.port}" and request.target == "/h?x=1"
    assert verify_signature(secret, request.headers["x-pnyx-signature"], request.body, now=clock().timestamp())


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path, {**clean_env(tmp_path), "PNYX_SECRET_KEY": TEST_SECRET})


def test_the_cli_adds_lists_and_removes_webhooks(cli: Cli) -> None:
    cli.ok("site", "add", "daily", "--origin", "https://news.example")
    out = cli.ok("site", "webhook", "add", "daily", "https://hooks.example/in", "--event", "report.filed")
    assert "posts report.filed to https://hooks.example/in" in out and "shown only now" in out
    secret = out.strip().splitlines()[-1]
    assert len(secret) >= 40 and " " not in secret

    listing = cli.ok("site", "webhook", "list", "daily")
    assert "https://hooks.example/in" in listing and "report.filed" in listing
    assert secret not in listing, "the secret is shown once, never listed"
    hook_id = listing.split("https://hooks.example/in")[0].split("│")[-2].strip()

    assert "already" in cli.fails("site", "webhook", "add", "daily", "https://hooks.example/in")
    assert "no webhook event 'comment.gone'" in cli.fails(
        "site", "webhook", "add", "daily", "https://hooks.example/2", "--event", "comment.gone"
    )
    assert "no site named" in cli.fails("site", "webhook", "list", "missing")

    assert f"Webhook {hook_id} removed" in cli.ok("site", "webhook", "remove", "daily", hook_id)
    assert "has no webhooks" in cli.ok("site", "webhook", "list", "daily")
    assert f"has no webhook {hook_id}" in cli.fails("site", "webhook", "remove", "daily", hook_id)


def test_the_cli_refuses_a_private_target_unless_the_setting_allows_it(cli: Cli) -> None:
    cli.ok("site", "add", "daily", "--origin", "https://news.example")
    message = cli.fails("site", "webhook", "add", "daily", "http://127.0.0.1:9000/hook")
    assert "PNYX_WEBHOOK_PRIVATE_TARGETS" in message
    out = cli.ok("site", "webhook", "add", "daily", "http://127.0.0.1:9000/hook", PNYX_WEBHOOK_PRIVATE_TARGETS="1")
    assert "comment.created, comment.approved, report.filed, queue.alert" in out
