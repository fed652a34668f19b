"""The office's scheduled reports end to end (real PTB against the emulator): the scheduler's
quarterly job (每季度汇总) and weekly job upload a chart and the XLSX ledger to the oversight
group; the workbook opens with openpyxl and lists the period's tickets from the database."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.scheduler import DeadlineScheduler
from tests.e2e.test_staff_desk import DeskWorld, _users, desk_world, file_complaint, has, plain
from workflow.deadlines.clock import FakeClock
from workflow.office import periods

__all__ = ["desk_world"]


async def test_quarterly_and_weekly_reports_reach_the_office_group(desk_world: DeskWorld) -> None:
    w = desk_world
    number = await file_complaint(w.emu.user(next(_users), "秦季报"))
    office_group = w.groups["supervision"]
    w.app.ctx.clock = FakeClock(datetime(2027, 1, 1, 1, 30, tzinfo=UTC))   # 09:30 in Shanghai
    scheduler = DeadlineScheduler(w.app, "test-reports")
    mark = office_group.mark()

    await scheduler.quarterly()
    picture = await office_group.wait_for(lambda m: m.kind == "photo", after=mark, timeout=20)
    assert "2026Q4" in plain(picture)
    assert w.emu.files.get(picture.file_id).data.startswith(b"\x89PNG")
    document = await office_group.wait_for(lambda m: m.kind == "document", after=mark,
                                           timeout=20)
    assert "2026Q4 问题台账" in plain(document)
    book = load_workbook(io.BytesIO(w.emu.files.get(document.file_id).data), read_only=True)
    assert book.sheetnames == ["问题台账", "部门考核", "重复投诉人员"]
    listed = [row[0] for row in book["问题台账"].iter_rows(min_row=2, values_only=True)]
    quarter = periods.parse("2026Q4", w.app.ctx.now(), w.app.ctx.tz)
    async with w.app.ctx.uow() as uow:
        stored = await uow.office_views.ledger(quarter.start, quarter.end, False)
    assert number in listed and sorted(listed) == sorted(line.number for line in stored)
    methods = [m.method for m in office_group.sent()[-3:]]
    assert methods == ["sendPhoto", "sendMessage", "sendDocument"]

    mark = office_group.mark()
    await scheduler.weekly()
    await office_group.wait_for(has("2026-W52"), after=mark, timeout=20)
    await office_group.wait_for(lambda m: m.kind == "document" and "2026-W52" in plain(m),
                                after=mark, timeout=20)
    await scheduler.quarterly()          # the same quarter again: nothing is sent twice
    assert sum("2026Q4 问题台账" in plain(m) for m in office_group.sent()) == 1
