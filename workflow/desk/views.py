"""`/pending` and `/ticket ZY-…`: a department's open tickets, one ticket's card and history.

Department staff see their own department (in its group or in private chat); the oversight
office sees any. The complainant's identity appears only for the office, only for real-name
tickets, only in the supervisor's private chat (a group's members change), and each showing is
recorded in the identity audit.
"""

from __future__ import annotations

from typing import Any

from workflow.chat.messages import Incoming, Response
from workflow.context import Context
from workflow.desk import cards, staff
from workflow.errors import GroupNotBound, TicketNotFound, UnknownDepartment
from workflow.model import StaffMember, Ticket, TicketEvent, TicketState
from workflow.office import audit
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE

OFFICE_ONLY = ("complainant_blocked", "complainant_unblocked", "block_appealed",
               "appeal_declined")


async def chat_department(ctx: Context, uow: UnitOfWork, msg: Incoming) -> str | None:
    binding = await uow.bindings.for_chat(msg.chat_id)
    if binding is not None:
        return binding.department
    return next((d for d, c in ctx.departments.items() if c == msg.chat_id), None)


async def where(ctx: Context, uow: UnitOfWork, msg: Incoming, member: StaffMember) -> str:
    """The department whose room this is: the group's, or the member's own in private chat."""
    if msg.is_private:
        return member.department
    dept = await chat_department(ctx, uow, msg)
    if dept is None:
        raise GroupNotBound()
    staff.require_department(member, dept, f"/{msg.command} in group {msg.chat_id}")
    return dept


async def pending(ctx: Context, uow: UnitOfWork, msg: Incoming, resp: Response) -> None:
    member = await staff.require_member(uow, msg.sender, "/pending")
    room = await where(ctx, uow, msg, member)
    target = msg.args.strip().lower() or room
    if target not in ctx.departments:
        raise UnknownDepartment(department=target, known=", ".join(ctx.departments))
    if target != room:
        staff.require_office(member, f"/pending {target}")
    now = ctx.now()
    items = []
    for t in await uow.tickets.open_for_department(target):
        signing = t.state in (TicketState.ROUTED, TicketState.TRIAGE)
        due = t.sign_due if signing else t.answer_due
        who = await staff.name_of(uow, t.signed_by) if t.signed_by is not None else ""
        items.append({"number": t.number, "state": t.state, "due_at": due,
                      "overdue": due is not None and due < now, "urgent": t.urgent,
                      "stage": "sign" if signing else "answer", "accountable": who})
    items.sort(key=lambda i: (i["due_at"] is None, i["due_at"] or now))
    resp.say(msg.chat_id, "desk.pending", department=target, items=items, count=len(items))


async def show_ticket(ctx: Context, uow: UnitOfWork, msg: Incoming, resp: Response) -> None:
    member = await staff.require_member(uow, msg.sender, "/ticket")
    room = await where(ctx, uow, msg, member)
    number = msg.args.strip().upper()
    if not number:
        resp.say(msg.chat_id, "desk.ticket_usage")
        return
    t = await uow.tickets.by_number(number)
    if t is None:
        raise TicketNotFound(number=number)
    if room != TRIAGE and room != t.department:
        if await _passed_on(uow, msg, t, room, resp):
            return
        raise staff.refuse(TicketNotFound(number=number), member, f"/ticket {number} in {room}")
    staff.require_department(member, t.department, f"/ticket {number}")
    assert t.id is not None
    card = await cards.build(ctx, uow, t, msg.chat_id)
    if room != t.department:
        card.buttons = []
    resp.messages.append(card)
    events = await uow.events.for_ticket(t.id)
    if not staff.is_office(member):     # a block must not colour how the department handles it
        events = [e for e in events if e.kind not in OFFICE_ONLY]
    params: dict[str, Any] = {"number": t.number, "items": await history(uow, events)}
    if staff.is_office(member) and audit.shows_identity(t):
        params.update(await _identity(ctx, uow, msg, member, t))
    resp.say(msg.chat_id, "desk.history", **params)


async def _passed_on(uow: UnitOfWork, msg: Incoming, t: Ticket, room: str,
                    resp: Response) -> bool:
    """A ticket this department returned or transferred is no longer theirs, but it is not
    unknown to them: say where it went, by whom, when and why (nothing else of it)."""
    assert t.id is not None
    left = [e for e in await uow.events.for_ticket(t.id)
            if e.kind in ("returned", "transferred") and e.detail.get("from") == room]
    if not left:
        return False
    e = left[-1]
    resp.say(msg.chat_id, "desk.ticket_passed_on", number=t.number, how=e.kind, left_at=e.at,
             name=str(e.detail.get("name", "")), department=room, now_department=t.department,
             reason_code=str(e.detail.get("reason_code", "")),
             reason=str(e.detail.get("reason", "")))
    return True


async def _identity(ctx: Context, uow: UnitOfWork, msg: Incoming, member: StaffMember,
                    t: Ticket) -> dict[str, Any]:
    """Only in the supervisor's private chat, and every showing audited; a group gets a hint."""
    if not msg.is_private:
        return {"identity_in_private": True}
    who = await uow.complainants.get(t.complainant_id)
    if who is None or t.id is None:
        return {}
    await audit.record_views(ctx, uow, f"staff:{member.telegram_id}", "ticket", [t.id])
    return {"identity": True, "person": f"{who.first_name} {who.last_name}".strip(),
            "username": who.username, "phone": who.phone}


async def history(uow: UnitOfWork, events: list[TicketEvent]) -> list[dict[str, Any]]:
    """Who, when, what, why: names of staff, never anything about the complainant."""
    items = []
    for e in events:
        who = e.actor.partition(":")[0]
        name = str(e.detail.get("name", "")) if who in ("staff", "office") else ""
        items.append({"event_at": e.at, "event": e.kind, "actor": who, "name": name,
                      "department": str(e.detail.get("department", "")),
                      "from_department": str(e.detail.get("from", "")),
                      "reason_code": str(e.detail.get("reason_code", "")),
                      "reason": str(e.detail.get("reason", "")),
                      "text": str(e.detail.get("text", "")),
                      "requested_due": e.detail.get("requested_due") or "",
                      "rating": str(e.detail.get("rating", "")),
                      "comment": str(e.detail.get("comment", "")),
                      "deadline": e.detail.get("deadline") or "",
                      "answer_due": e.detail.get("answer_due") or ""})
    return items
