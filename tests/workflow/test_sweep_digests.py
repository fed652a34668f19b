"""Morning digests (working days only), the weekly summary, and the APScheduler wiring."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import pytest
from sqlmodel import col, select

from bot.app import App, build_app
from bot.config import Settings
from bot.scheduler import DeadlineScheduler
from storage.tables import OutboxRow
from storage.uow import Database
from tests.workflow.test_sweep import World, bound, local
from workflow.deadlines.clock import FakeClock
from workflow.deadlines.policy import DeadlinePolicy
from workflow.reports import digests


@pytest.fixture(scope="session")
async def digest_app(settings: Settings, database: Database) -> AsyncIterator[App]:
    application = build_app(settings)
    yield application
    await application.close()


@pytest.fixture
async def world(digest_app: App, new_id: Callable[[], int]) -> AsyncIterator[World]:
    clock = FakeClock(local(2026, 9, 28))
    ctx = dataclasses.replace(digest_app.ctx, clock=clock)
    assert isinstance(ctx.deadlines, DeadlinePolicy)
    dept_chat, office_chat = -new_id(), -new_id()
    async with bound(ctx, {"medical_insurance": dept_chat, "supervision": office_chat}):
        yield World(ctx, clock, ctx.deadlines, dept_chat, office_chat, "medical_insurance")


async def rows_to(world: World, chat: int) -> list[OutboxRow]:
    async with world.ctx.uow() as uow:
        rows = await uow.session.exec(select(OutboxRow).where(OutboxRow.chat_id == chat)
                                      .order_by(col(OutboxRow.id)))
        return [OutboxRow(**r.model_dump()) for r in rows]


async def test_morning_digest_on_working_days_once(world: World,
                                                   new_id: Callable[[], int]) -> None:
    for _ in range(3):
        await world.file(new_id, category="other")
    world.clock.set(local(2026, 10, 1, 9))              # National Day: no digest
    assert await digests.morning(world.ctx) == 0
    world.clock.set(local(2026, 10, 10, 9))             # Saturday make-up working day (调休)
    assert world.policy.calendar.is_workday(world.clock.now().date())
    await digests.morning(world.ctx)
    await digests.morning(world.ctx)                    # a second process: deduplicated
    (row,) = [r for r in await rows_to(world, world.dept_chat) if r.kind == "digest"]
    params = row.payload["params"]
    assert params["open"] >= 3 and params["overdue"] >= 3    # sign-for passed long ago
    text = digest_app_render(world, row)
    assert "今日待办" in text and "签收期限" in text


def digest_app_render(world: World, row: OutboxRow) -> str:
    from bot.render import Renderer
    from workflow.chat.messages import from_payload

    renderer = Renderer({}, {"medical_insurance": "医疗保障局"}, world.ctx.tz)
    return "".join(p.text for p in renderer.render(from_payload(row.chat_id, row.payload)))


async def test_weekly_summary_to_the_office(world: World, new_id: Callable[[], int]) -> None:
    t, _ = await world.file(new_id)
    await world.run_until(t, local(2026, 10, 30))       # sign-for chased and supervised
    world.clock.set(local(2026, 11, 2, 9, 30))
    assert await digests.weekly(world.ctx) == 1
    assert await digests.weekly(world.ctx) == 0
    rows = [r for r in await rows_to(world, world.office_chat) if r.kind == "weekly"]
    assert len(rows) == 1 and rows[0].payload["params"]["open"] >= 1
    assert "周报" in digest_app_render(world, rows[0])


async def test_scheduler_runs_the_sweep_job(digest_app: App) -> None:
    woken: list[bool] = []
    sched = DeadlineScheduler(digest_app, "sched-test", lambda: woken.append(True))
    sched.start(paused=True)          # jobs registered, none fired behind the test's back
    try:
        assert {j.id for j in sched.scheduler.get_jobs()} == {"sweep", "digest", "weekly",
                                                                 "quarterly"}
        assert type(sched.scheduler).__name__ == "AsyncIOScheduler"
        cfg = digest_app.settings.scheduler
        assert cfg.quarterly_time != cfg.weekly_time     # its own key, not the weekly time
        quarterly = sched.scheduler.get_job("quarterly")
        fires = quarterly.trigger.get_next_fire_time(None, datetime.now(digest_app.settings.zone))
        assert (fires.month in (1, 4, 7, 10), fires.day) == (True, 1)
        assert (fires.hour, fires.minute) == (cfg.quarterly_time.hour, cfg.quarterly_time.minute)
        result = await sched.sweep_now()
        assert result is not None
    finally:
        sched.shutdown()
