"""SQL statements per update along the filing path (the real PTB bot, both databases): the
shared per-update cost in round trips, printed per step, bounded so it does not grow unseen."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.bench_intake import FILING, STEP_TIMEOUT
from bot.emulator import User
from tests.e2e.conftest import Live

# the outbox sender's claim poll runs on a timer, not per update; BEGIN is not a statement on
# PostgreSQL's driver, so not counted on SQLite either
NOT_COUNTED = ("SELECT pg_advisory_xact_lock", "SELECT outbox.id FROM outbox WHERE outbox.id IN",
               "BEGIN")

# measured on the filing path (both databases) plus 2: an update handled slower than the
# refetch lag is kept in the inbox and dropped again; a step over its bound needs a reason
BOUNDS = {"start": 7, "complain": 7, "describe": 8, "done": 7, "skip": 7,
          "anonymous": 8, "confirm": 21}


@contextmanager
def counting(live: Live) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        flat = " ".join(statement.split())
        if not flat.startswith(NOT_COUNTED):
            seen.append(flat)

    engine = live.app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def settled(user: User, expect: Any) -> None:
    await user.wait_for(expect, timeout=STEP_TIMEOUT)
    await asyncio.sleep(0.3)       # the reply's outbox bookkeeping is part of the step


async def test_statements_per_update_along_the_filing_path(
        backend: str, live: Live, citizen: User) -> None:
    figures: dict[str, int] = {}
    for name, act, expect in FILING:
        with counting(live) as seen:
            await act(citizen)
            await settled(citizen, expect)
        figures[name] = len(seen)
    print(f"\nstatements per update ({backend}): {figures}")
    assert all(figures[k] <= BOUNDS[k] for k in figures), figures
