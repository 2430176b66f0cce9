"""Racing votes: many readers changing their votes at once must leave counters equal to a recount.

100 readers each fire 4 vote changes on one comment and 4 on the article's points, all at
once through the ASGI app. Whatever order the changes land in, each reader ends with one
vote row per target, and the stored counters equal a recount of those rows.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from httpx import Response
from sqlalchemy import func, select

from pnyx.domain.models import TargetKind
from pnyx.domain.ranking import rank
from pnyx.services.doctor import check_counters
from pnyx.store.tables import comment, thread, vote
from tests.factories import Api, Reader

READERS = 100
CHANGES_EACH = 4
TIME_LIMIT_S = 45


def assert_not_server_error(responses: list[Response]) -> None:
    failures = [(r.status_code, r.text) for r in responses if r.status_code >= 500]
    assert not failures, f"{len(failures)} server errors, first: {failures[0]}"


def racing_values(rng: random.Random) -> list[int]:
    """Four changes in random order, always including a non-zero one so a vote row exists."""
    values = [1, -1, 0, rng.choice([1, -1, 0])]
    rng.shuffle(values)
    return values


async def test_racing_vote_changes_keep_counters_equal_to_a_recount(api: Api) -> None:
    services = api.services
    rng = random.Random(20240601)
    author = Reader()
    key = api.article()
    target = await api.post_ok(author, key, "Vote on me.")
    comment_id = target["id"]

    async with asyncio.timeout(TIME_LIMIT_S):
        # Mint the readers: each one's first vote, sent without a token, creates a guest identity.
        readers = [Reader() for _ in range(READERS)]
        minted = await asyncio.gather(*(api.vote(reader, comment_id, 1) for reader in readers))
        assert_not_server_error(minted)
        assert all(response.status_code == 200 for response in minted), {r.status_code for r in minted}
        assert all(reader.token for reader in readers)

        calls = []
        for reader in readers:
            calls += [api.vote(reader, comment_id, value) for value in racing_values(rng)]
            calls += [api.points(reader, key, value) for value in racing_values(rng)]
        rng.shuffle(calls)
        responses = await asyncio.gather(*calls)

    assert_not_server_error(responses)
    assert {response.status_code for response in responses} == {200}

    async with services.db.read() as conn:
        stored_thread = (
            await conn.execute(
                select(thread.c.id, thread.c.points_up, thread.c.points_down, thread.c.comment_count).where(
                    thread.c.id == select(comment.c.thread_id).where(comment.c.id == comment_id).scalar_subquery()
                )
            )
        ).one()
        stored_comment = (
            await conn.execute(select(comment.c.up, comment.c.down, comment.c.rank).where(comment.c.id == comment_id))
        ).one()
        comment_rows = (
            await conn.execute(
                select(vote.c.identity_id, vote.c.value).where(
                    vote.c.target_kind == TargetKind.COMMENT.value, vote.c.target_id == comment_id
                )
            )
        ).all()
        thread_rows = (
            await conn.execute(
                select(vote.c.identity_id, vote.c.value).where(
                    vote.c.target_kind == TargetKind.THREAD.value, vote.c.target_id == stored_thread.id
                )
            )
        ).all()
        duplicates = (
            await conn.execute(
                select(vote.c.target_kind, vote.c.target_id, vote.c.identity_id, func.count())
                .where(vote.c.target_id.in_([comment_id, stored_thread.id]))
                .group_by(vote.c.target_kind, vote.c.target_id, vote.c.identity_id)
                .having(func.count() > 1)
            )
        ).all()

    # One vote row per reader per target, never doubled.
    assert duplicates == []
    assert len(comment_rows) == READERS
    assert len(thread_rows) == READERS
    assert len({identity for identity, _ in comment_rows}) == READERS
    assert len({identity for identity, _ in thread_rows}) == READERS

    # Stored counters equal a recount of the vote rows.
    comment_tally = Counter(value for _, value in comment_rows)
    assert (stored_comment.up, stored_comment.down) == (comment_tally[1], comment_tally[-1])
    assert stored_comment.rank == rank(comment_tally[1], comment_tally[-1])
    thread_tally = Counter(value for _, value in thread_rows)
    assert (stored_thread.points_up, stored_thread.points_down) == (thread_tally[1], thread_tally[-1])
    assert stored_thread.comment_count == 1

    # The public views agree with the rows.
    page = await api.page(key)
    assert page["thread"]["points_up"] == thread_tally[1]
    assert page["thread"]["points_down"] == thread_tally[-1]
    assert (page["comments"][0]["up"], page["comments"][0]["down"]) == (comment_tally[1], comment_tally[-1])

    # Each reader's /me shows the value their vote rows hold.
    comment_votes = dict(comment_rows)
    thread_votes = dict(thread_rows)
    states = await asyncio.gather(*(api.me(reader, key) for reader in readers))
    for state in states:
        identity_id = state["identity_id"]
        assert state["points_vote"] == thread_votes[identity_id]
        expected = {str(comment_id): comment_votes[identity_id]} if comment_votes[identity_id] else {}
        assert state["votes"] == expected

    # The doctor finds nothing to repair on this thread and comment.
    drifts = await check_counters(services)
    mine = [
        drift
        for drift in drifts
        if (drift.table, drift.row_id) in {("thread", stored_thread.id), ("comment", comment_id)}
    ]
    assert mine == []
