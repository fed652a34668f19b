"""SQL statements per update along the filing path (the real PTB bot, both databases): the
shared per-update cost in round trips, printed per step, bounded so it does not grow unseen."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event

from bot.bench_intake import FILING, STEP_TIMEOUT
from bot.emulator import User
from tests.e2e.conftest import Live

# the outbox sender's claim poll runs on a timer, not per update; BEGIN and COMMIT are not
# statements on PostgreSQL's driver, so not counted on SQLite either
NOT_COUNTED = ("SELECT pg_advisory_xact_lock", "SELECT outbox.id FROM outbox WHERE outbox.id IN",
               "BEGIN", "COMMIT", "ROLLBACK")

# measured on the filing path (both databases) plus 2: an update handled slower than the
# refetch lag is kept in the inbox and dropped again; a step over its bound needs a reason
# (sqlite3 counts each row of an executemany: confirm's two events and two deadlines)
BOUNDS = {"start": 7, "complain": 7, "describe": 8, "done": 7, "skip": 7,
          "anonymous": 8, "confirm": 23}


@asynccontextmanager
async def counting(live: Live) -> AsyncIterator[list[str]]:
    """Every statement the database driver runs: on SQLite as sqlite3 itself sees them (the
    hot statements bypass SQLAlchemy's execution), on PostgreSQL as SQLAlchemy sends them."""
    seen: list[str] = []

    def count(statement: str) -> None:
        flat = " ".join(statement.split())
        if not flat.startswith(NOT_COUNTED):
            seen.append(flat)

    engine = live.app.db.engine
    if engine.dialect.name == "sqlite":
        async with engine.connect() as conn:   # the engine's one connection
            raw = (await conn.get_raw_connection()).driver_connection
        sqlite = raw._connection  # type: ignore[union-attr]
        sqlite.set_trace_callback(count)
        try:
            yield seen
        finally:
            sqlite.set_trace_callback(None)
        return

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        count(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)


async def settled(user: User, expect: Any) -> None:
    await user.wait_for(expect, timeout=STEP_TIMEOUT)
    await asyncio.sleep(0.3)       # the reply's outbox bookkeeping is part of the step


async def test_statements_per_update_along_the_filing_path(
        backend: str, live: Live, citizen: User) -> None:
    figures: dict[str, int] = {}
    for name, act, expect in FILING:
        async with counting(live) as seen:
            await act(citizen)
            await settled(citizen, expect)
        figures[name] = len(seen)
    print(f"\nstatements per update ({backend}): {figures}")
    assert all(figures[k] <= BOUNDS[k] for k in figures), figures
