"""`zhiyong bench report`: how long `zhiyong report` takes on a big database.

Fills a temporary database (SQLite, or a database created on the given PostgreSQL server and
dropped afterwards) with N tickets spread over the period — every state, deadlines met and
missed, ratings, returns, triage corrections, findings with officials — then times the real
report command's work (the queries, the KPIs, the XLSX file) and prints the figures.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bot.app import build_app
from bot.bench_sweep import scratch_database
from bot.cli_office import write_report
from bot.config import Settings
from storage.catalogue import sync_departments
from storage.db import is_sqlite
from storage.migrate import upgrade_async
from storage.office_tables import ConcernedRow, CorrectionRow, FindingRow, OfficialRow
from storage.tables import ComplainantRow, StaffRow, TicketEventRow, TicketRow
from workflow.deadlines.clock import FakeClock
from workflow.office.periods import parse

H = timedelta(hours=1)
CATEGORIES = ("cannot", "will_not", "dare_not", "misconduct", "other")
STATES = ("closed",) * 6 + ("answered", "signed", "routed", "reopened")
CHUNK = 5000


def _tickets(n: int, start: datetime, end: datetime, departments: list[str],
             rnd: random.Random) -> list[dict[str, Any]]:
    span = (end - start).total_seconds()
    rows = []
    for i in range(1, n + 1):
        at = start + timedelta(seconds=span * i / (n + 1))
        state = rnd.choice(STATES)
        signed = state != "routed"
        answered = state in ("closed", "answered")
        rows.append({
            "id": i, "number": f"ZY-B{i:07d}", "complainant_id": 1 + i % 1000,
            "anonymous": i % 3 != 0, "text": "bench", "accused": "",
            "category": rnd.choice(CATEGORIES), "department": departments[i % len(departments)],
            "urgent": False, "state": state, "tags": [], "confidence": {}, "evidence": [],
            "routing_note": "", "created_at": at, "sign_due": at + 24 * H,
            "answer_due": at + 24 * 7 * H, "signed_by": 10 + i % 50 if signed else None,
            "signed_at": at + rnd.choice((2, 30)) * H if signed else None,
            "answered_at": at + rnd.choice((48, 200)) * H if answered else None,
            "closed_at": at + 240 * H if state == "closed" else None,
            "reopened_at": at + 250 * H if state == "reopened" else None,
            "double_check": state == "reopened", "extensions": 0,
            "rating": rnd.choice(("satisfied", "basic", "unsatisfied", "unrated"))
            if state == "closed" else "", "planned_version": 1, "version": 1})
    return rows


async def _seed(app: Any, n: int, start: datetime, end: datetime) -> None:
    rnd = random.Random(11)
    departments = [d for d in app.settings.departments if d != "supervision"]
    tickets = _tickets(n, start, end, departments, rnd)
    async with app.db.engine.begin() as conn:
        await conn.execute(insert(ComplainantRow.__table__), [  # type: ignore[attr-defined]
            {"id": i, "telegram_id": 10**9 + i, "first_name": "Wang", "last_name": f"{i}",
             "username": "", "language": "", "phone": f"139{i:08d}", "created_at": start}
            for i in range(1, 1001)])
        await conn.execute(insert(StaffRow.__table__), [  # type: ignore[attr-defined]
            {"telegram_id": 10 + i, "display_name": f"clerk {i}", "department": departments[0],
             "role": "staff", "active": True, "joined_at": start} for i in range(50)])
        for k in range(0, n, CHUNK):
            await conn.execute(insert(TicketRow.__table__), tickets[k:k + CHUNK])  # type: ignore[attr-defined]
            await conn.execute(insert(TicketEventRow.__table__), [  # type: ignore[attr-defined]
                {"ticket_id": t["id"], "kind": "routed", "at": t["created_at"],
                 "actor": "system", "detail": {"department": t["department"]}}
                for t in tickets[k:k + CHUNK]])
        await conn.execute(insert(CorrectionRow.__table__), [  # type: ignore[attr-defined]
            {"ticket_id": t["id"], "text": "bench", "field": "category", "old": t["category"],
             "new": "misconduct", "by": 10, "at": t["created_at"]} for t in tickets[::20]])
        await conn.execute(insert(OfficialRow.__table__), [  # type: ignore[attr-defined]
            {"id": i, "name": f"official {i}", "name_key": f"official{i}", "unit": "", "unit_key": "",
             "post": "clerk", "created_at": start} for i in range(1, 501)])
        judged = [t for t in tickets if t["state"] == "closed"][::6]
        await conn.execute(insert(FindingRow.__table__), [  # type: ignore[attr-defined]
            {"id": j, "ticket_id": t["id"], "verdict": rnd.choice(("substantiated", "partly",
                                                                    "unfounded")),
             "note": "", "recorded_by": 10, "recorded_at": end} for j, t in enumerate(judged, 1)])
        await conn.execute(insert(ConcernedRow.__table__), [  # type: ignore[attr-defined]
            {"finding_id": j, "official_id": 1 + j % 500, "role": "handler",
             "measure": "criticism", "post": "clerk", "unit": "", "year": start.year}
            for j in range(1, len(judged) + 1)])
        await conn.execute(text("ANALYZE"))


async def run(settings: Settings, n: int, period_text: str, db: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="zy-bench-report-") as tmp_name:
        async with scratch_database(db, Path(tmp_name)) as url:
            return await _measure(settings, url, n, period_text, Path(tmp_name))


async def _measure(settings: Settings, url: str, n: int, period_text: str,
                   directory: Path) -> dict[str, Any]:
    s = settings.model_copy(deep=True)
    s.storage.url = url
    period = parse(period_text, datetime.now(s.zone), s.zone)
    await upgrade_async(url)
    app = build_app(s, clock=FakeClock(period.end - H))
    await sync_departments(app.db, {k: d.name for k, d in s.departments.items()})
    t0 = time.perf_counter()
    await _seed(app, n, period.start, period.end)
    seeded = time.perf_counter() - t0
    out = directory / "ledger.xlsx"
    t1, cpu = time.perf_counter(), time.process_time()
    label, rows = await write_report(app.ctx, s, period.label, out, "xlsx", False)
    took, cpu = time.perf_counter() - t1, time.process_time() - cpu
    await app.close()
    return {"db": "sqlite" if is_sqlite(url) else "postgresql", "tickets": n,
            "period": label, "rows_written": rows, "seed_s": round(seeded, 1),
            "report_s": round(took, 2), "report_cpu_s": round(cpu, 2),
            "xlsx_bytes": out.stat().st_size}
