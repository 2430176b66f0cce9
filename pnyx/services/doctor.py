"""``pnyx doctor``: recount every counter from its source rows, report drift, and repair it on request."""

from __future__ import annotations

from dataclasses import dataclass

from pnyx.domain.ranking import rank
from pnyx.services.container import Services
from pnyx.store import counters


@dataclass(frozen=True, slots=True)
class Drift:
    """One counter whose stored value differs from its recount."""

    table: str
    row_id: int
    column: str
    stored: int
    actual: int


def _drifts(recount: counters.Recount) -> list[Drift]:
    return [
        Drift(recount.table, recount.row_id, column, recount.stored[column], actual)
        for column, actual in recount.actual.items()
        if recount.stored[column] != actual
    ]


async def check_counters(services: Services, *, repair: bool = False) -> list[Drift]:
    """Every drifted counter; with ``repair`` each is overwritten by its recount in the same transaction."""
    found: list[Drift] = []
    async with services.db.write() if repair else services.db.read() as conn:
        async for recount in counters.thread_recounts(conn):
            drifts = _drifts(recount)
            if drifts and repair:
                await counters.write_thread_counters(conn, recount.row_id, recount.actual)
            found.extend(drifts)
        async for recount in counters.comment_recounts(conn):
            actual = {**recount.actual, "rank": rank(recount.actual["up"], recount.actual["down"])}
            drifts = _drifts(counters.Recount(recount.table, recount.row_id, recount.stored, actual))
            if drifts and repair:
                await counters.write_comment_counters(conn, recount.row_id, **actual)
            found.extend(drifts)
    return found
