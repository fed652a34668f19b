"""The office's screens end to end (real PTB against the emulator): /stats and /officials
answer a supervisor in the office group; department staff, department groups and bad periods
are refused with a clear message."""

from __future__ import annotations

from tests.e2e.test_staff_desk import (
    DeskWorld,
    _users,
    desk_world,
    file_complaint,
    has,
    plain,
)

__all__ = ["desk_world"]


async def test_stats_and_officials_for_the_office_only(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "赵统计")
    await file_complaint(citizen)
    clerk = await w.staff("钱办事", "housing")
    office = await w.staff("孙督查", None, role="supervisor")
    office_group, housing = w.groups["supervision"], w.groups["housing"]
    year = w.app.ctx.local(w.app.ctx.now()).year

    await office.send("/officials", chat=office_group)
    listed = await office_group.wait_for(has(f"{year} 年度受到两次以上"))
    assert "暂无" in (listed.plain or "")
    await office.send("/stats", chat=office_group)
    picture = await office_group.wait_for(lambda m: m.kind == "photo", timeout=15)
    assert "办理情况图" in plain(picture) and picture.file_id
    assert w.emu.files.get(picture.file_id).data.startswith(b"\x89PNG")
    table = await office_group.wait_for(has("部门考核"))
    assert "住房和城乡建设局" in (table.plain or "")
    assert [m.method for m in office_group.sent()][-2:] == ["sendPhoto", "sendMessage"]

    await clerk.send("/stats", chat=housing)
    await housing.wait_for(has("只有治庸问责办公室"))
    await office.send("/officials", chat=housing)
    await housing.wait_for(has("请在治庸问责办公室工作群"))
    await office.send("/stats 2026Q5", chat=office_group)
    await office_group.wait_for(has("看不懂时段「2026Q5」"))
    await office.send("/officials 20x6", chat=office_group)
    await office_group.wait_for(has("看不懂时段「20x6」"))

