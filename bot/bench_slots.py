"""`zhiyong bench slots`: what taking a send slot costs on a big outbox.

Every message takes a slot before it is sent (`workflow/outbox/ratelimit.take_slot`): one short
transaction, serialised per bot, reading the slots of the last second bot-wide and of the
chat's last minute. Seeds `rows` sent messages (a quarter of them to one department group, so
the group has a long history), then times `slots` slot-takings to that group and to people.
Prints one JSON line per audience and the query plans: the reads are ranges of
(status, claimed_at), so the cost follows the recent sends, not a group's history.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.app import build_app
from bot.bench_sweep import _ts, scratch_database
from bot.config import Settings
from storage.db import is_sqlite
from storage.migrate import upgrade_async
from workflow.chat.messages import Outgoing
from workflow.deadlines.clock import FakeClock
from workflow.model import OutboxMessage
from workflow.outbox import queue
from workflow.outbox.ratelimit import RateLimits, take_slot

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
GROUP, PERSON0 = -1001, 5000


def _seed_sql(rows: int, sqlite: bool) -> str:
    """`rows` sent messages over the last `rows` seconds; every 4th to the group."""
    at = (f"strftime('%Y-%m-%d %H:%M:%f000', '{_ts(NOW, True)}', '-' || x || ' seconds')"
          if sqlite else f"'{NOW.isoformat()}'::timestamptz - x * interval '1 second'")
    series = ("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s "
              f"WHERE x < {rows}) " if sqlite else "")
    src = "FROM s" if sqlite else f"FROM generate_series(1, {rows}) AS s(x)"
    return (f"{series}INSERT INTO outbox (chat_id, payload, dedupe_key, created_at, not_before, "
            "kind, status, attempts, claimed_at, claimed_by, sent_at, message_id, error) "
            f"SELECT CASE WHEN x % 4 = 0 THEN {GROUP} ELSE {PERSON0} + x % 5000 END, '{{}}', "
            f"'hist:' || x, {at}, {at}, 'bench', 'sent', 1, {at}, 'bench', {at}, x, '' {src}")


async def _claimed(ctx: Any, chat: int, n: int) -> list[OutboxMessage]:
    rows = [queue.row(ctx, Outgoing(chat, "rating.done", {}), f"bench:{chat}:{i}", None,
                      "bench", ctx.now(), ctx.now()) for i in range(n)]
    async with ctx.uow() as uow:
        claimed = await uow.outbox.add_replies(rows, "bench", ctx.now())
        await uow.commit()
    return claimed


async def _time(ctx: Any, clock: FakeClock, messages: list[OutboxMessage],
                step: float) -> tuple[list[float], int]:
    limits, spent, waited = RateLimits(), [], 0
    for msg in messages:
        clock.advance(seconds=step)
        t = time.perf_counter()
        waited += await take_slot(ctx, limits, msg) > 0
        spent.append((time.perf_counter() - t) * 1000)
    return spent, waited


async def _plans(app: Any, sqlite: bool) -> list[str]:
    since = _ts(NOW - timedelta(minutes=1), sqlite)
    reads = [("bot", "SELECT claimed_at FROM outbox WHERE status IN ('claimed', 'sent') "
              "AND sent_at IS NOT NULL AND claimed_at > :since"),
             ("chat", f"SELECT claimed_at FROM outbox WHERE status IN ('claimed', 'sent') "
              f"AND sent_at IS NOT NULL AND chat_id + 0 = {GROUP} AND claimed_at > :since")]
    lines = []
    async with app.db.engine.connect() as conn:
        for name, sql in reads:
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            params = {"since": since if sqlite else NOW - timedelta(minutes=1)}
            for r in await conn.execute(text(explain + sql), params):
                lines.append(f"plan ({name}): {r[-1] if sqlite else r[0]}")
    return lines


async def _bench(settings: Settings, url: str, rows: int, slots: int) -> None:
    sqlite = is_sqlite(url)
    s = settings.model_copy(deep=True)
    s.storage.url = url
    await upgrade_async(url)
    clock = FakeClock(NOW)
    app = build_app(s, clock=clock)
    ctx = replace(app.ctx, clock=clock)
    async with app.db.engine.begin() as conn:
        await conn.execute(text(_seed_sql(rows, sqlite)))
        await conn.execute(text("ANALYZE"))
    for chat, step in ((GROUP, 3.0), (PERSON0, 1.0)):
        spent, waited = await _time(ctx, clock, await _claimed(ctx, chat, slots), step)
        print(json.dumps({"db": "sqlite" if sqlite else "postgresql", "rows": rows,
                          "chat": "group" if chat < 0 else "person", "slots": slots,
                          "ms_median": round(statistics.median(spent), 2),
                          "ms_max": round(max(spent), 2), "refused": waited}))
    for line in await _plans(app, sqlite):
        print(line)
    await app.close()


async def run_bench(settings: Settings, rows: int, slots: int, db: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="zy-bench-") as tmp:
        async with scratch_database(db, Path(tmp)) as url:
            await _bench(settings, url, rows, slots)


def bench_slots(settings: Settings, rows: int, slots: int, db: str | None) -> None:
    asyncio.run(run_bench(settings, rows, slots, db))
