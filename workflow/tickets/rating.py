"""The complainant's rating of an answer and what follows: close, 未评价, or 二次办理.

满意 / 基本满意 close the ticket; 不满意 (with a reason, or when the window ends without one)
reopens it for second handling with a fresh answer deadline, flagged 一案双查, and tells the
department and the oversight office. The conversation side is workflow.chat.rating.
"""

from __future__ import annotations

from workflow.chat import callbacks
from workflow.chat.messages import Button, Outgoing
from workflow.context import Context
from workflow.deadlines import schedule
from workflow.desk import cards
from workflow.errors import TicketMoved
from workflow.model import LedgerEntry, Ticket, TicketEvent, TicketState
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE
from workflow.tickets.routing import group_of

SATISFIED, BASIC, UNSATISFIED, UNRATED = "satisfied", "basic", "unsatisfied", "unrated"
CODES = {"s": SATISFIED, "b": BASIC, "u": UNSATISFIED}


def buttons(t: Ticket) -> list[list[Button]]:
    return [[Button("btn.rate_satisfied", callbacks.rating(t.id, "s")),
             Button("btn.rate_basic", callbacks.rating(t.id, "b")),
             Button("btn.rate_unsatisfied", callbacks.rating(t.id, "u"))]]


async def _save(uow: UnitOfWork, t: Ticket) -> None:
    if not await uow.tickets.save(t):
        raise TicketMoved(number=t.number)


async def rate(ctx: Context, uow: UnitOfWork, t: Ticket, value: str) -> None:
    """满意 / 基本满意 close the ticket; 不满意 waits for the reason (or the window's end)."""
    assert t.id is not None
    now = ctx.now()
    t.rating = value
    if value != UNSATISFIED:
        t.state, t.closed_at = TicketState.CLOSED, now
    await _save(uow, t)
    await uow.events.add(TicketEvent(ticket_id=t.id, kind="rated", at=now, actor="citizen",
                                     detail={"rating": value}))
    await schedule.plan_ticket(ctx, uow, t)
    dept = await group_of(ctx, uow, t.department)
    if dept is not None:
        await enqueue(ctx, uow, Outgoing(dept, "rating.result_dept", {**ticket_params(t),
                                                                      "rating": value}),
                      f"rated:{t.id}:{t.answered_at}:{dept}", t, "rated")
        await cards.refresh(ctx, uow, t, dept, f"rated:{t.id}:{t.version}")


async def close_unrated(ctx: Context, uow: UnitOfWork, t: Ticket) -> None:
    """The window passed without a rating: closed as 未评价, the complainant told."""
    assert t.id is not None
    now = ctx.now()
    t.state, t.closed_at, t.rating = TicketState.CLOSED, now, UNRATED
    await _save(uow, t)
    await uow.events.add(TicketEvent(ticket_id=t.id, kind="closed_unrated", at=now,
                                     actor="system"))
    await schedule.plan_ticket(ctx, uow, t)
    chat = await _citizen_chat(uow, t)
    if chat is not None:
        await enqueue(ctx, uow, Outgoing(chat, "rating.closed_unrated", ticket_params(t)),
                      f"unrated:{t.id}:{chat}", t, "unrated")
    await cards.refresh(ctx, uow, t, await group_of(ctx, uow, t.department),
                             f"unrated:{t.id}:{t.version}")


async def reopen(ctx: Context, uow: UnitOfWork, t: Ticket, reason: str, actor: str) -> None:
    """二次办理: a fresh answer deadline, 一案双查, the department and the office told."""
    assert t.id is not None
    now = ctx.now()
    answered_at = t.answered_at or now
    t.state, t.reopened_at, t.double_check = TicketState.REOPENED, now, True
    t.answer_due = ctx.deadlines.second_handling_due(now, t.category, t.urgent)
    await _save(uow, t)
    await uow.events.add(TicketEvent(
        ticket_id=t.id, kind="reopened", at=now, actor=actor,
        detail={"reason": reason, "answer_due": t.answer_due.isoformat() if t.answer_due else None,
                "double_check": True}))
    await uow.ledger.add([LedgerEntry(ticket_id=t.id, department=t.department,
                                      kind="double_check", deadline=answered_at, at=now,
                                      accountable=t.signed_by)])
    await schedule.plan_ticket(ctx, uow, t)
    await _tell_reopened(ctx, uow, t, reason, actor)


async def _tell_reopened(ctx: Context, uow: UnitOfWork, t: Ticket, reason: str,
                         actor: str) -> None:
    params = {**ticket_params(t), "reason": reason, "handler": t.signed_by,
              "handler_name": await handler_name(uow, t.signed_by)}
    key = f"{t.id}:{t.reopened_at}"
    dept, office = await group_of(ctx, uow, t.department), await group_of(ctx, uow, TRIAGE)
    if dept is not None:
        await enqueue(ctx, uow, Outgoing(dept, "rating.reopened_dept", params),
                      f"reopened:{key}:{dept}", t, "reopened")
        await cards.refresh(ctx, uow, t, dept, f"reopened:{key}")   # 答复 buttons again
    if office is not None and office != dept:
        await enqueue(ctx, uow, Outgoing(office, "rating.reopened_office", params),
                      f"reopened:{key}:{office}", t, "reopened")
    chat = await _citizen_chat(uow, t)
    if actor == "system" and chat is not None:   # the citizen pressing a button is answered
        await enqueue(ctx, uow, Outgoing(chat, "rating.reopened_citizen", params),
                      f"reopened:{key}:{chat}", t, "reopened")


async def handler_name(uow: UnitOfWork, signed_by: int | None) -> str | None:
    """The accountable person as colleagues know them (the staff desk's display name)."""
    member = await uow.staff.by_telegram_id(signed_by) if signed_by is not None else None
    return member.display_name if member else None


async def _citizen_chat(uow: UnitOfWork, t: Ticket) -> int | None:
    chats = await uow.complainants.chats([t.complainant_id])
    return chats.get(t.complainant_id)


def ticket_params(t: Ticket) -> dict[str, object]:
    return {"number": t.number, "department": t.department, "answer_due": t.answer_due,
            "urgent": t.urgent, "double_check": t.double_check}
