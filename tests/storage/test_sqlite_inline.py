"""SQLite on the loop's thread: another process's write lock is waited for without blocking
the loop, and the statement then takes effect once."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.migrate import upgrade_async
from storage.uow import Database

NOW = datetime(2001, 1, 5, 8, 0, tzinfo=UTC)


async def test_a_lock_held_elsewhere_is_waited_for_while_the_loop_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inline.db'}"
    await upgrade_async(url)
    db = Database(url)
    other = sqlite3.connect(make_url(url).database or "", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")          # another process holds the write lock
    try:
        async def write() -> bool:
            async with db.uow() as uow:
                first = await uow.updates.first_time(42, NOW)
                await uow.commit()
                return first

        writing = asyncio.create_task(write())
        ticks, start = 0, time.monotonic()
        while time.monotonic() - start < 0.5:   # the loop keeps running meanwhile
            await asyncio.sleep(0.01)
            ticks += 1
        assert not writing.done() and ticks > 20
        other.execute("COMMIT")
        assert await asyncio.wait_for(writing, 10)
        async with db.uow() as uow:
            assert not await uow.updates.first_time(42, NOW)
    finally:
        other.close()
        await db.dispose()
