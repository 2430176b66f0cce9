"""The demo: its seed and publisher pages in process, and ``pnyx demo`` as a process serving both origins."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from pnyx.demo import DEMO_EDITOR, DEMO_KEY, DEMO_SITE, SEED, demo_editor, demo_page_origin, prepare_demo
from pnyx.demo.articles import ARTICLES
from pnyx.demo.site import create_site_app
from pnyx.services import accounts, reading
from pnyx.services import sites as site_service
from pnyx.services.container import Services
from tests.browser.servers import STOP_TIMEOUT_S, DemoServers, free_ports


async def _counts(services: Services) -> dict[str, int]:
    return await reading.comment_counts(services, DEMO_SITE, [article.key for article in ARTICLES])


async def test_the_demo_is_seeded_once_with_a_thread_per_article(app: FastAPI) -> None:
    services: Services = app.state.services
    await prepare_demo(services, 8000)
    counts = await _counts(services)
    assert counts == {key: len(seed.comments) for key, seed in SEED.items()}
    assert all(count > 0 for count in counts.values())

    await prepare_demo(services, 8000)
    assert await _counts(services) == counts, "a second start seeds nothing more"


async def test_the_seeded_thread_reads_like_a_conversation(app: FastAPI) -> None:
    services: Services = app.state.services
    await prepare_demo(services, 8000)
    page = await reading.list_comments(services, reading.PageRequest(DEMO_SITE, DEMO_KEY))
    assert page.thread is not None and page.thread.points_up > page.thread.points_down
    assert page.thread.url == "http://127.0.0.1:8001/opinion/four-day-week"
    assert any(node.replies for node in page.nodes), "some comments have replies"
    times = [node.comment.created_at for node in page.nodes]
    assert len(set(times)) == len(times), "seeded comments are spread over time"


async def test_a_custom_port_moves_the_site_origins(app: FastAPI) -> None:
    services: Services = app.state.services
    await prepare_demo(services, 8000)
    await prepare_demo(services, 9000)
    sites = {site.slug: site for site in await site_service.list_sites(services)}
    assert set(sites[DEMO_SITE].origins) == {"http://127.0.0.1:9001", "http://localhost:9001"}
    await prepare_demo(services, 9000, site_port=9500)
    sites = {site.slug: site for site in await site_service.list_sites(services)}
    assert set(sites[DEMO_SITE].origins) == set(demo_page_origin(9000, 9500))


async def test_the_publisher_pages_embed_pnyx_from_its_origin() -> None:
    site = create_site_app("http://127.0.0.1:9000", DEMO_SITE)
    async with AsyncClient(transport=ASGITransport(app=site), base_url="http://127.0.0.1:9001") as http:
        front = await http.get("/")
        article = await http.get(f"/opinion/{DEMO_KEY}")
        missing = await http.get("/opinion/no-such-piece")
        css = await http.get("/demo.css")
    assert front.status_code == 200 and article.status_code == 200
    assert '<script src="http://127.0.0.1:9000/embed.js" async></script>' in article.text
    assert '<script src="http://127.0.0.1:9000/embed.js" data-pnyx-site="demo" async></script>' in front.text
    assert '<div id="pnyx-thread" data-pnyx-site="demo" data-pnyx-key="four-day-week"></div>' in article.text
    assert all(f'data-pnyx-count="{a.key}"' in front.text for a in ARTICLES)
    assert 'href="/opinion/four-day-week#disqus_thread" data-disqus-identifier="four-day-week"' in front.text
    assert missing.status_code == 404
    assert css.headers["content-type"].startswith("text/css")


def test_pnyx_demo_serves_both_origins_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    servers = DemoServers.start(tmp_path)
    try:
        article = httpx.get(servers.article(DEMO_KEY), trust_env=False, timeout=5)
        assert f'<script src="{servers.api_url}/embed.js" async></script>' in article.text
        counts = httpx.get(
            f"{servers.api_url}/api/v1/counts",
            params={"site": DEMO_SITE, "key": DEMO_KEY},
            headers={"Origin": servers.site_url},
            trust_env=False,
            timeout=5,
        )
        assert counts.headers["access-control-allow-origin"] == servers.site_url
        assert counts.json()["counts"][DEMO_KEY] == len(SEED[DEMO_KEY].comments)
        servers.process.send_signal(signal.SIGINT)
        assert servers.process.wait(timeout=STOP_TIMEOUT_S) == 0
    finally:
        servers.stop()


def test_pnyx_demo_names_a_port_in_use(tmp_path: Path) -> None:
    api_port, site_port = free_ports(2)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", site_port))
        result = subprocess.run(
            [sys.executable, "-m", "pnyx", "demo", "--port", str(api_port), "--site-port", str(site_port)],
            cwd=tmp_path,
            env={**os.environ, "PNYX_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"Port {site_port} on 127.0.0.1 is not free" in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_demo_editor_gets_a_new_password_every_start(services: Services) -> None:
    await prepare_demo(services, 8000)
    first = await demo_editor(services)
    second = await demo_editor(services)
    assert first != second and len(second) >= 12
    [listing] = [item for item in await accounts.list_accounts(services) if item.account.email == DEMO_EDITOR]
    assert listing.account.role == "moderator"
