"""``pnyx doctor``: recounting counters from their source rows, reporting drift, repairing it.

Other tests share the database, so assertions look only at this test's own thread and comments.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, update

from pnyx.config import Settings
from pnyx.domain.ranking import rank
from pnyx.services import comments as comment_service
from pnyx.services import sites as site_service
from pnyx.services import votes as vote_service
from pnyx.services.container import Services
from pnyx.services.doctor import Drift, check_counters
from pnyx.services.readers import Reader as ServiceReader
from pnyx.services.threads import ThreadRef
from pnyx.store.migrate import upgrade
from pnyx.store.tables import comment, thread
from tests.factories import ORIGIN, Api, Reader

CLI_TIMEOUT_S = 60
SECRET = "doctor-test-secret-" + "y" * 40


def mine(drifts: list[Drift], thread_ids: set[int], comment_ids: set[int]) -> set[tuple[str, int, str, int, int]]:
    """Drifts on the given rows, as comparable tuples."""
    return {
        (drift.table, drift.row_id, drift.column, drift.stored, drift.actual)
        for drift in drifts
        if (drift.table == "thread" and drift.row_id in thread_ids)
        or (drift.table == "comment" and drift.row_id in comment_ids)
    }


async def thread_id_of(api: Api, comment_id: int) -> int:
    async with api.services.db.read() as conn:
        query = select(comment.c.thread_id).where(comment.c.id == comment_id)
        return int((await conn.execute(query)).scalar_one())


async def test_doctor_finds_exactly_the_corrupted_counters_and_repairs_them(api: Api) -> None:
    services = api.services
    author = Reader()
    voters = [Reader() for _ in range(3)]
    key = api.article()
    liked = await api.post_ok(author, key, "Liked.")
    mixed = await api.post_ok(author, key, "Mixed.")
    quiet = await api.post_ok(author, key, "Quiet.")
    gone = await api.post_ok(author, key, "Deleted soon.")
    for voter in voters[:2]:
        assert (await api.vote(voter, liked["id"], 1)).status_code == 200
    assert (await api.vote(voters[0], mixed["id"], 1)).status_code == 200
    assert (await api.vote(voters[1], mixed["id"], -1)).status_code == 200
    assert (await api.vote(voters[2], mixed["id"], 1)).status_code == 200
    assert (await api.vote(voters[2], mixed["id"], 0)).status_code == 200
    for voter, value in zip(voters, [1, 1, -1], strict=True):
        assert (await api.points(voter, key, value)).status_code == 200
    assert (await api.client.delete(f"/api/v1/comments/{gone['id']}", headers=author.headers())).status_code == 204

    thread_id = await thread_id_of(api, liked["id"])
    threads = {thread_id}
    comments = {liked["id"], mixed["id"], quiet["id"], gone["id"]}

    # Counters kept by the services agree with a recount.
    assert mine(await check_counters(services), threads, comments) == set()

    async with services.db.write() as conn:
        await conn.execute(update(thread).where(thread.c.id == thread_id).values(comment_count=99, points_up=0))
        await conn.execute(update(comment).where(comment.c.id == liked["id"]).values(up=7))
        await conn.execute(update(comment).where(comment.c.id == mixed["id"]).values(rank=12345))
        version = (await conn.execute(select(thread.c.version).where(thread.c.id == thread_id))).scalar_one()

    expected = {
        ("thread", thread_id, "comment_count", 99, 3),
        ("thread", thread_id, "points_up", 0, 2),
        ("comment", liked["id"], "up", 7, 2),
        ("comment", mixed["id"], "rank", 12345, rank(1, 1)),
    }
    assert mine(await check_counters(services), threads, comments) == expected
    # A check without repair changes nothing.
    assert mine(await check_counters(services), threads, comments) == expected

    assert mine(await check_counters(services, repair=True), threads, comments) == expected
    assert mine(await check_counters(services), threads, comments) == set()

    async with services.db.read() as conn:
        repaired = (await conn.execute(select(thread).where(thread.c.id == thread_id))).one()
        liked_row = (await conn.execute(select(comment).where(comment.c.id == liked["id"]))).one()
        mixed_row = (await conn.execute(select(comment).where(comment.c.id == mixed["id"]))).one()
    assert (repaired.comment_count, repaired.points_up, repaired.points_down) == (3, 2, 1)
    assert repaired.version > version, "a repair changes what readers see, so the version grows"
    assert (liked_row.up, liked_row.down, liked_row.rank) == (2, 0, rank(2, 0))
    assert (mixed_row.up, mixed_row.down, mixed_row.rank) == (1, 1, rank(1, 1))

    page = await api.page(key)
    assert page["total"] == 3
    assert page["thread"]["points"] == 1


async def test_doctor_finds_counters_with_no_votes_behind_them(api: Api) -> None:
    services = api.services
    author = Reader()
    key = api.article()
    lonely = await api.post_ok(author, key, "Nobody voted.")
    thread_id = await thread_id_of(api, lonely["id"])

    async with services.db.write() as conn:
        await conn.execute(update(comment).where(comment.c.id == lonely["id"]).values(down=4))
        await conn.execute(update(thread).where(thread.c.id == thread_id).values(points_down=5))

    expected = {
        ("comment", lonely["id"], "down", 4, 0),
        ("thread", thread_id, "points_down", 5, 0),
    }
    assert mine(await check_counters(services, repair=True), {thread_id}, {lonely["id"]}) == expected
    assert mine(await check_counters(services), {thread_id}, {lonely["id"]}) == set()


def cli_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PNYX_")}
    env.update(
        PNYX_DATABASE_URL=database_url,
        PNYX_SECRET_KEY=SECRET,
        PNYX_DATA_DIR=str(data_dir),
        PNYX_CONFIG=str(data_dir / "absent.toml"),
        COLUMNS="200",
    )
    return env


def pnyx(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pnyx", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


async def test_doctor_command_exit_codes(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'doctor.db'}"
    env = cli_env(database_url, tmp_path)

    clean = pnyx(env, tmp_path, "doctor")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "All counters match" in clean.stdout

    services = Services.build(Settings(database_url=database_url, secret_key=SECRET, rate_limits="off"))
    try:
        await upgrade(services.db)
        await site_service.add_site(services, "daily", [ORIGIN])
        ref = ThreadRef("daily", f"{ORIGIN}/news/doctor")
        posted = await comment_service.post_comment(
            services, comment_service.NewPost(thread=ref, body="Count me."), ServiceReader()
        )
        await vote_service.vote_comment(services, posted.comment.id, 1, ServiceReader())
        async with services.db.write() as conn:
            await conn.execute(update(comment).where(comment.c.id == posted.comment.id).values(up=3))
            await conn.execute(update(thread).where(thread.c.id == posted.thread.id).values(comment_count=0))
    finally:
        await services.close()

    drifted = pnyx(env, tmp_path, "doctor")
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    assert "2 counters drifted" in drifted.stdout
    assert "comment_count" in drifted.stdout
    assert "Traceback" not in drifted.stderr

    repaired = pnyx(env, tmp_path, "doctor", "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "Repaired 2" in repaired.stdout

    after = pnyx(env, tmp_path, "doctor")
    assert after.returncode == 0, after.stdout + after.stderr
    assert "All counters match" in after.stdout
