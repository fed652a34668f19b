"""Which deadline actions a ticket needs now, kept in the scheduled_action table.

Deadlines live in ticket rows; this module turns a ticket's current state and due times into
the actions the sweep will run (reminders, 催办, 督办, rating steps). Call `plan_ticket`
after any change of state or due time, in the same transaction. Planning is idempotent:
(ticket, kind, deadline) is unique, so re-planning adds nothing twice, and actions that no
longer fit the ticket are cancelled. The sweep re-checks every action before it acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workflow.context import Context
from workflow.deadlines.policy import DeadlinePolicy
from workflow.model import ScheduledAction, Ticket, TicketState
from workflow.ports import UnitOfWork

SIGN_KINDS = ("sign_urge", "sign_supervise")
LADDER_KINDS = ("remind_half", "remind_last_day", "urge", "supervise")
RATING_KINDS = ("rating_ask", "rating_remind", "rating_close")


@dataclass(frozen=True)
class Step:
    kind: str
    due_at: datetime
    deadline: datetime


def sign_steps(p: DeadlinePolicy, t: Ticket) -> list[Step]:
    """A department that lets the sign-for deadline pass is chased, then supervised."""
    if t.sign_due is None:
        return []
    cal = p.calendar
    if t.urgent:
        supervise = cal.local(t.sign_due) + timedelta(hours=p.supervise_after_hours_urgent)
    else:
        supervise = cal.next_work_morning(cal.add_workdays(t.sign_due, p.supervise_after_days))
    return [Step("sign_urge", t.sign_due, t.sign_due),
            Step("sign_supervise", supervise, t.sign_due)]


def answer_steps(p: DeadlinePolicy, t: Ticket) -> list[Step]:
    """The answer ladder, counted from sign-for (or from the reopening for 二次办理)."""
    start = t.reopened_at if t.state == TicketState.REOPENED else t.signed_at
    if start is None or t.answer_due is None:
        return []
    return [Step(s.kind, s.at, t.answer_due) for s in p.answer_ladder(start, t.answer_due, t.urgent)]


def rating_steps(p: DeadlinePolicy, t: Ticket) -> list[Step]:
    if t.answered_at is None:
        return []
    r = p.rating_schedule(t.answered_at)
    return [Step("rating_ask", r.ask_at, t.answered_at),
            Step("rating_remind", r.remind_at, t.answered_at),
            Step("rating_close", r.close_at, t.answered_at)]


def steps_for(p: DeadlinePolicy, t: Ticket) -> list[Step]:
    if t.state == TicketState.ROUTED:
        return sign_steps(p, t)
    if t.state in (TicketState.SIGNED, TicketState.REOPENED):
        return answer_steps(p, t)
    if t.state == TicketState.ANSWERED:
        return rating_steps(p, t)
    return []


def family(kind: str) -> str:
    """Which ladder an action belongs to (sign-for, answer, rating)."""
    if kind in SIGN_KINDS:
        return "sign"
    if kind in RATING_KINDS:
        return "rating"
    return "answer"


def applies(t: Ticket, kind: str, deadline: datetime) -> bool:
    """Cheap check the sweep makes before acting: is this action still about this ticket?"""
    if kind in SIGN_KINDS:
        return t.state == TicketState.ROUTED and t.sign_due == deadline
    if kind in LADDER_KINDS:
        return t.state in (TicketState.SIGNED, TicketState.REOPENED) and t.answer_due == deadline
    if kind in RATING_KINDS:
        return t.state == TicketState.ANSWERED and t.answered_at == deadline
    return False


def not_yet_overtaken(steps: list[Step], now: datetime) -> list[Step]:
    """Of the steps already due, only the latest: a ticket planned late (an old ticket after
    the upgrade, a missed re-plan) gets its current chase, not every reminder it missed."""
    past = [s for s in steps if s.due_at <= now]
    latest = max(past, key=lambda s: s.due_at, default=None)
    return [s for s in steps if s.due_at > now or s is latest]


async def plan_ticket(ctx: Context, uow: UnitOfWork, t: Ticket) -> int:
    """Bring the ticket's pending actions in line with its state; return how many were added."""
    if t.id is None:
        return 0
    wanted = _wanted(ctx, t)
    keys = {(a.kind, a.deadline) for a in wanted}
    stale = [a.id for a in await uow.actions.pending_for_ticket(t.id)
             if a.id is not None and (a.kind, a.deadline) not in keys]
    await uow.actions.cancel(stale)
    added = await uow.actions.plan(wanted)
    if await uow.tickets.mark_planned(t.id, t.version):
        t.planned_version = t.version
    return added


async def plan_new(ctx: Context, uow: UnitOfWork, t: Ticket) -> int:
    """A ticket added in this transaction, stored as planned: its first actions (there is
    nothing to cancel yet, and nothing to mark)."""
    assert t.id is not None and t.planned_version == t.version
    return await uow.actions.plan(_wanted(ctx, t))


def _wanted(ctx: Context, t: Ticket) -> list[ScheduledAction]:
    assert t.id is not None
    return [ScheduledAction(ticket_id=t.id, kind=s.kind, due_at=s.due_at, deadline=s.deadline)
            for s in not_yet_overtaken(steps_for(ctx.deadlines, t), ctx.now())]


async def plan_changed(ctx: Context, uow: UnitOfWork, limit: int) -> int:
    """Plan tickets changed by code that did not call plan_ticket (a safety net, O(changed))."""
    changed = await uow.tickets.unplanned(limit)
    for t in changed:
        await plan_ticket(ctx, uow, t)
    return len(changed)


def deadlines_of(ctx: Context, t: Ticket) -> dict[str, datetime | None]:
    """Every deadline of a ticket, for its card and /ticket: sign-for, answer, extension, rating.

    The extension deadline is the last moment to ask for one (the answer deadline), or None
    when no extension is left; the rating deadline is when an unrated answer closes as 未评价.
    """
    p = ctx.deadlines
    extension = t.answer_due if p.can_extend(t.extensions) and \
        t.state in (TicketState.SIGNED, TicketState.REOPENED) else None
    rating = p.rating_schedule(t.answered_at).close_at if \
        t.answered_at is not None and t.state == TicketState.ANSWERED else None
    return {"sign_due": t.sign_due, "answer_due": t.answer_due, "extension_due": extension,
            "rating_due": rating}
