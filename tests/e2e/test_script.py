"""A Traditional complaint is answered in Traditional throughout; the department reads Simplified.

Through the real PTB bot and the emulator: the welcome (language_code hint), every filing
step, the button toasts, and the notices the desk causes later (sign-for, 追问, answer) that
the outbox sender renders in the script the chat remembers.
"""

from __future__ import annotations

import itertools
import re

from bot.emulator import User
from tests.e2e.test_staff_desk import DeskWorld, card_of, current, desk_world, has, plain
from workflow.chat import script

_users = itertools.count(910_000_000)
__all__ = ["desk_world"]   # the module fixture, shared
COMPLAINT_TW = "小區物業把消防通道鎖了三個月，多次向住建局反映，工作人員一直推諉說不歸他們管。"


def assert_traditional(citizen: User, profile: str = script.TAIWAN) -> None:
    for m in citizen.sent():
        text = plain(m) + "".join(m.button_texts)
        assert script.convert(text, profile) == text, f"Simplified left in: {text}"


async def file_traditional(citizen: User) -> str:
    await citizen.send("/start")
    welcome = await citizen.wait_for(has("隱私"))
    assert "📝 我要投訴" in welcome.button_texts
    await citizen.press(welcome, text="我要投訴")
    await citizen.wait_for(has("請描述"))
    await citizen.send(COMPLAINT_TW)
    ack = await citizen.wait_for(has("已記下"))
    await citizen.press(ack, text="完成")
    await citizen.wait_for(has("被投訴"))
    await citizen.send("某某物業公司")
    await citizen.wait_for(has("實名還是匿名"))
    await citizen.tap("🙈 匿名提交")
    summary = await citizen.wait_for(has("請核對"))
    await citizen.press(summary, text="確認提交")
    done = await citizen.wait_for(has("投訴編號"))
    stale = await citizen.press(ack, text="完成")
    assert stale is not None and stale.show_alert and "失效" in (stale.text or "")
    found = re.search(r"ZY-\d{8}-\d{4,}", plain(done))
    assert found
    return found.group(0)


async def test_traditional_complaint_answered_in_traditional(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "陳大文", username="tw_citizen", language_code="zh-tw")
    staff = await w.staff("何办事", "housing")
    number = await file_traditional(citizen)
    housing = w.groups["housing"]
    card = await card_of(housing, number)
    assert "投诉内容" in plain(card) and COMPLAINT_TW in plain(card)   # the group: Simplified

    await staff.press(card, text="签收")
    await citizen.wait_for(has("簽收辦理"))
    await staff.press(current(housing, card), text="追问")
    await staff.wait_for(has("要问投诉人的问题"))
    await staff.send("请问是几号楼的消防通道？")
    await staff.wait_for(has("已转达投诉人"))
    await citizen.wait_for(has("請問是幾號樓"))
    await staff.press(current(housing, card), text="答复")
    await staff.wait_for(has("提交答复"))
    await staff.send("经核查，物业已打开消防通道。")
    prompt = await staff.wait_for(has("提交答复"))
    await staff.press(prompt, text="提交答复")
    await citizen.wait_for(has("物業已打開消防通道"))
    assert_traditional(citizen)
    assert all("簽收" not in plain(m) for m in staff.sent())   # staff keep their script


async def switch_script_mid_filing(citizen: User) -> None:
    """A citizen starts in Simplified, then writes Traditional: a button rendered before the
    switch still works, and what it answers is in Traditional. Shared by both frameworks."""
    await citizen.send("/start")
    welcome = await citizen.wait_for(has("隐私"))
    await citizen.press(welcome, text="我要投诉")
    prompt = await citizen.wait_for(has("请描述"))            # Simplified, with 完成
    await citizen.send(COMPLAINT_TW)
    await citizen.wait_for(has("已記下"))
    mark = len(citizen.sent())
    await citizen.press(prompt, text="完成")                   # rendered before the switch
    await citizen.wait_for(has("被投訴"))
    await citizen.press(welcome, text="我要投诉")              # the old Simplified welcome
    resumed = await citizen.wait_for(has("未提交的投訴"))
    assert resumed
    for m in citizen.sent()[mark:]:
        text = plain(m) + "".join(m.button_texts)
        assert script.convert(text, "t") == text, f"Simplified after the switch: {text}"


async def test_buttons_rendered_before_a_script_switch_still_work(desk_world: DeskWorld) -> None:
    citizen = desk_world.emu.user(next(_users), "李先生", language_code="zh-hans")
    await switch_script_mid_filing(citizen)
