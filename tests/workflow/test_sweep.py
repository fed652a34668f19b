"""The deadline sweep on a real database with a fake clock: weeks of deadlines in milliseconds.

Scenarios cross the 2026 National Day holiday and run in 2027 (a year chinese_calendar does
not know: Monday-Friday fallback). Tickets are written through the repositories; the staff
desk's own transitions are imitated by changing state and saving (no plan call), so the
sweep's safety net (re-planning changed tickets) is exercised too.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import col, select

from bot.app import App, build_app
from bot.config import Settings
from storage.tables import GroupBindingRow, OutboxRow
from storage.uow import Database
from workflow.chat import dispatch
from workflow.chat.messages import Incoming, Sender
from workflow.context import Context
from workflow.deadlines import schedule
from workflow.deadlines.clock import FakeClock
from workflow.deadlines.policy import DeadlinePolicy
from workflow.deadlines.sweep import SweepPolicy, sweep
from workflow.model import Complainant, GroupBinding, StaffMember, Ticket, TicketState

SHANGHAI = 8


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh - SHANGHAI, mm, tzinfo=UTC) if hh >= SHANGHAI else \
        datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=SHANGHAI)


@dataclasses.dataclass
class World:
    ctx: Context
    clock: FakeClock
    policy: DeadlinePolicy
    dept_chat: int
    office_chat: int
    department: str

    async def file(self, new_id: Callable[[], int], category: str = "will_not",
                   urgent: bool = False) -> tuple[Ticket, int]:
        citizen = new_id()
        now = self.clock.now()
        async with self.ctx.uow() as uow:
            who = await uow.complainants.add(Complainant(telegram_id=citizen, created_at=now))
            sign_due = self.policy.sign_for_due(now, urgent)
            t = await uow.tickets.add(Ticket(
                number=f"ZY-S-{secrets.token_hex(5)}", complainant_id=who.id or 0,
                anonymous=True, text="窗口工作人员推诿", accused="", category=category,
                department=self.department, urgent=urgent, created_at=now, sign_due=sign_due,
                answer_due=self.policy.answer_due(sign_due, category, urgent)))
            await schedule.plan_ticket(self.ctx, uow, t)
            await uow.commit()
        return t, citizen

    async def change(self, t: Ticket, **fields: object) -> Ticket:
        """What the staff desk does: change the row, bump the version, no planning."""
        async with self.ctx.uow() as uow:
            fresh = await uow.tickets.get(t.id or 0)
            assert fresh is not None
            for k, v in fields.items():
                setattr(fresh, k, v)
            assert await uow.tickets.save(fresh)
            await uow.commit()
        return fresh

    async def get(self, t: Ticket) -> Ticket:
        async with self.ctx.uow() as uow:
            fresh = await uow.tickets.get(t.id or 0)
        assert fresh is not None
        return fresh

    async def next_due(self, t: Ticket) -> datetime | None:
        async with self.ctx.uow() as uow:
            pending = await uow.actions.pending_for_ticket(t.id or 0)
        return min((a.due_at for a in pending), default=None)

    async def run_until(self, t: Ticket, end: datetime) -> list[tuple[datetime, str]]:
        """Jump from one due action to the next, sweeping each time; (time, kind) of notices."""
        seen: list[tuple[datetime, str]] = []
        while (due := await self.next_due(t)) is not None and due <= end:
            self.clock.set(max(due, self.clock.now()))
            await sweep(self.ctx, "test")
            seen += [(self.clock.now(), k) for k in await self.kinds_since(t, len(seen))]
        self.clock.set(max(end, self.clock.now()))
        await sweep(self.ctx, "test")
        return seen

    async def outbox(self, t: Ticket) -> list[dict[str, object]]:
        async with self.ctx.uow() as uow:   # tests may look at the rows directly
            rows = await uow.session.exec(select(OutboxRow).where(OutboxRow.ticket_id == t.id)
                                          .order_by(col(OutboxRow.id)))
            return [r.model_dump() for r in rows]

    async def kinds_since(self, t: Ticket, n: int) -> list[str]:
        return [str(r["kind"]) for r in (await self.outbox(t))[n:]]


@pytest.fixture(scope="session")
async def sweep_app(settings: Settings, quiet_database: Database) -> AsyncIterator[App]:
    """The domain on a database no running bot sends from (no classifier needed: tickets are
    made here), so no other sender claims, holds or fails this world's notices."""
    own = settings.model_copy(deep=True)
    own.storage.url = quiet_database.url
    application = build_app(own)
    yield application
    await application.close()


@pytest.fixture
async def world(sweep_app: App, new_id: Callable[[], int]) -> AsyncIterator[World]:
    clock = FakeClock(local(2026, 9, 28))
    ctx = dataclasses.replace(sweep_app.ctx, clock=clock)
    assert isinstance(ctx.deadlines, DeadlinePolicy)
    department = "environment"
    dept_chat, office_chat = -new_id(), -new_id()
    async with bound(ctx, {department: dept_chat, "supervision": office_chat}):
        yield World(ctx, clock, ctx.deadlines, dept_chat, office_chat, department)


@contextlib.asynccontextmanager
async def bound(ctx: Context, groups: dict[str, int]) -> AsyncIterator[None]:
    """Bind test groups, and put the previous bindings back: other tests (e2e) share the DB."""
    async with ctx.uow() as uow:
        before = {d: await uow.bindings.for_department(d) for d in groups}
        for d, chat in groups.items():
            await uow.bindings.bind(GroupBinding(department=d, chat_id=chat,
                                                 bound_at=ctx.now(), bound_by=1))
        await uow.commit()
    try:
        yield
    finally:
        async with ctx.uow() as uow:
            for d, old in before.items():
                if old is not None:
                    await uow.bindings.bind(old)
                else:
                    await uow.session.exec(delete(GroupBindingRow)  # type: ignore[call-overload]
                                           .where(col(GroupBindingRow.department) == d))
            await uow.commit()


async def test_answer_ladder_across_national_day(world: World, new_id: Callable[[], int]) -> None:
    t, _ = await world.file(new_id)                      # Monday 2026-09-28 10:00
    world.clock.set(local(2026, 9, 29, 11))              # signed the next morning
    t = await world.change(t, state=TicketState.SIGNED, signed_at=world.clock.now(),
                           signed_by=4242,
                           answer_due=world.policy.answer_due(world.clock.now(), "will_not",
                                                              False))
    ladder = world.policy.answer_ladder(t.signed_at, t.answer_due, False)  # type: ignore[arg-type]
    seen = await world.run_until(t, local(2026, 12, 31))
    kinds = [k for _, k in seen]
    assert kinds == ["remind_half", "remind_last_day", "urge_dept", "urge_office",
                     "supervise_dept", "supervise_office"]
    fired = {k: at for at, k in seen}
    assert fired["remind_half"] == ladder[0].at
    assert fired["remind_last_day"] == ladder[1].at
    assert fired["urge_dept"] == ladder[2].at
    assert fired["supervise_dept"] == ladder[3].at
    # nothing reaches a department group outside working time (the holiday included)
    for row in await world.outbox(t):
        assert world.policy.calendar.is_working_time(row["not_before"]), row  # type: ignore[arg-type]
    # the accountability ledger names the person who signed
    async with world.ctx.uow() as uow:
        ledger = [e for e in await uow.ledger.since(local(2026, 9, 1)) if e.ticket_id == t.id]
    assert [(e.kind, e.accountable) for e in ledger] == [("urge", 4242), ("supervise", 4242)]
    # more sweeps change nothing: every notice exactly once
    world.clock.advance(days=30)
    await sweep(world.ctx, "again")
    assert len(await world.outbox(t)) == 6


async def test_sign_deadline_chased_and_urgent_in_hours_in_2027(world: World,
                                                                new_id: Callable[[], int]) -> None:
    world.clock.set(local(2027, 3, 5, 16))               # a Friday afternoon, fallback year
    t, _ = await world.file(new_id, urgent=True)
    assert t.sign_due == world.clock.now() + timedelta(hours=2)      # natural hours
    seen = await world.run_until(t, local(2027, 3, 20))
    assert [k for _, k in seen] == ["sign_urge_dept", "sign_urge_office",
                                    "sign_supervise_dept", "sign_supervise_office"]
    # urgent: not held for working time, so the sign-for chase goes out at the due instant
    assert seen[0][0] == t.sign_due


async def test_rating_window_closes_unrated(world: World, new_id: Callable[[], int]) -> None:
    t, citizen = await world.file(new_id, category="other")
    world.clock.advance(hours=1)
    t = await world.change(t, state=TicketState.SIGNED, signed_at=world.clock.now(),
                           signed_by=7, answer_due=world.policy.answer_due(
                               world.clock.now(), "other", False))
    world.clock.set(local(2026, 9, 30, 23, 30))         # answered late in the evening
    t = await world.change(t, state=TicketState.ANSWERED, answered_at=world.clock.now())
    seen = await world.run_until(t, local(2026, 11, 1))
    citizen_rows = [r for r in await world.outbox(t) if r["chat_id"] == citizen]
    assert [r["kind"] for r in citizen_rows] == ["ask", "remind", "unrated"]
    sched = world.policy.rating_schedule(t.answered_at)  # type: ignore[arg-type]
    assert [at for at, k in seen if k in ("ask", "remind")] == [sched.ask_at, sched.remind_at]
    final = await world.get(t)
    assert final.state == TicketState.CLOSED and final.rating == "unrated"


async def test_unsatisfied_reopens_with_double_check(world: World,
                                                     new_id: Callable[[], int]) -> None:
    t, citizen = await world.file(new_id)
    world.clock.advance(hours=1)
    t = await world.change(t, state=TicketState.SIGNED, signed_at=world.clock.now(), signed_by=9,
                           answer_due=world.policy.answer_due(world.clock.now(), "will_not", False))
    world.clock.set(local(2026, 10, 9, 15))
    t = await world.change(t, state=TicketState.ANSWERED, answered_at=world.clock.now())
    await world.run_until(t, local(2026, 10, 10, 9, 30))   # the ask has gone out
    ids = iter(range(secrets.randbelow(10**9) + 10**9, 2 * 10**9))

    async def press(kind: str, **kw: str) -> None:
        await dispatch.handle(world.ctx, Incoming(update_id=next(ids), chat_id=citizen,
                                                  chat_type="private", kind=kind,  # type: ignore[arg-type]
                                                  sender=Sender(citizen), **kw))

    await press("button", data=f"r:{t.id}:u")
    assert (await world.get(t)).state == TicketState.ANSWERED
    await press("text", text="根本没有解决，还是推诿")
    reopened = await world.get(t)
    assert reopened.state == TicketState.REOPENED and reopened.double_check
    assert reopened.answer_due == world.policy.second_handling_due(
        world.clock.now(), "will_not", False)
    kinds = [r["kind"] for r in await world.outbox(t)]
    assert kinds.count("reopened") == 2                  # the department and the office
    # the second handling has its own ladder, counted from the reopening
    pending = await world.next_due(t)
    assert pending is not None and pending > world.clock.now()
    # a stale rating button is refused, nothing changes
    await press("button", data=f"r:{t.id}:s")
    assert (await world.get(t)).rating == "unsatisfied"


async def test_two_sweepers_send_each_notice_once(world: World, new_id: Callable[[], int]) -> None:
    tickets = [(await world.file(new_id))[0] for _ in range(30)]
    world.clock.set(local(2026, 10, 9))                  # every sign-for 催办 is due
    small = SweepPolicy(batch=7)
    await asyncio.gather(*(sweep(world.ctx, f"w{i}", small) for i in range(4)))
    for t in tickets:
        kinds = [r["kind"] for r in await world.outbox(t)]
        assert sorted(kinds) == ["sign_urge_dept", "sign_urge_office"], kinds


async def test_after_an_outage_only_the_current_step_fires(world: World,
                                                          new_id: Callable[[], int]) -> None:
    """The bot was down for weeks: no burst of stale reminders, just the 督办 that is due now."""
    t, _ = await world.file(new_id)
    world.clock.advance(hours=1)
    t = await world.change(t, state=TicketState.SIGNED, signed_at=world.clock.now(), signed_by=3,
                           answer_due=world.policy.answer_due(world.clock.now(), "will_not", False))
    await sweep(world.ctx, "test")                       # planned while the bot was still up
    world.clock.set(local(2026, 12, 15))                 # every ladder step is long due
    await sweep(world.ctx, "test")
    assert [r["kind"] for r in await world.outbox(t)] == ["supervise_dept", "supervise_office"]


async def test_supervise_reaches_the_department_head_privately(
        world: World, new_id: Callable[[], int]) -> None:
    head = new_id()
    async with world.ctx.uow() as uow:
        await uow.staff.upsert(StaffMember(telegram_id=head, display_name="李局长",
                                           department=world.department, role="head",
                                           joined_at=world.clock.now()))
        await uow.commit()
    t, _ = await world.file(new_id)
    await world.run_until(t, local(2026, 12, 31))
    to_head = [r for r in await world.outbox(t) if r["chat_id"] == head]
    assert [r["kind"] for r in to_head] == ["sign_supervise_head"]
    async with world.ctx.uow() as uow:                   # other tests share the department
        member = await uow.staff.by_telegram_id(head)
        assert member is not None
        member.active = False
        await uow.staff.save(member)
        await uow.commit()


async def test_urgent_chase_at_night_wakes_the_duty_contacts(world: World,
                                                             new_id: Callable[[], int]) -> None:
    world.clock.set(local(2026, 11, 21, 3))              # Saturday 03:00
    head, duty, staff = new_id(), new_id(), new_id()
    async with world.ctx.uow() as uow:
        for tid, role in ((head, "head"), (duty, "duty"), (staff, "staff")):
            await uow.staff.upsert(StaffMember(telegram_id=tid, display_name=f"人{tid}",
                                               department=world.department, role=role,
                                               joined_at=world.clock.now()))
        await uow.commit()
    t, _ = await world.file(new_id, urgent=True)
    assert t.sign_due == local(2026, 11, 21, 5)          # natural hours, not Monday
    await world.run_until(t, local(2026, 11, 21, 5))
    calls = [r for r in await world.outbox(t) if r["kind"] == "duty_call"]
    assert {r["chat_id"] for r in calls} == {head, duty}     # staff on the day shift sleep on
    assert all(r["payload"]["silent"] is False for r in calls)   # type: ignore[index]
    group = [r for r in await world.outbox(t) if r["chat_id"] == world.dept_chat]
    assert group and all(r["payload"]["silent"] is False for r in group)  # type: ignore[index]
