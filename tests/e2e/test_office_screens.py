"""The office's screens end to end (real PTB against the emulator): /stats and /officials
answer a supervisor in the office group; department staff, department groups and bad periods
are refused with a clear message. A real-name complainant's identity is shown only in the
supervisor's private chat, and audited."""

from __future__ import annotations

import re

from bot.emulator import User
from tests.e2e.test_staff_desk import (
    DeskWorld,
    _users,
    desk_world,
    file_complaint,
    has,
    plain,
)
from tests.workflow.desk_harness import COMPLAINT

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
    await office.send("/stats 2026-13", chat=office_group)
    await office_group.wait_for(has("看不懂时段「2026-13」"))
    await clerk.send("/officials", chat=office_group)      # a department clerk, any group
    await office_group.wait_for(has("只有治庸问责办公室"))
    await office.send("/officials 20x6", chat=office_group)
    await office_group.wait_for(has("看不懂时段「20x6」"))


async def file_real_name(citizen: User, phone: str) -> str:
    await citizen.send("/start")
    welcome = await citizen.wait_for(has("隐私"))
    await citizen.press(welcome, text="我要投诉")
    await citizen.wait_for(has("请描述"))
    await citizen.send(COMPLAINT)
    ack = await citizen.wait_for(has("已记下"))
    await citizen.press(ack, text="完成")
    await citizen.wait_for(has("被投诉"))
    await citizen.send("某某物业公司")
    await citizen.wait_for(has("实名还是匿名"))
    await citizen.tap("📱 实名提交（分享手机号）", phone_number=phone)
    summary = await citizen.wait_for(has("请核对"))
    await citizen.press(summary, text="确认提交")
    done = await citizen.wait_for(has("投诉编号"))
    found = re.search(r"ZY-\d{8}-\d{4,}", plain(done))
    assert found
    return found.group(0)


async def test_identity_only_in_the_supervisors_private_chat(desk_world: DeskWorld) -> None:
    w = desk_world
    phone = "+8613912345678"
    citizen = w.emu.user(next(_users), "钱实名", username="real_name_citizen")
    number = await file_real_name(citizen, phone)
    office = await w.staff("李督查", None, role="supervisor")
    office_group = w.groups["supervision"]

    await office.send(f"/ticket {number}", chat=office_group)
    shown = await office_group.wait_for(lambda m: "办理记录" in plain(m) and number in plain(m))
    assert "私聊" in plain(shown) and phone[-8:] not in plain(shown)
    await office.send(f"/ticket {number}")
    private = await office.wait_for(lambda m: "办理记录" in plain(m) and number in plain(m))
    assert phone[-8:] in plain(private) and "钱实名" in plain(private)
    for m in office_group.sent():
        assert phone[-8:] not in plain(m) and "real_name_citizen" not in plain(m)

    async with w.app.ctx.uow() as uow:
        t = await uow.tickets.by_number(number)
        assert t is not None and t.id is not None
        seen = await uow.audit.for_ticket(t.id)
    assert [(v.viewer, v.purpose) for v in seen] == [(f"staff:{office.id}", "ticket")]
