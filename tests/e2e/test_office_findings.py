"""The findings dialog end to end (real PTB against the emulator): a supervisor records 属实
with the official and a measure in private chat; a blank or 500-character name, an open
ticket, a measure left without a finding and a non-supervisor are refused with a message;
the second substantiated finding on one official flags them to the office group."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator import User
from tests.e2e.test_staff_desk import (
    DeskWorld,
    _users,
    card_of,
    current,
    desk_world,
    file_complaint,
    has,
)
from workflow.deadlines.clock import FakeClock

__all__ = ["desk_world"]
OFFICIAL = "韩问责，科长，物业管理科"


async def _answered(w: DeskWorld, clerk: User) -> str:
    citizen = w.emu.user(next(_users), "卫核查")
    number = await file_complaint(citizen)
    housing = w.groups["housing"]
    card = await card_of(housing, number)
    await clerk.press(card, text="签收")
    await housing.wait_for(lambda m: m.edited and number in (m.plain or "")
                           and "办理中" in (m.plain or ""))
    await clerk.press(current(housing, card), text="答复")
    await clerk.wait_for(has("提交答复"))
    await clerk.send("经核查，已督促物业整改。")
    prompt = await clerk.wait_for(has("字"))
    await clerk.press(prompt, text="提交答复")
    await clerk.wait_for(has("已答复投诉人"))
    return number


async def _record(boss: User, number: str, verdict: str, measure: str) -> None:
    await boss.send(f"/finding {number}")
    ask = await boss.wait_for(has(f"{number} 的核查结论"))
    await boss.press(ask, text=verdict)
    await boss.wait_for(has("被问责人员"))
    await boss.send(OFFICIAL)
    ask = await boss.wait_for(has("问责措施"))
    await boss.press(ask, text=measure)


async def test_findings_dialog_refusals_and_the_repeat_flag(desk_world: DeskWorld) -> None:
    await findings_dialog(desk_world)


async def findings_dialog(w: DeskWorld) -> None:
    """The chat path of /finding (either adapter); moves the app's clock into 2025."""
    # a year of its own: the flag raised here must not show in other tests' /officials
    w.app.ctx.clock = FakeClock(datetime(2025, 6, 10, 2, 0, tzinfo=UTC))   # a Tuesday, 10:00
    clerk = await w.staff("蒋答复", "housing")
    boss = await w.staff("沈核查", None, role="supervisor")
    office_group = w.groups["supervision"]
    first = await _answered(w, clerk)

    await clerk.send(f"/finding {first}")
    await clerk.wait_for(has("只有治庸问责办公室"))
    still_open = await file_complaint(w.emu.user(next(_users), "杨未办"))
    await boss.send(f"/finding {still_open}", chat=office_group)
    await office_group.wait_for(has(f"{still_open} 仍在办理"))

    await boss.send(f"/finding {first}", chat=office_group)
    await office_group.wait_for(has("请在与机器人的私聊中继续"))
    ask = await boss.wait_for(has(f"录入 {first} 的核查结论"))
    await boss.press(ask, text="属实")
    await boss.wait_for(has("被问责人员"))
    await boss.send("　 ")
    await boss.wait_for(has("不能为空"))
    await boss.send("长" * 500 + "，科长，物业科")
    await boss.wait_for(has("内容太长（500 字）"))
    await boss.send(OFFICIAL)
    ask = await boss.wait_for(has("问责措施"))
    await boss.press(ask, text="诫勉")
    await boss.wait_for(has(f"已录入 {first} 的核查结论：属实"))

    second = await _answered(w, clerk)
    await _record(boss, second, "部分属实", "通报批评")
    await boss.wait_for(has(f"已录入 {second} 的核查结论：部分属实"))
    flag = await office_group.wait_for(has("重复投诉预警"))
    assert "韩问责" in (flag.plain or "") and first in (flag.plain or "")

    await boss.send(f"/finding {first}")
    ask = await boss.wait_for(has(f"更正 {first} 的核查结论"))
    await boss.press(ask, text="不属实")
    keep = await boss.wait_for(has("保留原有人员和措施"))
    await boss.press(keep, text="保留原有人员和措施")
    await boss.wait_for(has("不能提出问责措施"))
