"""The same citizen journey through the aiogram adapter (its own emulator and database)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.aio.runner import AiogramBot
from bot.app import App, build_app
from bot.config import Settings, StorageConfig, TelegramConfig
from bot.emulator import BotApiEmulator
from tests.conftest import own_database
from tests.e2e.test_answers import voice_and_location_answers
from tests.e2e.test_citizen_flow import COMPLAINT, finish_filing, number_of, start_filing
from tests.e2e.test_night import FIRE, SATURDAY_3AM, rang, send_call
from tests.e2e.test_office_findings import findings_dialog
from tests.e2e.test_office_triage import route_and_correct, unsure_tickets_queue
from tests.e2e.test_script import (
    COMPLAINT_TW,
    assert_traditional,
    file_traditional,
    switch_script_mid_filing,
)
from tests.e2e.test_staff_desk import (
    DEPARTMENTS,
    DeskWorld,
    block_and_appeal,
    card_of,
    current,
    file_complaint,
    has,
    supplement_with_files,
)
from workflow.deadlines.clock import FakeClock
from workflow.desk.staff import create_staff_invite


@pytest.fixture(scope="module")
async def aio(backend: str, settings: Settings, start_time: object,
              tmp_path_factory: pytest.TempPathFactory
              ) -> AsyncIterator[tuple[BotApiEmulator, App, AiogramBot]]:
    """The aiogram bot on a database of its own (the PTB live bot's sender must not send its
    rows), on each backend."""
    async with own_database(backend, "aio", tmp_path_factory) as db:
        url = db.engine.url.render_as_string(hide_password=False)
        async for running in _aio_bot(settings, start_time, url):
            yield running


async def _aio_bot(settings: Settings, start_time: object, url: str
                   ) -> AsyncIterator[tuple[BotApiEmulator, App, AiogramBot]]:
    emu = await BotApiEmulator(token="888000:AIOGRAM").start()
    s = settings.model_copy(deep=True)
    s.telegram = TelegramConfig(api_url=emu.api_url, poll_timeout=1)
    s.storage = StorageConfig(url=url)
    s.scheduler.enabled = False
    for i, dept in enumerate(s.departments.values()):
        dept.chat_id = -1003000000000 - i
        emu.group(dept.chat_id, f"{dept.name}工作群")
    app = build_app(s, clock=FakeClock(start_time))  # type: ignore[arg-type]
    await app.prepare()
    bot = AiogramBot(app, emu.token)
    await bot.start()
    yield emu, app, bot
    await bot.stop()
    await app.close()
    await emu.stop()


async def test_filing_through_aiogram(aio: tuple[BotApiEmulator, App, AiogramBot]) -> None:
    emu, app, _ = aio
    citizen = emu.user(6660001, "李四", username="lisi")
    await citizen.send("/start")
    welcome = await citizen.wait_for(lambda m: "隐私" in (m.plain or ""))
    await citizen.press(welcome, text="我要投诉")
    await citizen.wait_for(lambda m: "请描述" in (m.plain or ""))
    await citizen.send(COMPLAINT)
    ack = await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    await citizen.send_photo(caption="照片")
    await citizen.wait_for(lambda m: "1 个附件" in (m.plain or ""))
    await citizen.press(ack, text="完成")
    await citizen.wait_for(lambda m: "被投诉" in (m.plain or ""))
    await citizen.send("3号窗口")
    await citizen.wait_for(lambda m: "实名还是匿名" in (m.plain or ""))
    await citizen.tap("🙈 匿名提交")
    summary = await citizen.wait_for(lambda m: "请核对" in (m.plain or ""))
    await citizen.press(summary, text="确认提交")
    done = await citizen.wait_for(lambda m: "投诉编号" in (m.plain or ""))
    number = re.search(r"ZY-\d{8}-\d{4,}", done.plain or "")
    assert number

    async with app.ctx.uow() as uow:
        ticket = await uow.tickets.by_number(number.group(0))
    assert ticket is not None
    chat = app.settings.departments[ticket.department].chat_id or 0
    card = await emu.wait_for(chat, lambda m: number.group(0) in (m.plain or ""), timeout=10)
    assert COMPLAINT in (card.plain or "") and "李四" not in (card.plain or "")
    await emu.wait_for(chat, lambda m: m.kind == "photo", timeout=10)
    assert not emu.calls("forwardMessage")

    answer = await citizen.press(ack, text="完成")   # an old button of the submitted draft
    assert answer is not None and answer.show_alert and "失效" in (answer.text or "")


async def test_traditional_filing_through_aiogram(aio: tuple[BotApiEmulator, App, AiogramBot]
                                                  ) -> None:
    emu, app, _ = aio
    citizen = emu.user(6660002, "陳大文", username="chan", language_code="zh-hant")
    number = await file_traditional(citizen)
    assert_traditional(citizen, "t")
    async with app.ctx.uow() as uow:
        ticket = await uow.tickets.by_number(number)
    assert ticket is not None
    chat = app.settings.departments[ticket.department].chat_id or 0
    card = await emu.wait_for(chat, lambda m: number in (m.plain or ""), timeout=10)
    assert "投诉内容" in (card.plain or "") and COMPLAINT_TW in (card.plain or "")


async def test_typed_and_swipe_answers_through_aiogram(
        aio: tuple[BotApiEmulator, App, AiogramBot]) -> None:
    emu, app, _ = aio
    citizen = emu.user(6660003, "赵市民")
    staff = emu.user(6660004, "钱办事")
    housing = emu.group(app.settings.departments["housing"].chat_id or 0, "住建局工作群")
    housing.add_member(staff)
    invite = await create_staff_invite(app.ctx, "housing", "staff")
    await staff.send(f"/join {invite.code}")
    await staff.wait_for(has("欢迎"))
    number = await file_complaint(citizen)
    card = await card_of(housing, number)
    await staff.press(card, text="签收")
    await citizen.wait_for(has("签收办理"))
    await housing.wait_for(lambda m: m.edited and "钱办事" in (m.plain or ""))
    for question, answer, swipe in (("几号楼？", "3号楼。", False), ("多久了？", "三个月。", True)):
        await staff.press(current(housing, card), text="追问")
        await staff.wait_for(has("要问投诉人的问题"))
        await staff.send(question)
        asked = await citizen.wait_for(has(question))
        await citizen.send(answer, reply_to=asked if swipe else None)
        await citizen.wait_for(has("转达"))
        await housing.wait_for(has(answer))
    await voice_and_location_answers(citizen, staff, housing, card.message_id)


async def test_the_stats_chart_is_uploaded_through_aiogram(
        aio: tuple[BotApiEmulator, App, AiogramBot]) -> None:
    emu, app, _ = aio
    office = emu.user(6660012, "吴督查")
    invite = await create_staff_invite(app.ctx, None, "supervisor")
    await office.send(f"/join {invite.code}")
    await office.wait_for(lambda m: "欢迎" in (m.plain or ""))
    group = emu.group(app.settings.departments["supervision"].chat_id or 0, "")
    group.add_member(office)
    await office.send("/stats", chat=group)
    picture = await group.wait_for(lambda m: m.kind == "photo", timeout=15)
    assert "办理情况图" in (picture.caption or "") and picture.file_id
    assert emu.files.get(picture.file_id).data.startswith(b"\x89PNG")
    await group.wait_for(lambda m: "部门考核" in (m.plain or ""))


async def test_location_and_voice_through_aiogram(aio: tuple[BotApiEmulator, App, AiogramBot]
                                                  ) -> None:
    emu, app, _ = aio
    citizen = emu.user(6660021, "孙老伯")
    await start_filing(citizen)
    await citizen.send_location(30.593100, 114.305500)         # a location with no text
    await citizen.wait_for(has("1 个附件"))
    await citizen.send(COMPLAINT)
    await citizen.wait_for(has("已记下"))
    await citizen.send_voice(duration=0)
    await citizen.wait_for(has("0 秒"))
    await citizen.send_voice(duration=600, data=b"OggS" + bytes(21 * 1024 * 1024))
    await citizen.wait_for(has("语音太大"))
    await citizen.send_voice(duration=12)
    await citizen.wait_for(has("2 个附件"))
    number = number_of(await finish_filing(citizen))
    async with app.ctx.uow() as uow:
        ticket = await uow.tickets.by_number(number)
    assert ticket is not None
    chat = app.settings.departments[ticket.department].chat_id or 0
    card = await emu.wait_for(chat, lambda m: number in (m.plain or "") and "投诉内容" in (m.plain or ""),
                              timeout=10)
    assert "openstreetmap.org/?mlat=30.593100&amp;mlon=114.305500" in (card.text or "")
    assert "附件：1 个" in (card.plain or "")
    await emu.wait_for(chat, lambda m: m.kind == "voice" and number in (m.caption or ""),
                       timeout=10)


async def test_block_appeal_unblock_through_aiogram(aio: tuple[BotApiEmulator, App, AiogramBot]
                                                    ) -> None:
    emu, app, _ = aio
    citizen = emu.user(6660031, "屠阿发")
    office = emu.user(6660032, "施督查")
    invite = await create_staff_invite(app.ctx, None, "supervisor")
    await office.send(f"/join {invite.code}")
    await office.wait_for(has("欢迎"))
    group = emu.group(app.settings.departments["supervision"].chat_id or 0, "")
    group.add_member(office)
    number = await file_complaint(citizen)
    await block_and_appeal(emu, citizen, office, group, number)


async def test_supplement_with_files_through_aiogram(
        aio: tuple[BotApiEmulator, App, AiogramBot]) -> None:
    emu, app, _ = aio
    citizen = emu.user(6660041, "卫阿姨")
    housing = emu.group(app.settings.departments["housing"].chat_id or 0, "住建局工作群")
    number = await file_complaint(citizen)
    await card_of(housing, number)
    await supplement_with_files(citizen, housing, number)


async def test_buttons_rendered_before_a_script_switch_through_aiogram(
        aio: tuple[BotApiEmulator, App, AiogramBot]) -> None:
    emu, _, _ = aio
    await switch_script_mid_filing(emu.user(6660051, "李先生", language_code="zh-hans"))


async def test_at_3am_through_aiogram(aio: tuple[BotApiEmulator, App, AiogramBot]) -> None:
    """Urgent: the 119 advice first, a natural-hours sign-for clock, a card that rings; an
    ordinary card at the same hour goes at once, silently."""
    emu, app, _ = aio
    saved, app.ctx.clock = app.ctx.clock, FakeClock(SATURDAY_3AM)
    try:
        for user_id, text, urgent in ((6660061, FIRE, True), (6660062, COMPLAINT, False)):
            citizen = emu.user(user_id, "夜里的市民")
            await start_filing(citizen)
            await citizen.send(text)
            if urgent:
                await citizen.wait_for(has("119"))
            await citizen.wait_for(has("已记下"))
            number = number_of(await finish_filing(citizen, accused="某某单位"))
            async with app.ctx.uow() as uow:
                t = await uow.tickets.by_number(number)
            assert t is not None and t.urgent is urgent
            if urgent:
                assert t.sign_due == SATURDAY_3AM + timedelta(hours=2)
            chat = app.settings.departments[t.department].chat_id or 0
            await emu.wait_for(chat, lambda m, n=number: n in (m.plain or "")
                               and "投诉内容" in (m.plain or ""), timeout=10)
            assert rang(send_call(emu, chat, number)) is urgent
    finally:
        app.ctx.clock = saved


def _desk(emu: BotApiEmulator, app: App) -> DeskWorld:
    """The desk tests' world on the aiogram bot (its groups, its database)."""
    return DeskWorld(emu, app, {d: emu.group(app.settings.departments[d].chat_id or 0, "")
                                for d in DEPARTMENTS})


async def test_triage_on_the_office_card_through_aiogram(
        aio: tuple[BotApiEmulator, App, AiogramBot]) -> None:
    emu, app, _ = aio
    w = _desk(emu, app)
    number, _, _ = await route_and_correct(w)
    async with app.ctx.uow() as uow:
        t = await uow.tickets.by_number(number)
        assert t is not None and t.department == "market"
        labels = await uow.corrections.for_ticket(t.id or 0)
    assert [(c.field, c.new) for c in labels] == [("department", "market"),
                                                  ("category", "misconduct")]
    await unsure_tickets_queue(w)


async def test_finding_dialog_through_aiogram(aio: tuple[BotApiEmulator, App, AiogramBot]
                                              ) -> None:
    emu, app, _ = aio
    saved = app.ctx.clock
    try:
        await findings_dialog(_desk(emu, app))
    finally:
        app.ctx.clock = saved
