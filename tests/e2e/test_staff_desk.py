"""The staff desk end to end: the real PTB bot against the Bot API emulator.

A citizen, two housing staff, one market staff member and an oversight member. The whole path
(filing → sign → question/reply relay → note → answer), return → arbitration, transfer,
concurrent sign-for and refusals; and no department group ever sees who complained.
The complaint is one the real classifier routes to housing with high confidence.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlmodel import col, update

from bot.app import App
from bot.emulator import BotApiEmulator, Group, SentMessage, User
from storage.tables import OutboxRow
from tests.e2e.conftest import Live
from tests.workflow.desk_harness import COMPLAINT
from workflow.deadlines.clock import FakeClock
from workflow.desk.staff import create_staff_invite

DEPARTMENTS = ("housing", "market", "supervision")
_users = itertools.count(900_000_000)


@dataclass
class DeskWorld:
    emu: BotApiEmulator
    app: App
    groups: dict[str, Group]

    async def staff(self, name: str, department: str | None, role: str = "staff") -> User:
        user = self.emu.user(next(_users), name, username=f"staff{name}")
        invite = await create_staff_invite(self.app.ctx, department, role)
        await user.send(f"/join {invite.code}")
        await user.wait_for(lambda m: "欢迎" in (m.plain or ""))
        for g in self.groups.values():
            g.add_member(user)
        return user


@pytest.fixture(scope="module")
async def desk_world(live: Live, start_time: datetime) -> AsyncIterator[DeskWorld]:
    """The shared running bot, for this module with its own clock (a Monday morning: other
    tests move the shared clock into nights and weekends)."""
    ctx = live.app.ctx
    saved = ctx.clock
    ctx.clock = FakeClock(start_time)
    async with ctx.uow() as uow:
        # rows earlier tests left for chats that exist nowhere would hold up the sender
        await uow.session.exec(update(OutboxRow).where(col(OutboxRow.status) == "pending")
                               .values(status="failed", error="left by an earlier test"))
        for d in DEPARTMENTS:   # config chat ids must win over earlier tests' /bind rows
            b = await uow.bindings.for_department(d)
            if b is not None:
                b.chat_id = live.groups[d].id
                await uow.bindings.bind(b)
        await uow.commit()
    try:
        yield DeskWorld(live.emu, live.app, {d: live.groups[d] for d in DEPARTMENTS})
    finally:
        ctx.clock = saved


def plain(m: SentMessage) -> str:
    return (m.plain or "") + (m.caption or "")


def has(text: str) -> Callable[[SentMessage], bool]:
    return lambda m: text in plain(m)


async def file_complaint(citizen: User, again: bool = False) -> str:
    """File COMPLAINT; `again`: once more, as a new complaint when offered to add it to the
    first one."""
    await citizen.send("/start")
    welcome = await citizen.wait_for(has("隐私"))
    await citizen.press(welcome, text="我要投诉")
    prompt = await citizen.wait_for(has("请描述"))
    await citizen.send(COMPLAINT)
    ack = await citizen.wait_for(has("已记下"))
    await citizen.press(ack, text="完成")
    await citizen.wait_for(has("被投诉"))
    await citizen.send("某某物业公司")
    await citizen.wait_for(has("实名还是匿名"))
    await citizen.tap("🙈 匿名提交")
    summary = await citizen.wait_for(has("请核对"))
    await citizen.press(summary, text="确认提交")
    if again:
        offer = await citizen.wait_for(has("已反映过相同问题"))
        await citizen.press(offer, text="仍作为新投诉提交")
    done = await citizen.wait_for(has("投诉编号"))
    found = re.search(r"ZY-\d{8}-\d{4,}", plain(done))
    assert found and prompt
    return found.group(0)


async def card_of(group: Group, number: str) -> SentMessage:
    m = await group.wait_for(lambda m: number in plain(m) and "投诉内容" in plain(m)
                             and bool(m.callback_data))
    return group.emu.message(group.id, m.message_id)


def current(group: Group, card: SentMessage) -> SentMessage:
    return group.emu.message(group.id, card.message_id)


def assert_anonymous(world: DeskWorld, citizen: User) -> None:
    for d in ("housing", "market"):
        for m in world.groups[d].sent():
            seen = plain(m) + str(m.reply_markup or "")
            for secret in (str(citizen.id), citizen.username or "?", citizen.first_name):
                assert secret not in seen, f"{d} group saw the complainant ({secret}): {seen}"
    assert not world.emu.calls("forwardMessage")


async def test_full_path_through_the_emulator(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "王秘密", username="secret_citizen", language_code="zh")
    a = await w.staff("张办事", "housing")
    b = await w.staff("李同事", "housing", role="head")
    number = await file_complaint(citizen)
    housing = w.groups["housing"]
    card = await card_of(housing, number)

    assert "📮 新投诉" in plain(card) and "受理时间" in plain(card) and "投诉人：匿名" in plain(card)
    answer = await a.press(card, text="签收")
    assert answer is not None and "已签收" in (answer.text or "")
    signed = await housing.wait_for(lambda m: m.edited and "张办事" in plain(m))
    assert "🛠 办理中" in plain(signed) and "新投诉" not in plain(signed)
    accepted = await citizen.wait_for(has("签收办理"))
    assert "住房和城乡建设局" in plain(accepted) and "张办事" not in plain(accepted)

    answer = await a.press(current(housing, card), text="追问")
    assert answer is not None and "私聊" in (answer.text or "")
    await a.wait_for(has("要问投诉人的问题"))
    await a.send("请问是几号楼的消防通道？")
    await a.wait_for(has("已转达投诉人"))
    question = await citizen.wait_for(has("几号楼"))
    assert "张办事" not in plain(question)
    await citizen.press(question, text="回复")
    await citizen.wait_for(has("请发送您对"))
    await citizen.send("3号楼和5号楼之间。")
    await citizen.wait_for(has("已转达"))
    await housing.wait_for(has("3号楼和5号楼之间"))

    await b.press(current(housing, card), text="备注")
    await b.wait_for(has("内部备注"))
    await b.send("周三约街道现场核查。")
    await housing.wait_for(has("周三约街道现场核查"))

    await a.press(current(housing, card), text="答复")
    prompt = await a.wait_for(has("提交答复"))
    await a.send("经核查，物业已打开消防通道。")
    prompt = await a.wait_for(has("提交答复"))
    await a.press(prompt, text="提交答复")
    await a.wait_for(has("已答复投诉人"))
    reply = await citizen.wait_for(has("物业已打开消防通道"))
    assert "住房和城乡建设局" in plain(reply)
    assert not any("周三约街道" in plain(m) for m in citizen.sent())

    await a.send(f"/ticket {number}", chat=housing)
    history = await housing.wait_for(has("办理记录"))
    for step in ("签收", "追问投诉人", "投诉人 回复追问", "内部备注", "答复"):
        assert step in plain(history)
    assert "投诉人 投诉人" not in plain(history)
    assert_anonymous(w, citizen)


async def test_return_arbitration_and_transfer(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "刘投诉", username="another_citizen")
    a = await w.staff("孙办事", "housing")
    c = await w.staff("周市监", "market")
    office = await w.staff("吴督办", None, role="supervisor")
    housing, office_group = w.groups["housing"], w.groups["supervision"]

    number = await file_complaint(citizen)
    card = await card_of(housing, number)
    await a.press(card, text="退回")
    reasons = await a.wait_for(has("退回"))
    await a.press(reasons, text="属地不符")
    await a.wait_for(has("已退回"))
    triage = await card_of(office_group, number)
    answer = await a.press(triage, text="⚖️ 责令住房和城乡建设局办理")
    assert answer is not None and "治庸问责办" in (answer.text or "")
    await office.press(triage, text="⚖️ 责令住房和城乡建设局办理")
    again = await housing.wait_for(lambda m: number in plain(m) and "不得再退回" in plain(m))
    answer = await a.press(again, text="退回")
    assert answer is not None and "不能再退回" in (answer.text or "")

    second = await file_complaint(citizen, again=True)
    card = await card_of(housing, second)
    await a.press(card, text="转办")
    choose = await a.wait_for(has("交给哪个部门"))
    await a.press(choose, text="市场监督管理局")
    await a.wait_for(has("请输入理由"))
    await a.send("商家经营行为，归市场监管。")
    await a.wait_for(has("已转办"))
    moved = await card_of(w.groups["market"], second)
    answer = await c.press(moved, text="签收")
    assert answer is not None and "已签收" in (answer.text or "")
    assert_anonymous(w, citizen)


async def test_concurrent_sign_and_refusals(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "陈市民")
    a = await w.staff("郑一", "housing")
    b = await w.staff("冯二", "housing")
    c = await w.staff("褚三", "market")
    stranger = w.emu.user(next(_users), "路人甲")
    housing = w.groups["housing"]
    housing.add_member(stranger)
    number = await file_complaint(citizen)
    card = await card_of(housing, number)

    refused = await c.press(card, text="签收")
    assert refused is not None and refused.show_alert and "无权" in (refused.text or "")
    refused = await stranger.press(card, text="签收")
    assert refused is not None and "不是登记" in (refused.text or "")
    for data in ("garbage", "t:sign:999999999", "t:sign:" + "9" * 50):
        refused = await a.press(card, data, forge=True)
        assert refused is not None and "失效" in (refused.text or ""), data

    first, second = await asyncio.gather(a.press(card, text="签收"), b.press(card, text="签收"))
    texts = sorted([(first.text if first else ""), (second.text if second else "")])
    assert any("已签收" in t for t in texts)
    assert any(("郑一" in t or "冯二" in t) and "签收" in t for t in texts)
    t = await _ticket(w.app, number)
    assert t.state == "signed" and t.version == 2
    stale = await a.press(card, f"t:sign:{t.id}", forge=True)
    assert stale is not None and "签收" in (stale.text or "")


async def _ticket(app: App, number: str):  # type: ignore[no-untyped-def]
    async with app.ctx.uow() as uow:
        t = await uow.tickets.by_number(number)
    assert t is not None
    return t


async def _extend(w: DeskWorld, clerk: User, card: SentMessage, reason: str, day: str,
                  done: str = "延期申请已提交") -> SentMessage:
    await clerk.press(current(w.groups["housing"], card), text="申请延期")
    await clerk.wait_for(has("请输入理由"))
    await clerk.send(reason)
    await clerk.wait_for(has("希望延至的日期"))
    await clerk.send(day)
    return await clerk.wait_for(has(done))


async def _request_card(w: DeskWorld, number: str, mark: int) -> SentMessage:
    return await w.groups["supervision"].wait_for(
        lambda m: "延期申请" in plain(m) and number in plain(m) and bool(m.callback_data),
        after=mark)


async def test_extension_card_shows_the_decision_who_and_when(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "钟市民")
    a = await w.staff("韩办事", "housing")
    office = await w.staff("杨督办", None, role="supervisor")
    housing, office_group = w.groups["housing"], w.groups["supervision"]
    number = await file_complaint(citizen)
    card = await card_of(housing, number)
    await a.press(card, text="签收")
    await housing.wait_for(lambda m: m.edited and "韩办事" in plain(m))
    mark = office_group.mark()
    await _extend(w, a, card, "需要协调消防部门", "2026-12-30")
    request = await _request_card(w, number, mark)
    old_buttons = list(request.callback_data)

    pending = await _extend(w, a, card, "再申请一次", "2026-12-31", done="请等审批结果")
    assert "已处理过" not in plain(pending)

    toast = await office.press(request, text="不批准")
    assert toast is not None and "已不批准" in (toast.text or "")
    await office_group.wait_for(lambda m: m.edited and m.message_id == request.message_id)
    decided = current(office_group, request)
    assert "不批准延期（杨督办，" in plain(decided) and not decided.callback_data
    assert "需要协调消防部门" in plain(decided)
    again = await office.press(decided, old_buttons[0], forge=True)
    assert again is not None and "已由 杨督办 于" in (again.text or "")
    assert "未批准" in (again.text or "") and "待审批" not in (again.text or "")

    mark = office_group.mark()
    await _extend(w, a, card, "现场需二次检测", "2026-12-31")
    second = await _request_card(w, number, mark)
    toast = await office.press(second, text="批准延期")
    assert toast is not None and "已批准" in (toast.text or "")
    await office_group.wait_for(lambda m: m.edited and m.message_id == second.message_id)
    decided = current(office_group, second)
    assert "已批准延期（杨督办，" in plain(decided) and not decided.callback_data


async def test_returned_card_gives_the_reason_and_reroute_skips_the_returner(
        desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "蒋市民")
    a = await w.staff("许办事", "housing")
    office = await w.staff("何督办", None, role="supervisor")
    housing, office_group = w.groups["housing"], w.groups["supervision"]
    number = await file_complaint(citizen)
    await a.press(await card_of(housing, number), text="退回")
    reasons = await a.wait_for(has("退回"))
    await a.press(reasons, text="其他")
    await a.wait_for(has("请输入理由"))
    await a.send("本小区由街道物业办管理，不归住建局。")
    await a.wait_for(has("已退回"))

    triage = await card_of(office_group, number)
    assert "退回理由：本小区由街道物业办管理，不归住建局（许办事，" in plain(triage)
    assert "⚖️ 责令住房和城乡建设局办理" in triage.button_texts       # the triage choices are
    assert "➡️ 住房和城乡建设局" not in triage.button_texts           # on the office's one card
    await a.send(f"/ticket {number}", chat=housing)
    told = await housing.wait_for(has("不再由住房和城乡建设局办理"))
    assert "许办事" in plain(told) and "退回治庸问责办公室" in plain(told)
    assert "本小区由街道物业办管理" in plain(told) and "没有找到" not in plain(told)

    done = await office.press(triage, text="➡️ 市场监督管理局")
    assert done is not None and "已派给 市场监督管理局" in (done.text or "")
    await card_of(w.groups["market"], number)


async def test_desk_actions_plan_their_chase_at_once(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "沈市民")
    a = await w.staff("曹办事", "housing")
    number = await file_complaint(citizen)
    await a.press(await card_of(w.groups["housing"], number), text="签收")
    await w.groups["housing"].wait_for(lambda m: m.edited and "曹办事" in plain(m))
    t = await _ticket(w.app, number)
    assert t.planned_version == t.version
    async with w.app.ctx.uow() as uow:
        kinds = {x.kind for x in await uow.actions.pending_for_ticket(t.id or 0)}
    assert "urge" in kinds and not kinds & {"sign_urge", "sign_supervise"}


async def test_a_pending_extension_card_retires_when_the_ticket_is_answered(
        desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "龚市民")
    a = await w.staff("匡办事", "housing")
    housing, office_group = w.groups["housing"], w.groups["supervision"]
    number = await file_complaint(citizen)
    card = await card_of(housing, number)
    await a.press(card, text="签收")
    await housing.wait_for(lambda m: m.edited and "匡办事" in plain(m))
    mark = office_group.mark()
    await _extend(w, a, card, "等待检测报告", "2026-12-30")
    request = await _request_card(w, number, mark)
    await a.press(current(housing, card), text="答复")
    await a.wait_for(has("提交答复"))
    await a.send("检测报告已出，问题已整改。")
    prompt = await a.wait_for(has("提交答复"))
    await a.press(prompt, text="提交答复")
    await a.wait_for(has("已答复投诉人"))
    await office_group.wait_for(lambda m: m.edited and m.message_id == request.message_id)
    retired = current(office_group, request)
    assert "工单已流转（已答复" in plain(retired) and "匡办事" in plain(retired)
    assert not retired.callback_data and "等待检测报告" in plain(retired)
    async with w.app.ctx.uow() as uow:
        t = await uow.tickets.by_number(number)
        assert t is not None and t.id is not None
        assert [r.status for r in await uow.extensions.for_ticket(t.id)] == ["lapsed"]


async def block_and_appeal(emu: BotApiEmulator, citizen: User, office: User, office_group: Group,
                           number: str) -> None:
    """The office blocks the person behind `number`; they are told once, appeal once, and
    work again once unblocked. Shared by both frameworks' tests."""
    await office.send(f"/block {number}", chat=office_group)
    await office_group.wait_for(has("用法：/block"))
    await office.send(f"/block {number} 一分钟内重复提交同一投诉二十次", chat=office_group)
    await office_group.wait_for(has(f"已暂停 {number} 的投诉人"))
    await office.send(f"/block {number} 再来一次", chat=office_group)
    again = await office_group.wait_for(has("已于"))
    assert "一分钟内重复提交" in plain(again)

    await citizen.send("/start")
    told = await citizen.wait_for(has("/appeal"))
    assert "暂停" in plain(told) and "12345" in plain(told)
    before = len(citizen.sent())
    await citizen.send("你好")
    await citizen.send("我要再投诉一次")
    await citizen.send("/appeal")
    await citizen.wait_for(has("请在 /appeal 后面写上"))
    assert len(citizen.sent()) == before + 1          # told once; the rest went unanswered
    await citizen.send("/appeal 我反映的是另一个窗口的问题，不是重复。")
    await citizen.wait_for(has("已转交治庸问责办公室复核"))
    appeal = await office_group.wait_for(has(f"申诉 {number}"))
    assert "另一个窗口" in plain(appeal) and citizen.first_name not in plain(appeal)
    await citizen.send("/appeal 再申诉一次")
    await citizen.wait_for(has("正在复核"))

    await office.send(f"/unblock {number} 复核后确认不是重复", chat=office_group)
    await office_group.wait_for(has(f"已恢复 {number} 的投诉人"))
    await citizen.wait_for(has("已恢复本账号的使用"))
    await citizen.send("/mine")
    await citizen.wait_for(has(number))
    await office.send(f"/unblock {number}", chat=office_group)
    await office_group.wait_for(has("没有被暂停"))
    await office.send(f"/ticket {number}", chat=office_group)
    history = await office_group.wait_for(has("办理记录"))
    assert "暂停投诉人使用本渠道：一分钟内重复提交同一投诉二十次" in plain(history)
    assert "恢复投诉人使用本渠道：复核后确认不是重复" in plain(history)
    for m in office_group.sent():
        assert str(citizen.id) not in plain(m) and citizen.first_name not in plain(m)


async def test_office_blocks_and_unblocks_by_ticket_number(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "屠多发", username="flooder")
    a = await w.staff("吕办事", "housing")
    office = await w.staff("施督办", None, role="supervisor")
    number = await file_complaint(citizen)
    await a.send(f"/block {number} 太多了", chat=w.groups["housing"])
    refused = await w.groups["housing"].wait_for(has("只有治庸问责办公室"))
    assert refused
    await block_and_appeal(w.emu, citizen, office, w.groups["supervision"], number)
    await a.send(f"/ticket {number}", chat=w.groups["housing"])
    history = await w.groups["housing"].wait_for(has("办理记录"))
    assert "暂停" not in plain(history) and "申诉" not in plain(history)   # the office's own


async def supplement_with_files(citizen: User, group: Group, number: str) -> None:
    """The same complaint again, with a photo, a document, a voice and a location, goes to
    `number` as 补充材料, files and all. Shared by both frameworks' tests."""
    await citizen.send("/start")
    welcome = await citizen.wait_for(has("隐私"))
    await citizen.press(welcome, text="我要投诉")
    await citizen.wait_for(has("请描述"))
    await citizen.send(COMPLAINT + "昨天又去看了，还是锁着。")
    ack = await citizen.wait_for(has("已记下"))
    await citizen.send_photo(caption="昨天拍的")
    await citizen.wait_for(has("1 个附件"))
    await citizen.send_document("物业回复.pdf")
    await citizen.wait_for(has("2 个附件"))
    await citizen.send_voice(duration=20)
    await citizen.wait_for(has("3 个附件"))
    await citizen.send_location(30.5931, 114.3055)
    await citizen.wait_for(has("4 个附件"))
    await citizen.press(ack, text="完成")
    await citizen.wait_for(has("被投诉"))
    await citizen.send("某某物业公司")
    await citizen.wait_for(has("实名还是匿名"))
    await citizen.tap("🙈 匿名提交")
    summary = await citizen.wait_for(has("请核对"))
    await citizen.press(summary, text="确认提交")
    offer = await citizen.wait_for(has("已反映过相同问题"))
    assert number in plain(offer)
    await citizen.press(offer, text=f"补充到 {number}")
    done = await citizen.wait_for(has("已作为补充材料"))
    assert number in plain(done) and "4 个附件" in plain(done)
    note = await group.wait_for(has(f"{number} 投诉人补充材料"))
    assert "还是锁着" in plain(note) and "openstreetmap.org" in (note.text or "")
    card = next(m for m in group.sent() if number in plain(m) and "投诉内容" in plain(m))
    assert note.reply_to == card.message_id                       # threaded under the card
    kinds = []
    for _ in range(3):
        m = await group.wait_for(lambda m: f"{number} 补充材料附件" in (m.caption or ""))
        kinds.append(m.kind)
    assert sorted(kinds) == ["document", "photo", "voice"]
    for m in group.sent():
        assert citizen.first_name not in plain(m) and str(citizen.id) not in plain(m)


async def test_the_same_complaint_again_is_added_as_a_supplement(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "卫重复")
    number = await file_complaint(citizen)
    await card_of(w.groups["housing"], number)
    await supplement_with_files(citizen, w.groups["housing"], number)


async def test_a_declined_appeal_is_announced_and_recorded(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "柏申诉")
    office = await w.staff("韦督办", None, role="supervisor")
    group = w.groups["supervision"]
    number = await file_complaint(citizen)
    await office.send(f"/block {number} 辱骂工作人员", chat=group)
    await group.wait_for(has(f"已暂停 {number} 的投诉人"))
    await office.send(f"/decline {number}", chat=group)
    await group.wait_for(has("没有提出申诉"))
    await citizen.send("/appeal 我没有辱骂，请复核。")
    await citizen.wait_for(has("已转交治庸问责办公室复核"))
    appeal = await group.wait_for(has(f"申诉 {number}"))
    assert f"/decline {number}" in plain(appeal)
    await office.send(f"/decline {number} 复核了聊天记录，维持暂停。", chat=group)
    done = await group.wait_for(has(f"已驳回 {number} 的申诉"))
    assert "韦督办" in plain(done)
    told = await citizen.wait_for(has("决定维持暂停"))
    assert "复核了聊天记录" in plain(told) and "韦督办" not in plain(told)
    await office.send(f"/decline {number}", chat=group)
    again = await group.wait_for(has("已于"))
    assert "韦督办" in plain(again) and "驳回" in plain(again)
    await office.send(f"/ticket {number}", chat=group)
    history = await group.wait_for(has("办理记录"))
    assert "驳回申诉，维持暂停：复核了聊天记录" in plain(history) and "韦督办" in plain(history)
