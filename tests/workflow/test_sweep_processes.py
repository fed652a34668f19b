"""Exactly once across processes: two bot processes sweep and send from one database; one is
killed with SIGKILL mid-sweep and another takes over. Real subprocesses, a fresh database each.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import build_app
from bot.config import load_settings
from storage.catalogue import sync_departments
from storage.migrate import upgrade_async
from tests.conftest import DEPARTMENTS, PG_ENV, REPO
from workflow.deadlines import schedule
from workflow.model import Complainant, GroupBinding, Ticket

OFFICE, DEPT = -910001, -910002
# planned a month late, each ticket gets its current chase only (督办), not the 催办 it missed
KEYS = ("deadline.sign_supervise_dept", "deadline.sign_supervise_office")
N = 60


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


@pytest.fixture(params=_backends())
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'procs.db'}"
        admin = None
    else:
        base = make_url(os.environ[PG_ENV])
        admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
        url = base.set(database=f"zy_procs_{secrets.token_hex(4)}").render_as_string(
            hide_password=False)
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{make_url(url).database}"')
        await conn.close()
    await upgrade_async(url)
    yield url
    if admin is not None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        await conn.close()


async def seed(url: str, n: int) -> list[str]:
    """n urgent tickets (groups hear of them at any hour) whose sign-for deadline passed a
    month ago: 2 notices each are due now."""
    app = build_app(load_settings(REPO / "config.toml", storage={"url": url}))
    await sync_departments(app.db, DEPARTMENTS)
    ctx, policy = app.ctx, app.ctx.deadlines
    now = ctx.now()
    numbers = []
    async with ctx.uow() as uow:
        for dept, chat in (("urban", DEPT), ("supervision", OFFICE)):
            await uow.bindings.bind(GroupBinding(department=dept, chat_id=chat, bound_at=now,
                                                 bound_by=1))
        who = await uow.complainants.add(Complainant(telegram_id=424242, created_at=now))
        for i in range(n):
            created = now - timedelta(days=40)
            sign_due = policy.sign_for_due(created, True)
            t = await uow.tickets.add(Ticket(
                number=f"ZY-P-{i:04d}", complainant_id=who.id or 0, anonymous=True, text="拖着不办",
                accused="", category="will_not", department="urban", urgent=True,
                created_at=created, sign_due=sign_due,
                answer_due=policy.answer_due(sign_due, "will_not", True)))
            await schedule.plan_ticket(ctx, uow, t)
            numbers.append(t.number)
        await uow.commit()
    await app.close()
    return numbers


async def spawn(url: str, worker: str, out: Path, seconds: float, delay: float = 0.0,
                stale: float = 1.0) -> asyncio.subprocess.Process:
    """`stale`: after how long a claim counts as abandoned (short where a worker is killed)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.workflow.sweep_worker", url, worker, str(out), str(seconds),
        str(delay), str(stale), cwd=REPO, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    assert (await asyncio.wait_for(proc.stdout.readline(), 30)).strip() == b"ready"
    return proc


def delivered(*files: Path) -> Counter[tuple[str, str]]:
    seen: Counter[tuple[str, str]] = Counter()
    for f in files:
        if f.exists():
            for line in f.read_text(encoding="utf-8").splitlines():
                _chat, key, number = line.split("\t")
                seen[(number, key)] += 1
    return seen


async def test_two_processes_send_each_reminder_once(fresh_url: str, tmp_path: Path) -> None:
    a_out, b_out = tmp_path / "a.txt", tmp_path / "b.txt"
    # no one dies here: a claim is never taken over, so a slow machine cannot fake a repeat;
    # each stops once idle, the 15 s are for a loaded machine (seeding alone can take seconds)
    a, b = await asyncio.gather(spawn(fresh_url, "proc-a", a_out, 15, stale=60),
                                spawn(fresh_url, "proc-b", b_out, 15, stale=60))
    numbers = await seed(fresh_url, N)              # both are already polling
    assert await a.wait() == 0 and await b.wait() == 0
    seen = delivered(a_out, b_out)
    expected = {(n, k) for n in numbers for k in KEYS}
    assert set(seen) == expected
    assert max(seen.values()) == 1, [k for k, v in seen.items() if v > 1]


async def test_kill_9_mid_sweep_loses_nothing(fresh_url: str, tmp_path: Path) -> None:
    a_out, b_out = tmp_path / "a.txt", tmp_path / "b.txt"
    a = await spawn(fresh_url, "proc-a", a_out, 30, delay=0.02)
    numbers = await seed(fresh_url, N)
    for _ in range(500):
        if sum(delivered(a_out).values()) >= 15:
            break
        await asyncio.sleep(0.02)
    a.send_signal(signal.SIGKILL)
    assert await a.wait() == -signal.SIGKILL
    before = sum(delivered(a_out).values())
    assert 0 < before < N * len(KEYS), before
    b = await spawn(fresh_url, "proc-b", b_out, 15)   # it stops once idle
    assert await b.wait() == 0
    seen = delivered(a_out, b_out)
    assert set(seen) == {(n, k) for n in numbers for k in KEYS}, "a notice was lost"
    # at most the one message in flight when the process died is repeated
    assert sum(seen.values()) - len(seen) <= 1
