"""Deadlines through the real PTB bot and the emulator: the chase reaches the department group,
the complainant rates with buttons, 不满意 + a reason reopens the ticket for 二次办理 (一案双查).

The bot's scheduler job is not running in tests; the sweep it would run is called directly.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from bot.emulator import User
from tests.e2e.conftest import Live
from workflow.deadlines import schedule
from workflow.deadlines.policy import DeadlinePolicy
from workflow.model import Complainant, Ticket, TicketState


async def make_ticket(live: Live, citizen: User, department: str, **fields: object) -> Ticket:
    ctx = live.app.ctx
    now = ctx.now()
    async with ctx.uow() as uow:
        who = await uow.complainants.by_telegram_id(citizen.id) or await uow.complainants.add(
            Complainant(telegram_id=citizen.id, created_at=now))
        t = await uow.tickets.add(Ticket(
            number=f"ZY-E-{secrets.token_hex(4)}", complainant_id=who.id or 0, anonymous=True,
            text="小区消防通道被占用，反映多次没人管", accused="", category="will_not",
            department=department, urgent=False, created_at=now - timedelta(days=20), **fields))
        await schedule.plan_ticket(ctx, uow, t)
        await uow.commit()
    return t


def policy(live: Live) -> DeadlinePolicy:
    assert isinstance(live.app.ctx.deadlines, DeadlinePolicy)
    return live.app.ctx.deadlines


async def sweep(live: Live) -> None:
    result = await live.bot.scheduler.sweep_now()
    assert result is not None
    live.bot.sender.wake()


async def test_overdue_ticket_is_chased_in_the_department_group(live: Live, citizen: User) -> None:
    now = live.app.ctx.now()                          # Monday 10:00: working time
    signed = now - timedelta(days=14)
    t = await make_ticket(live, citizen, "urban", state=TicketState.SIGNED, signed_at=signed,
                          signed_by=777, sign_due=signed,
                          answer_due=policy(live).answer_due(signed, "other", False))
    await sweep(live)
    group = live.groups["urban"]
    urge = await group.wait_for(lambda m: t.number in (m.plain or "") and "催办" in (m.plain or ""))
    assert "已超过答复期限" in (urge.plain or "")
    office = live.groups["supervision"]
    await office.wait_for(lambda m: t.number in (m.plain or "") and "逾期未答复" in (m.plain or ""))
    await sweep(live)                                 # a second sweep sends nothing new
    assert len([m for m in group.sent() if t.number in (m.plain or "")
                and "催办" in (m.plain or "")]) == 1


async def test_rating_unsatisfied_reopens_for_second_handling(live: Live, citizen: User) -> None:
    now = live.app.ctx.now()
    t = await make_ticket(live, citizen, "civil_affairs", state=TicketState.ANSWERED,
                          signed_at=now - timedelta(days=6), signed_by=888,
                          answer_due=now + timedelta(days=1), answered_at=now - timedelta(days=1))
    await sweep(live)
    ask = await citizen.wait_for(lambda m: t.number in (m.plain or "") and "评价" in (m.plain or ""))
    assert [b["text"] for b in ask.buttons[0]] == ["😊 满意", "🙂 基本满意", "😞 不满意"]
    await citizen.press(ask, text="😞 不满意")
    await citizen.wait_for(lambda m: "不满意的原因" in (m.plain or ""))
    await citizen.send("消防通道还是被占着，根本没处理")
    reopened = await citizen.wait_for(lambda m: "二次办理" in (m.plain or ""))
    assert t.number in (reopened.plain or "")
    dept = await live.groups["civil_affairs"].wait_for(
        lambda m: t.number in (m.plain or "") and "二次办理" in (m.plain or ""))
    assert "根本没处理" in (dept.plain or "") and "一案双查" in (dept.plain or "")
    await live.groups["supervision"].wait_for(
        lambda m: t.number in (m.plain or "") and "一案双查" in (m.plain or ""))
    after = await live.ticket(t.number)
    assert after.state == TicketState.REOPENED and after.double_check and after.rating == "unsatisfied"
    assert after.answer_due == policy(live).second_handling_due(now, "will_not", False)
    # the rating buttons are spent: pressing again is refused with an alert
    answer = await citizen.press(ask, text="😊 满意")
    assert answer is not None and "评价期" in (answer.text or "")
