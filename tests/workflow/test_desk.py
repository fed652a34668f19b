"""The staff desk on the real database: joining, every card action, arbitration,
the anonymous relay, concurrency and every refusal — and what each group may read."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest

from bot.app import App, build_app
from bot.config import Settings
from storage.uow import Database
from tests.workflow.desk_harness import Desk, Person, desk_context
from workflow.chat import callbacks
from workflow.deadlines.clock import FakeClock
from workflow.desk import cards
from workflow.model import Ticket, TicketState


@pytest.fixture(scope="session")
async def desk_app(settings: Settings, start_time: datetime, quiet_database: Database
                   ) -> AsyncIterator[App]:
    """The application with the real classifier (it routes the desk's complaint to housing),
    on its own clock and its own database: the desk binds department groups of its own,
    which must not redirect the cards of the running end-to-end bot."""
    own = settings.model_copy(deep=True)
    own.storage.url = quiet_database.url
    application = build_app(own, clock=FakeClock(start_time))
    yield application
    await application.close()


@pytest.fixture
async def desk(desk_app: App, new_id: Callable[[], int]) -> Desk:
    d = Desk(desk_app, desk_context(desk_app), new_id)
    await d.bind("housing", "market", "supervision")
    return d


async def ticket(desk: Desk, number: str) -> Ticket:
    async with desk.ctx.uow() as uow:
        t = await uow.tickets.by_number(number)
    assert t is not None
    return t


async def events(desk: Desk, t: Ticket) -> list[str]:
    async with desk.ctx.uow() as uow:
        return [e.kind for e in await uow.events.for_ticket(t.id or 0)]


def sign(t: Ticket) -> str:
    return f"t:sign:{t.id}"


async def world(desk: Desk) -> tuple[Person, Person, Person, Person, Person]:
    citizen = Person(desk, desk.new_id(), "王秘密", username="secret_citizen",
                     phone="13912345678")
    a = await desk.person("张办事", "housing")
    b = await desk.person("李同事", "housing", role="head")
    c = await desk.person("赵市监", "market")
    office = await desk.person("钱督办", role="supervisor")
    return citizen, a, b, c, office


def assert_no_identity(desk: Desk, citizen: Person, *departments: str) -> None:
    """Nothing a department group received may tell who complained."""
    secrets = [citizen.name, citizen.username, citizen.phone, str(citizen.id), "zh"]
    for d in departments:
        for m in desk.inbox(desk.groups[d]):
            for s in secrets[:-1]:
                assert s not in m.text, (s, m.out.key, m.text)
            assert str(citizen.id) not in str(m.out.params)


# ---- joining ------------------------------------------------------------------------------

async def test_join_with_used_expired_and_group_codes(desk: Desk) -> None:
    from workflow.desk.staff import create_staff_invite

    invite = await create_staff_invite(desk.ctx, "housing", "staff")
    first, second = Person(desk, desk.new_id(), "甲"), Person(desk, desk.new_id(), "乙")
    assert (await first.command("join", invite.code)).messages[0].key == "staff.joined"
    assert (await second.command("join", invite.code)).messages[0].key == "error.invite_used"
    expired = await desk.expired_invite("housing")
    assert (await second.command("join", expired)).messages[0].key == "error.invite_expired"
    assert (await second.command("join", "NOSUCHCODE")).messages[0].key == "error.invite_invalid"
    fresh = await create_staff_invite(desk.ctx, "housing", "staff")
    resp = await second.command("join", fresh.code, chat=desk.groups["housing"])
    assert resp.messages[0].key == "error.join_private_only"
    assert (await second.press("t:sign:1")).answer_key == "error.not_staff"


# ---- the full path ------------------------------------------------------------------------

async def test_sign_ask_reply_note_answer(desk: Desk) -> None:
    citizen, a, b, _, office = await world(desk)
    number = await citizen.file(real_name=True)
    t = await ticket(desk, number)
    housing = desk.groups["housing"]
    await desk.deliver()
    card = [m for m in desk.inbox(housing) if m.out.key == "card.ticket"][-1]
    assert [b.data for row in card.out.buttons for b in row][:2] == [sign(t), f"t:return:{t.id}"]

    resp = await a.press(sign(t), chat=housing)
    assert resp.answer_key == "desk.signed_ok"
    await desk.deliver()
    edited = [m for m in desk.inbox(housing) if m.out.edit_message_id == card.message_id]
    assert edited and "张办事" in edited[-1].text and "t:answer" in str(edited[-1].out.buttons)
    accepted = [m for m in desk.inbox(citizen.id) if m.out.key == "desk.accepted_citizen"]
    assert accepted and "住房和城乡建设局" in accepted[0].text and "张办事" not in accepted[0].text

    # 追问 → the citizen replies (while a new filing draft is in progress) → the group reads it
    resp = await a.press(f"t:ask:{t.id}", chat=housing)
    assert resp.answer_key == "desk.continue_private"
    assert resp.messages[0].chat_id == a.id and resp.messages[0].key == "desk.ask_text"
    await a.text("请问消防通道具体是几号楼？")
    assert a.keys() == ["desk.done.ask"]
    await desk.deliver()
    question = [m for m in desk.inbox(citizen.id) if m.out.key == "relay.question"][-1]
    assert "张办事" not in question.text and "几号楼" in question.text
    await citizen.press_key("btn.file")
    await citizen.text("另一件事：路灯坏了很久没人修。")
    await citizen.press(question.out.buttons[0][0].data)
    assert citizen.keys() == ["relay.reply_prompt"]
    await citizen.text("是3号楼和5号楼之间的通道。")
    assert citizen.keys() == ["relay.reply_sent"]
    await citizen.command("start")
    assert citizen.keys() == ["file.resume_prompt"]   # the filing draft survived the reply
    await desk.deliver()
    assert any("3号楼和5号楼" in m.text for m in desk.inbox(housing) if m.out.key == "relay.reply_group")

    # 备注 by a colleague: the group and the history see it, the complainant never does
    await b.press(f"t:note:{t.id}", chat=housing)
    await b.text("已联系街道，周三现场核查。")
    assert b.keys() == ["desk.done.note"]

    # 答复 in two parts with a photo
    await a.press(f"t:answer:{t.id}", chat=housing)
    await a.text("经核查，物业已于今日打开消防通道。")
    await a.photo("answer-photo-1", "整改后照片")
    await a.press_key("btn.desk.submit")
    assert a.keys() == ["desk.done.answer"]
    assert (await ticket(desk, number)).state == TicketState.ANSWERED
    await desk.deliver()
    mine = desk.inbox(citizen.id)
    answer = [m for m in mine if m.out.key == "desk.answer_citizen"][-1]
    assert "物业已于今日打开" in answer.text and "整改后照片" in answer.text
    assert any(m.out.media and m.out.media.file_id == "answer-photo-1" for m in mine)
    assert not any("周三现场核查" in m.text for m in mine)
    assert "周三现场核查" in "".join(m.text for m in desk.inbox(housing))

    # history: every action, who and what
    await a.command("ticket", number, chat=housing)
    history = a.last.messages[-1]
    assert history.key == "desk.history"
    kinds = [i["event"] for i in history.params["items"]]
    assert kinds == ["filed", "routed", "signed", "question", "citizen_reply", "note", "answered"]
    assert "identity" not in history.params
    rendered = desk.app.renderer.text(history.key, history.params)
    assert "张办事" in rendered and citizen.name not in rendered and citizen.phone not in rendered
    # the office sees the real-name complainant in its private chat only, not in its group
    await office.command("ticket", number, chat=desk.groups["supervision"])
    in_group = office.last.messages[-1].params
    assert "person" not in in_group and in_group.get("identity_in_private") is True
    await office.command("ticket", number)
    assert office.last.messages[-1].params.get("person") == citizen.name
    assert_no_identity(desk, citizen, "housing", "market")


async def test_pending_lists_open_tickets_by_due_date(desk: Desk) -> None:
    citizen, a, _, c, office = await world(desk)
    first, second = await citizen.file(), await citizen.file(again=True)
    await a.press(sign(await ticket(desk, first)), chat=desk.groups["housing"])
    await a.command("pending", chat=desk.groups["housing"])
    items = a.last.messages[0].params["items"]
    numbers = [i["number"] for i in items]
    assert first in numbers and second in numbers
    dues = [i["due_at"] for i in items]
    assert dues == sorted(dues)
    await c.command("pending", chat=desk.groups["housing"])
    assert c.keys() == ["error.wrong_department"]
    await c.command("pending", "housing", chat=desk.groups["market"])
    assert c.keys() == ["error.not_supervisor"]
    await office.command("pending", "housing", chat=desk.groups["supervision"])
    assert first in [i["number"] for i in office.last.messages[0].params["items"]]
    await c.command("ticket", first, chat=desk.groups["market"])
    assert c.keys() == ["error.ticket_not_found"]


# ---- return, arbitration, transfer --------------------------------------------------------

async def test_return_then_ruling_then_no_second_return(desk: Desk) -> None:
    citizen, a, _, _, office = await world(desk)
    t = await ticket(desk, await citizen.file())
    housing, supervision = desk.groups["housing"], desk.groups["supervision"]
    await a.press(f"t:return:{t.id}", chat=housing)
    assert a.keys() == ["desk.ask_reason"]
    await a.press_key("btn.desk.reason.territory")
    assert a.keys() == ["desk.done.return"]
    t = await ticket(desk, t.number)
    assert (t.state, t.department) == (TicketState.TRIAGE, "supervision")
    await desk.deliver()
    triage = [m for m in desk.inbox(supervision) if m.out.key == "card.ticket"][-1]
    assert callbacks.triage("must", t.id or 0) in str(triage.out.buttons)   # on the one card
    assert (await a.press(f"t:must:{t.id}", chat=supervision)).answer_key == "error.not_supervisor"

    resp = await office.press(f"t:must:{t.id}", chat=supervision)
    assert resp.answer_key == "desk.ruled_ok"
    t = await ticket(desk, t.number)
    assert (t.state, t.department, t.routing_note) == (TicketState.ROUTED, "housing", "ruled")
    resp = await a.press(f"t:return:{t.id}", chat=housing)
    assert resp.answer_key == "error.return_after_ruling" and resp.answer_alert
    assert (await a.press(f"t:transfer:{t.id}", chat=housing)).answer_key == \
        "error.return_after_ruling"
    await desk.deliver()
    assert any("不得再退回" in m.text for m in desk.inbox(housing) if m.out.key == "card.ticket")
    assert await events(desk, t) == ["filed", "routed", "returned", "ruled_must_handle"]


async def test_return_with_own_reason_then_reroute(desk: Desk) -> None:
    citizen, a, _, c, office = await world(desk)
    t = await ticket(desk, await citizen.file())
    await a.press(f"t:return:{t.id}", chat=desk.groups["housing"])
    await a.press_key("btn.desk.reason.other")
    assert a.keys() == ["desk.ask_reason_text"]
    await a.text("   ")
    assert a.keys() == ["error.empty_input"]
    await a.text("这是市场监管的事")
    assert a.keys() == ["desk.done.return"]
    await office.press(f"t:reroute:{t.id}", chat=desk.groups["supervision"])
    assert office.keys() == ["desk.ask_department"]
    await office.press_key("btn.desk.department", "market")
    assert office.keys() == ["desk.done.reroute"]
    t = await ticket(desk, t.number)
    assert (t.state, t.department) == (TicketState.ROUTED, "market")
    assert (await c.press(sign(t), chat=desk.groups["market"])).answer_key == "desk.signed_ok"


async def test_transfer_moves_the_card_and_keeps_the_chain(desk: Desk) -> None:
    citizen, a, _, c, _ = await world(desk)
    t = await ticket(desk, await citizen.file())
    await desk.deliver()
    await a.press(f"t:transfer:{t.id}", chat=desk.groups["housing"])
    await a.press_key("btn.desk.department", "market")
    assert a.keys() == ["desk.ask_reason_text"]
    await a.text("涉及商家经营行为，归市场监管")
    assert a.keys() == ["desk.done.transfer"]
    await desk.deliver()
    assert any(m.out.key == "card.ticket" for m in desk.inbox(desk.groups["market"]))
    moved = [m for m in desk.inbox(desk.groups["housing"]) if m.out.edit_message_id]
    assert moved and not moved[-1].out.buttons and "已移交" in moved[-1].text
    assert (await a.press(sign(t), chat=desk.groups["housing"])).answer_key == \
        "error.wrong_department"
    assert (await c.press(sign(t), chat=desk.groups["market"])).answer_key == "desk.signed_ok"
    assert await events(desk, t) == ["filed", "routed", "transferred", "signed"]
    assert_no_identity(desk, citizen, "housing", "market")


async def test_transfer_can_be_switched_off(desk: Desk) -> None:
    from dataclasses import replace


    citizen, a, _, _, _ = await world(desk)
    t = await ticket(desk, await citizen.file())
    desk.ctx.desk = dataclasses.replace(desk.ctx.desk, allow_direct_transfer=False)
    try:
        assert (await a.press(f"t:transfer:{t.id}", chat=desk.groups["housing"])).answer_key \
            == "error.transfer_disabled"
    finally:
        desk.ctx.desk = replace(desk.ctx.desk, allow_direct_transfer=True)


# ---- extension ----------------------------------------------------------------------------

async def test_extension_request_and_approval(desk: Desk) -> None:
    citizen, a, _, _, office = await world(desk)
    t = await ticket(desk, await citizen.file())
    housing = desk.groups["housing"]
    await a.press(sign(t), chat=housing)
    await a.press(f"t:extend:{t.id}", chat=housing)
    await a.text("需要协调消防部门联合检查")
    assert a.keys() == ["desk.ask_date"]
    await a.text("明天吧")
    assert a.keys() == ["error.bad_date"]
    await a.text("2020-01-01")
    assert a.keys() == ["error.date_not_later"]
    await a.text("2026-12-31")
    assert a.keys() == ["desk.done.extend"]
    await desk.deliver()
    card = [m for m in desk.inbox(desk.groups["supervision"])
            if m.out.key == "desk.extension_card"][-1]
    approve = card.out.buttons[0][0].data
    assert (await a.press(approve, chat=housing)).answer_key == "error.not_supervisor"
    resp = await office.press(approve, chat=desk.groups["supervision"])
    assert resp.answer_key == "desk.extension_done"
    assert (await office.press(approve, chat=desk.groups["supervision"])).answer_key == \
        "error.extension_decided"
    t = await ticket(desk, t.number)
    assert t.answer_due is not None and desk.ctx.local(t.answer_due).date().isoformat() == \
        "2026-12-31"
    await desk.deliver()
    assert any(m.out.key == "desk.extension_citizen" for m in desk.inbox(citizen.id))


async def test_no_extension_once_the_answer_is_overdue(desk: Desk) -> None:
    citizen, a, _, _, _ = await world(desk)
    t = await ticket(desk, await citizen.file())
    housing = desk.groups["housing"]
    await a.press(sign(t), chat=housing)
    t = await ticket(desk, t.number)
    assert t.answer_due is not None
    clock = desk.ctx.clock
    before = clock.now()
    clock.set(t.answer_due + timedelta(hours=1))  # type: ignore[attr-defined]
    try:
        resp = await a.press(f"t:extend:{t.id}", chat=housing)
    finally:
        clock.set(before)  # type: ignore[attr-defined]
    assert resp.answer_key == "error.extension_too_late" and resp.answer_alert
    assert (await ticket(desk, t.number)).answer_due == t.answer_due


# ---- concurrency and refusals -------------------------------------------------------------

async def test_two_staff_sign_at_once_one_wins(desk: Desk) -> None:
    citizen, a, b, _, _ = await world(desk)
    t = await ticket(desk, await citizen.file())
    housing = desk.groups["housing"]
    ra, rb = await asyncio.gather(a.press(sign(t), chat=housing), b.press(sign(t), chat=housing))
    assert sorted([ra.answer_key or "", rb.answer_key or ""]) == \
        ["desk.signed_ok", "error.already_signed"]
    loser = ra if ra.answer_key != "desk.signed_ok" else rb
    winner = a if ra.answer_key == "desk.signed_ok" else b
    assert loser.answer_params["name"] == winner.name and loser.answer_alert
    stored = await ticket(desk, t.number)
    assert stored.signed_by == winner.id and stored.version == t.version + 1
    assert (await events(desk, t)).count("signed") == 1


async def test_refusals_change_nothing(desk: Desk) -> None:
    citizen, a, _, c, _ = await world(desk)
    stranger = Person(desk, desk.new_id(), "路人")
    revoked = await desk.person("离职者", "housing")
    from workflow.desk.staff import revoke

    await revoke(desk.ctx, revoked.id)
    t = await ticket(desk, await citizen.file())
    other = await ticket(desk, await citizen.file(again=True))
    housing = desk.groups["housing"]
    cases = [
        (stranger, sign(t), "error.not_staff"),
        (revoked, sign(t), "error.not_staff"),
        (c, sign(t), "error.wrong_department"),
        (a, "garbage", "error.stale_button"),
        (a, "t:sign:" + "9" * 100, "error.stale_button"),
        (a, "t:sign:999999999", "error.stale_button"),
        (a, "t:explode:1", "error.stale_button"),
        (a, "x:approve:abc", "error.stale_button"),
        (a, f"t:answer:{t.id}", "error.ticket_moved"),   # not signed yet
    ]
    for who, data, key in cases:
        resp = await who.press(data, chat=housing)
        assert (resp.answer_key, resp.answer_alert) == (key, True), (who.name, data, resp)
    await a.press(sign(t), chat=housing)
    stale = await a.press(sign(t), chat=housing)
    assert stale.answer_key == "error.already_signed"
    assert (await a.press(f"t:reroute:{t.id}", chat=housing)).answer_key == "error.not_supervisor"
    assert (await c.press(f"t:note:{other.id}", chat=housing)).answer_key == \
        "error.wrong_department"
    assert (await ticket(desk, other.number)).version == other.version
    assert await events(desk, other) == ["filed", "routed"]
    await stranger.command("pending", chat=housing)
    assert stranger.keys() == ["error.not_staff"]


async def test_empty_and_very_long_answers(desk: Desk) -> None:
    citizen, a, _, _, _ = await world(desk)
    t = await ticket(desk, await citizen.file())
    housing = desk.groups["housing"]
    await a.press(sign(t), chat=housing)
    await a.press(f"t:answer:{t.id}", chat=housing)
    submit = a.last.messages[0].buttons[0][0].data
    assert (await a.press(submit)).answer_key == "error.empty_input"
    assert (await ticket(desk, t.number)).state == TicketState.SIGNED
    for i in range(3):
        await a.text(f"第{i + 1}段。" + "答复内容很长。" * 476)
    await a.press_key("btn.desk.submit")
    assert a.keys() == ["desk.done.answer"]
    await desk.deliver()
    answer = [m for m in desk.inbox(citizen.id) if m.out.key == "desk.answer_citizen"][-1]
    assert len(answer.parts) >= 3 and all(len(p.text) <= 4096 for p in answer.parts)
    assert sum(len(p.text) for p in answer.parts) > 10000


async def test_cancel_a_half_finished_action(desk: Desk) -> None:
    citizen, a, _, _, _ = await world(desk)
    t = await ticket(desk, await citizen.file())
    await a.press(f"t:return:{t.id}", chat=desk.groups["housing"])
    old = a.last
    await a.command("cancel")
    assert a.keys() == ["desk.dialog_cancelled"]
    a.last = old
    assert (await a.press_key("btn.desk.reason.info")).answer_key == "error.stale_button"
    assert (await ticket(desk, t.number)).state == TicketState.ROUTED


async def test_forged_reply_button_for_someone_elses_ticket(desk: Desk) -> None:
    citizen, a, _, _, _ = await world(desk)
    t = await ticket(desk, await citizen.file())
    await a.press(sign(t), chat=desk.groups["housing"])
    intruder = Person(desk, desk.new_id(), "冒充者")
    resp = await intruder.press(f"q:{t.id}")
    assert resp.answer_key == "error.not_your_ticket"
    assert (await intruder.press("q:" + "1" * 80)).answer_key == "error.stale_button"


async def test_reply_with_a_photo_is_resent_by_file_id(desk: Desk) -> None:
    citizen, a, _, _, _ = await world(desk)
    t = await ticket(desk, await citizen.file())
    housing = desk.groups["housing"]
    await a.press(sign(t), chat=housing)
    await a.press(f"t:ask:{t.id}", chat=housing)
    await a.text("请补充一张现场照片。")
    await desk.deliver()
    question = [m for m in desk.inbox(citizen.id) if m.out.key == "relay.question"][-1]
    await citizen.press(question.out.buttons[0][0].data)
    await citizen.photo("reply-photo-9", "通道现状")
    assert citizen.keys() == ["relay.reply_sent"]
    await citizen.text("这句不会再转给部门，因为回复已结束。")
    await desk.deliver()
    relayed = [m for m in desk.inbox(housing) if m.out.key == "relay.reply_file"]
    assert relayed and relayed[-1].out.media is not None
    assert relayed[-1].out.media.file_id == "reply-photo-9" and "通道现状" in relayed[-1].text
    assert not any("这句不会再转给部门" in m.text for m in desk.inbox(housing))
    assert_no_identity(desk, citizen, "housing")


async def test_admin_acts_as_the_office_and_a_head_cannot_arbitrate(desk: Desk) -> None:
    citizen, a, head, _, _ = await world(desk)
    admin = await desk.person("系统管理员", role="admin")
    t = await ticket(desk, await citizen.file())
    await a.press(f"t:return:{t.id}", chat=desk.groups["housing"])
    await a.press_key("btn.desk.reason.function")
    supervision = desk.groups["supervision"]
    assert (await head.press(f"t:reroute:{t.id}", chat=supervision)).answer_key == \
        "error.not_supervisor"
    assert (await admin.press(f"t:must:{t.id}", chat=supervision)).answer_key == "desk.ruled_ok"
    await admin.command("pending", "housing", chat=supervision)
    assert t.number in [i["number"] for i in admin.last.messages[0].params["items"]]


async def test_edited_card_of_a_long_complaint_stays_one_message(desk: Desk) -> None:
    citizen, a, _, _, _ = await world(desk)
    await citizen.command("start")
    await citizen.press_key("btn.file")
    for i in range(3):
        await citizen.text(f"第{i + 1}部分：" + "物业拒不整改消防通道问题。" * 250)
    await citizen.press_key("btn.done")
    await citizen.press_key("btn.skip")
    await citizen.press_key("btn.anonymous")
    await citizen.press_key("btn.submit")
    t = await ticket(desk, str(citizen.last.messages[-1].params["number"]))
    await desk.deliver()
    await a.press(sign(t), chat=desk.groups["housing"])
    await desk.deliver()
    edit = [m for m in desk.inbox(desk.groups["housing"]) if m.out.edit_message_id][-1]
    assert len(edit.parts) == 1 and "查看全文" in edit.text and "张办事" in edit.text


async def test_no_edit_when_nothing_on_the_card_changed(desk: Desk) -> None:
    citizen, a, _, _, _ = await world(desk)
    t = await ticket(desk, await citizen.file())
    housing = desk.groups["housing"]
    await desk.deliver()
    await a.press(sign(t), chat=housing)
    await desk.deliver()
    edits = len([m for m in desk.inbox(housing) if m.out.edit_message_id])
    fresh = await ticket(desk, t.number)
    async with desk.ctx.uow() as uow:
        await cards.refresh(desk.ctx, uow, fresh, housing, "again")
        await uow.commit()
    await desk.deliver()
    assert len([m for m in desk.inbox(housing) if m.out.edit_message_id]) == edits
