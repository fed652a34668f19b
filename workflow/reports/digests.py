"""Morning digests per department (working days), the weekly summary and the office's period
reports (last week, last quarter: chart, table and the XLSX ledger) to the oversight office.

Run by cron jobs in every bot process; the dedupe key (department, day) / (week) makes the
outbox keep one copy however many processes run the job.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from workflow.chat.messages import Outgoing
from workflow.context import Context
from workflow.model import Ticket, TicketState
from workflow.office import ledger, periods
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE
from workflow.tickets.routing import group_of

MAX_ITEMS = 20


def current_deadline(t: Ticket) -> tuple[str, datetime | None]:
    """What the department must do next, and by when."""
    if t.state == TicketState.ROUTED:
        return "sign", t.sign_due
    return "answer", t.answer_due


def digest_params(tickets: list[Ticket], now: datetime, today: date, tz: Any) -> dict[str, Any]:
    dated = [(t, *current_deadline(t)) for t in tickets]
    due_today = [x for x in dated if x[2] is not None and x[2].astimezone(tz).date() == today]
    overdue = [x for x in dated if x[2] is not None and x[2] < now]
    urgent_first = sorted(dated, key=lambda x: (x[2] is None, x[2] or now))
    items = [{"number": t.number, "state": t.state, "what": what, "due": due}
             for t, what, due in urgent_first[:MAX_ITEMS]]
    return {"open": len(tickets), "due_today": len(due_today), "overdue": len(overdue),
            "items": items, "more": max(0, len(tickets) - MAX_ITEMS), "day": today.isoformat()}


async def morning(ctx: Context) -> int:
    """One digest per department group with open tickets, on working days only."""
    now = ctx.now()
    today = ctx.local(now).date()
    if not ctx.deadlines.calendar.is_workday(today):
        return 0
    queued = 0
    async with ctx.uow() as uow:
        for dept in ctx.departments:
            queued += await _department_digest(ctx, uow, dept, now, today)
        await uow.commit()
    return queued


async def _department_digest(ctx: Context, uow: UnitOfWork, dept: str, now: datetime,
                             today: date) -> int:
    chat = await group_of(ctx, uow, dept)
    if chat is None:
        return 0
    open_tickets = [t for t in await uow.tickets.open_for_department(dept)
                    if t.state != TicketState.TRIAGE or dept == TRIAGE]
    if not open_tickets:
        return 0
    params = {"department": dept, **digest_params(open_tickets, now, today, ctx.tz)}
    return int(await enqueue(ctx, uow, Outgoing(chat, "digest.morning", params),
                             f"digest:{dept}:{today.isoformat()}:{chat}", None, "digest"))


async def weekly(ctx: Context) -> int:
    """The week in numbers for the oversight office: open, overdue, 催办, 督办, 一案双查."""
    now = ctx.now()
    since = now - timedelta(days=7)
    async with ctx.uow() as uow:
        office = await group_of(ctx, uow, TRIAGE)
        if office is None:
            return 0
        summary = await uow.views.open_summary(now)
        ledger = await uow.ledger.since(since)
        params = weekly_params(summary, ledger, ctx.local(since).date())
        year, week, _ = ctx.local(now).isocalendar()
        queued = await enqueue(ctx, uow, Outgoing(office, "digest.weekly", params),
                               f"weekly:{year}-{week:02d}:{office}", None, "weekly")
        await uow.commit()
    return int(queued)


async def period_report(ctx: Context, kind: str) -> int:
    """每周/每季度汇总: the last complete week or quarter, as the office sees it in /stats,
    with the 问题台账 workbook (no complainant identity: the group is not private)."""
    period = periods.current(kind, ctx.now(), ctx.tz).previous()
    async with ctx.uow() as uow:
        office = await group_of(ctx, uow, TRIAGE)
        if office is None:
            return 0
        book = await ledger.build(ctx, uow, period, with_identity=False, viewer="scheduler")
        queued = 0
        for i, out in enumerate(await ctx.office_screens.period_report(office, book)):
            queued += await enqueue(ctx, uow, out, f"report:{period.label}:{i}:{office}", None,
                                    "report")
        await uow.commit()
    return queued


def weekly_params(summary: dict[str, tuple[int, int]], ledger: list[Any],
                  since: date) -> dict[str, Any]:
    def count(dept: str | None, *kinds: str) -> int:
        return sum(1 for e in ledger if e.kind in kinds and (dept is None or e.department == dept))

    depts = sorted(set(summary) | {e.department for e in ledger})
    items = [{"department": d, "open": summary.get(d, (0, 0))[0],
              "overdue": summary.get(d, (0, 0))[1], "urged": count(d, "urge", "sign_urge"),
              "supervised": count(d, "supervise", "sign_supervise")} for d in depts]
    items.sort(key=lambda i: (-int(i["supervised"]), -int(i["overdue"]), -int(i["urged"]),
                              str(i["department"])))
    return {"since": since.isoformat(), "open": sum(n for n, _ in summary.values()),
            "overdue": sum(o for _, o in summary.values()),
            "urged": count(None, "urge", "sign_urge"),
            "supervised": count(None, "supervise", "sign_supervise"),
            "double_checks": count(None, "double_check"), "items": items}
