"""`zhiyong bench sweep`: how long one deadline sweep takes on a big table.

Seeds `rows` tickets (`open` of them in handling, each with its four pending ladder actions;
the closed ones with a finished action each), then for every requested number of due actions
makes that many reminders due and times one sweep. Prints one JSON line per sweep and the
query plan of the claim. The claim is an index range scan on (status, due_at): the cost
follows the number of due actions, not the size of the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import click
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import build_app
from bot.config import Settings
from storage.catalogue import sync_departments
from storage.db import is_sqlite
from storage.migrate import upgrade_async
from storage.ops_figures import OpsQuery
from workflow.deadlines.clock import FakeClock
from workflow.deadlines.sweep import SweepPolicy, sweep

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)          # a Tuesday, 10:00 in Shanghai
DAY = timedelta(days=1)


def _ts(dt: datetime, sqlite: bool) -> str:
    """Literal timestamps as the AwareDateTime column stores them."""
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else dt.isoformat()


def _seed_sql(rows: int, open_: int, sqlite: bool, departments: list[str]) -> list[str]:
    """Set-based seeding (seconds for a million rows, not minutes of ORM inserts)."""
    ts = lambda dt: f"'{_ts(dt, sqlite)}'" + ("" if sqlite else "::timestamptz")  # noqa: E731
    series = ("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < {n}) "
              if sqlite else "")
    src = "FROM s" if sqlite else "FROM generate_series(1, {n}) AS s(x)"
    dept = "CASE x % {k} {whens} END".format(
        k=len(departments),
        whens=" ".join(f"WHEN {i} THEN '{d}'" for i, d in enumerate(departments)))
    true, false = ("1", "0") if sqlite else ("true", "false")
    state = f"CASE WHEN x <= {open_} THEN 'signed' ELSE 'closed' END"
    ticket = (
        f"{series.format(n=rows)}"
        "INSERT INTO ticket (id, number, complainant_id, anonymous, text, accused, category, "
        "department, urgent, state, tags, confidence, evidence, routing_note, created_at, "
        "sign_due, answer_due, signed_by, signed_at, answered_at, closed_at, version, "
        "reopened_at, double_check, extensions, rating, planned_version) "
        f"SELECT x, 'B-' || x, 1, {true}, 'bench ticket', '', 'will_not', {dept}, {false}, "
        f"{state}, '[]', '{{}}', '[]', '', {ts(NOW - 3 * DAY)}, {ts(NOW - 2 * DAY)}, "
        f"{ts(NOW + 12 * DAY)}, 1000, {ts(NOW - 2 * DAY)}, NULL, NULL, 1, NULL, {false}, 0, '', 1 "
        f"{src.format(n=rows)}")
    ladder = " UNION ALL ".join(
        f"SELECT x, '{kind}', {ts(NOW + days * DAY)}, {ts(NOW + 12 * DAY)}, 'pending', 0, '', '' "
        f"{src.format(n=open_)}"
        for kind, days in (("remind_half", 4), ("remind_last_day", 11), ("urge", 13),
                           ("supervise", 20)))
    actions = (f"{series.format(n=open_)}INSERT INTO scheduled_action (ticket_id, kind, due_at, "
               f"deadline, status, attempts, claimed_by, error) {ladder}")
    done = (
        f"{series.format(n=rows)}INSERT INTO scheduled_action (ticket_id, kind, due_at, deadline, "
        "status, attempts, claimed_by, error) "
        f"SELECT x, 'remind_half', {ts(NOW - 5 * DAY)}, {ts(NOW - DAY)}, 'done', 1, '', '' "
        f"{src.format(n=rows)} WHERE x > {open_}")
    return [ticket, actions, done]


async def _create_pg_database(url: str) -> tuple[str, str]:
    base = make_url(url)
    name = f"zy_bench_{secrets.token_hex(4)}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin, base.set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(admin: str, url: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def scratch_database(db: str | None, directory: Path) -> AsyncIterator[str]:
    """The URL a benchmark fills: a new SQLite file in `directory` (no --db), the given SQLite
    file, or a new database on the given PostgreSQL server, dropped afterwards."""
    if db is None:
        yield f"sqlite:///{directory / 'bench.db'}"
    elif is_sqlite(db):
        yield db
    else:
        admin, url = await _create_pg_database(db)
        try:
            yield url
        finally:
            await _drop_pg_database(admin, url)


async def run_bench(settings: Settings, rows: int, open_: int, dues: list[int],
                    db: str | None) -> list[dict[str, Any]]:
    if open_ > rows or max(dues, default=0) > open_:
        raise click.ClickException("need rows >= open >= every due count")
    with tempfile.TemporaryDirectory(prefix="zy-bench-") as tmp:
        async with scratch_database(db, Path(tmp)) as url:
            return await _bench(settings, url, rows, open_, dues)


async def _bench(settings: Settings, url: str, rows: int, open_: int,
                 dues: list[int]) -> list[dict[str, Any]]:
    sqlite = is_sqlite(url)
    s = settings.model_copy(deep=True)
    s.storage.url = url
    departments = list(s.departments) or ["urban", "supervision"]
    for i, d in enumerate(s.departments.values()):
        d.chat_id = -1000 - i                          # every department has a group
    await upgrade_async(url)
    app = build_app(s, clock=FakeClock(NOW))
    await sync_departments(app.db, {k: d.name for k, d in s.departments.items()})
    t0 = time.perf_counter()
    async with app.db.engine.begin() as conn:
        await conn.execute(text("INSERT INTO complainant (id, telegram_id, first_name, "
                                "last_name, username, language, phone) "
                                "VALUES (1, 1, '', '', '', '', '')"))
        for stmt in _seed_sql(rows, open_, sqlite, departments):
            await conn.execute(text(stmt))
        await conn.execute(text("ANALYZE"))
    click.echo(f"# seeded {rows} tickets ({open_} open) in {time.perf_counter() - t0:.1f}s",
               err=True)
    results = []
    first = 1
    ctx = replace(app.ctx, clock=FakeClock(NOW))
    await _make_due(app, open_, 1)           # warm-up: connections and compiled statements
    await sweep(ctx, "bench-warm-up")
    for due in dues:
        await _make_due(app, first, due)
        first += due
        t = time.perf_counter()
        result = await sweep(ctx, "bench", SweepPolicy(batch=500))
        ms = (time.perf_counter() - t) * 1000
        assert result.acted == due, result
        line = {"db": "sqlite" if sqlite else "postgresql", "rows": rows, "open": open_,
                "due": due, "sweep_ms": round(ms, 1), "notices": result.messages}
        click.echo(json.dumps(line))
        results.append(line)
    t = time.perf_counter()                   # the database part of one /metrics scrape
    figures = await OpsQuery(app.db.engine).figures(NOW)
    click.echo(json.dumps({"db": results[0]["db"] if results else "", "rows": rows,
                           "metrics_figures_ms": round((time.perf_counter() - t) * 1000, 1),
                           "outbox_rows": sum(figures.outbox_by_status.values()),
                           "overdue": figures.overdue}))
    click.echo(await _plan(app, sqlite))
    await app.close()
    return results


async def _make_due(app: Any, first: int, n: int) -> None:
    """The half-time reminders of tickets first .. first+n-1 become due."""
    async with app.db.engine.begin() as conn:
        await conn.execute(text(
            "UPDATE scheduled_action SET due_at = :at WHERE kind = 'remind_half' "
            "AND status = 'pending' AND ticket_id >= :a AND ticket_id < :b"),
            {"at": NOW - timedelta(minutes=1), "a": first, "b": first + n})


async def _plan(app: Any, sqlite: bool) -> str:
    claim = ("SELECT id FROM scheduled_action WHERE status = 'pending' AND due_at <= :now "
             "ORDER BY due_at, id LIMIT 500")
    now = _ts(NOW, sqlite)
    async with app.db.engine.connect() as conn:
        if sqlite:
            rows = await conn.execute(text(f"EXPLAIN QUERY PLAN {claim}"), {"now": now})
            return "\n".join("query plan: " + str(r[-1]) for r in rows)
        rows = await conn.execute(text(f"EXPLAIN ANALYZE {claim} FOR UPDATE SKIP LOCKED"),
                                  {"now": NOW})
        return "\n".join("query plan: " + str(r[0]) for r in rows)


def bench_sweep(settings: Settings, rows: int, open_: int, due: str, db: str | None) -> None:
    dues = [int(x) for x in due.split(",") if x.strip()]
    asyncio.run(run_bench(settings, rows, open_, dues, db))
