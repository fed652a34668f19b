"""The staff desk: what a department (and the oversight office) does with a ticket.

Every action looks the ticket and the person up again and checks role, the ticket's current
department and state (callback data is never trusted); each change is an event in the log,
saved with the optimistic lock, and every notification it causes is an outbox row.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from workflow.chat import callbacks
from workflow.chat.messages import Button, Media, Outgoing, Response
from workflow.context import Context
from workflow.deadlines import schedule
from workflow.desk import access, cards, staff
from workflow.errors import (
    AlreadySigned,
    DateNotLater,
    EmptyInput,
    ExtensionDecided,
    ExtensionLimit,
    ExtensionPending,
    InputTooLong,
    RerouteToReturner,
    StaleButton,
    TicketMoved,
    UnknownDepartment,
)
from workflow.model import ExtensionRequest, StaffMember, Ticket, TicketEvent, TicketState
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE
from workflow.tickets.routing import group_of

log = logging.getLogger("zhiyong.desk")

S = TicketState
RETURN_REASONS = ("territory", "function", "info", "other")
EXTENSION_CARD, EXTENSION_CARD_KIND = "desk.extension_card", "extension_card"
EXTENDABLE = (S.SIGNED, S.REOPENED)     # an extension can be asked for and decided


# ---- helpers ------------------------------------------------------------------------------

async def _event(ctx: Context, uow: UnitOfWork, t: Ticket, member: StaffMember | None, kind: str,
                 **detail: Any) -> None:
    assert t.id is not None
    actor = staff.actor_tag(member) if member else "citizen"
    if member:
        detail["name"] = member.display_name
    await uow.events.add(TicketEvent(ticket_id=t.id, kind=kind, at=ctx.now(), actor=actor,
                                     detail=detail))


async def _save(ctx: Context, uow: UnitOfWork, t: Ticket, member: StaffMember,
                what: str) -> None:
    """Optimistic lock: when someone changed the ticket first, say what happened instead.
    A saved change re-plans the ticket's deadline actions in the same transaction, so the
    chase of a new deadline starts on time, not at the next sweep."""
    if await uow.tickets.save(t):
        await schedule.plan_ticket(ctx, uow, t)
        if t.state not in EXTENDABLE:
            await _lapse_extensions(ctx, uow, t, member)
        return
    assert t.id is not None
    fresh = await uow.tickets.get(t.id)
    if fresh is not None and what == "sign" and fresh.signed_by is not None:
        raise staff.refuse(AlreadySigned(number=t.number, name=await staff.name_of(uow, fresh.signed_by)),
                           member, what)
    raise staff.refuse(TicketMoved(number=t.number, state=fresh.state if fresh else t.state),
                       member, what)


async def _citizen(ctx: Context, uow: UnitOfWork, t: Ticket, out_key: str, dedupe: str,
                   buttons: list[list[Button]] | None = None, **params: Any) -> None:
    """A notification to the complainant (the only place their chat id is used)."""
    who = await uow.complainants.get(t.complainant_id)
    if who is None:
        log.error("ticket %s has no complainant row; %s not sent", t.number, out_key)
        return
    out = Outgoing(chat_id=who.telegram_id, key=out_key, params=params, buttons=buttons or [])
    await enqueue(ctx, uow, out, dedupe, t, "citizen")


async def _group(ctx: Context, uow: UnitOfWork, t: Ticket, department: str, key: str,
                 dedupe: str, **params: Any) -> None:
    chat = await group_of(ctx, uow, department)
    if chat is not None:
        await enqueue(ctx, uow, Outgoing(chat, key, params), f"{dedupe}:{chat}", t, "desk")


def check_text(ctx: Context, text: str, limit: int | None = None) -> str:
    text = text.strip()
    if not text:
        raise EmptyInput()
    limit = limit or ctx.desk.max_answer_chars
    if len(text) > limit:
        raise InputTooLong(max=limit, chars=len(text))
    return text


def check_department(ctx: Context, t: Ticket, department: str) -> None:
    if department not in ctx.departments or department == TRIAGE or department == t.department:
        raise UnknownDepartment(department=department,
                                known=", ".join(d for d in ctx.departments if d != TRIAGE))


# ---- immediate actions (one button press) -------------------------------------------------

async def sign(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, key: str) -> None:
    """签收: one person becomes accountable; the complainant learns the department, not the name."""
    now = ctx.now()
    told = t.answer_due                  # what the complainant was told at filing
    t.state, t.signed_by, t.signed_at = S.SIGNED, member.telegram_id, now
    t.answer_due = ctx.deadlines.answer_due(now, t.category, t.urgent)
    await _save(ctx, uow, t, member, "sign")
    await _event(ctx, uow, t, member, "signed", department=t.department)
    await cards.refresh(ctx, uow, t, await group_of(ctx, uow, t.department), key)
    await _citizen(ctx, uow, t, "desk.accepted_citizen", f"{key}:citizen", number=t.number,
                   department=t.department, answer_due=t.answer_due,
                   previous_due=told if told is not None and told != t.answer_due else None)


async def must_handle(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket,
                      key: str) -> str:
    """责令办理: final arbitration; the returning department gets it back and cannot return it."""
    returned_from = await _last_returned_from(uow, t)
    if returned_from is None:
        raise staff.refuse(TicketMoved(number=t.number, state=t.state), member, "must")
    await _move(ctx, uow, member, t, returned_from, key, "ruled_must_handle", note="ruled")
    return returned_from


async def _last_returned_from(uow: UnitOfWork, t: Ticket) -> str | None:
    last = await cards.last_return(uow, t)
    return str(last.detail.get("from")) if last is not None else None


async def _move(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, department: str,
                key: str, kind: str, note: str = "", **detail: Any) -> None:
    """The ticket changes department: it must be signed again there, with fresh deadlines."""
    old_chat = await group_of(ctx, uow, t.department)
    from_department = t.department
    now = ctx.now()
    t.department, t.routing_note = department, note
    t.state = S.TRIAGE if department == TRIAGE else S.ROUTED
    t.signed_by = t.signed_at = None
    t.sign_due = ctx.deadlines.sign_for_due(now, t.urgent)
    t.answer_due = ctx.deadlines.answer_due(t.sign_due, t.category, t.urgent)
    await _save(ctx, uow, t, member, kind)
    await _event(ctx, uow, t, member, kind, department=department, **{"from": from_department},
                 **detail)
    await cards.refresh(ctx, uow, t, old_chat, key)
    await cards.send_new(ctx, uow, t, key)


# ---- actions completed by the private dialog ----------------------------------------------

async def return_ticket(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, key: str,
                        reason_code: str, reason: str) -> None:
    """退回: to the oversight office's triage, with the department and reason on record."""
    await _move(ctx, uow, member, t, TRIAGE, key, "returned", note=f"returned:{t.department}",
                reason_code=reason_code, reason=reason)


async def transfer(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, key: str,
                   department: str, reason: str) -> None:
    """转办: straight to another department; the chain stays in the event log."""
    check_department(ctx, t, department)
    await _move(ctx, uow, member, t, department, key, "transferred", reason=reason)


async def reroute(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, key: str,
                  department: str) -> None:
    """改派 by the oversight office; never back to the department that returned it (that is
    the ruling 责令原部门办理, recorded as such)."""
    check_department(ctx, t, department)
    if t.department == TRIAGE and department == await _last_returned_from(uow, t):
        raise staff.refuse(RerouteToReturner(number=t.number, department=department),
                           member, "reroute")
    await _move(ctx, uow, member, t, department, key, "rerouted")


async def request_extension(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket,
                            key: str, reason: str, due: datetime) -> None:
    """申请延期: stored, and a card with approve/refuse goes to the oversight office."""
    access.before_answer_due(ctx, member, t)    # the dialog may have outlived the deadline
    if due <= ctx.now() or (t.answer_due is not None and due <= t.answer_due):
        raise staff.refuse(DateNotLater(answer_due=t.answer_due), member, "extend")
    assert t.id is not None
    if not ctx.deadlines.can_extend(t.extensions):
        raise staff.refuse(ExtensionLimit(number=t.number), member, "extend")
    if any(r.status == "pending" for r in await uow.extensions.for_ticket(t.id)):
        raise staff.refuse(ExtensionPending(number=t.number), member, "extend")
    req = await uow.extensions.add(ExtensionRequest(
        ticket_id=t.id, requested_by=member.telegram_id, reason=reason, requested_due=due,
        created_at=ctx.now()))
    await _event(ctx, uow, t, member, "extension_requested", reason=reason,
                 requested_due=due.isoformat(), request=req.id)
    office = await group_of(ctx, uow, TRIAGE)
    if office is not None:
        out = Outgoing(office, EXTENSION_CARD, {
            "number": t.number, "department": t.department, "reason": reason,
            "requested_due": due, "answer_due": t.answer_due, "name": member.display_name},
            buttons=[[Button("btn.desk.approve", callbacks.extension("approve", req.id)),
                      Button("btn.desk.refuse", callbacks.extension("refuse", req.id))]])
        await enqueue(ctx, uow, out, f"{key}:extension:{office}", t, EXTENSION_CARD_KIND)


async def ask(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, key: str,
              question: str) -> None:
    """追问: relayed to the complainant by the bot; neither side learns who the other is."""
    assert t.id is not None
    await _event(ctx, uow, t, member, "question", text=question)
    await _citizen(ctx, uow, t, "relay.question", f"{key}:question",
                   buttons=[[Button("btn.relay.reply", callbacks.reply(t.id))]], number=t.number,
                   department=t.department, question=question)
    await _group(ctx, uow, t, t.department, "desk.question_sent", f"{key}:asked",
                 number=t.number, name=member.display_name, question=question)


async def note(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, key: str,
               text: str) -> None:
    """备注: internal; in the history and the department group, never sent to the complainant."""
    await _event(ctx, uow, t, member, "note", text=text)
    await _group(ctx, uow, t, t.department, "desk.note_posted", f"{key}:note",
                 number=t.number, name=member.display_name, text=text)


async def answer(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, key: str,
                 text: str, files: list[dict[str, str]]) -> None:
    """答复: to the complainant (files re-sent by file_id); the ticket awaits their rating."""
    t.state, t.answered_at = S.ANSWERED, ctx.now()
    await _save(ctx, uow, t, member, "answer")
    await _event(ctx, uow, t, member, "answered", text=text,
                 files=[f["file_id"] for f in files])
    await _citizen(ctx, uow, t, "desk.answer_citizen", f"{key}:answer", number=t.number,
                   department=t.department, text=text)
    who = await uow.complainants.get(t.complainant_id)
    for i, f in enumerate(files, 1):
        if who is None:
            break
        out = Outgoing(who.telegram_id, "desk.answer_file", {"number": t.number, "index": i,
                                                             "total": len(files)},
                       media=Media("photo" if f["kind"] == "photo" else "document", f["file_id"]))
        await enqueue(ctx, uow, out, f"{key}:answer_file:{i}", t, "citizen")
    await cards.refresh(ctx, uow, t, await group_of(ctx, uow, t.department), key)
    await _group(ctx, uow, t, t.department, "desk.answered_group", f"{key}:answered",
                 number=t.number, name=member.display_name)


# ---- the oversight office's decision on an extension ---------------------------------------

async def decide_extension(ctx: Context, uow: UnitOfWork, member: StaffMember, decision: str,
                           request_id: int, key: str, resp: Response,
                           card: tuple[int, int] = (0, 0)) -> None:
    """批准延期 / 不批准; `card` is (chat, message) of the pressed request card, which is
    edited to show the decision, who and when, without buttons."""
    staff.require_office(member, f"{decision} extension {request_id}")
    req = await uow.extensions.get(request_id)
    t = await uow.tickets.get(req.ticket_id) if req else None
    if req is None or t is None:
        raise staff.refuse(StaleButton(), member, f"{decision} extension {request_id}")
    if req.status != "pending":
        raise staff.refuse(await _decided(uow, t, req), member, "extension")
    if t.state not in EXTENDABLE:
        raise staff.refuse(TicketMoved(number=t.number, state=t.state), member, "extension")
    req.status = "approved" if decision == "approve" else "refused"
    req.decided_by, req.decided_at = member.telegram_id, ctx.now()
    if not await uow.extensions.decide(req):
        fresh = await uow.extensions.get(request_id)
        raise staff.refuse(await _decided(uow, t, fresh or req), member, "extension")
    if req.status == "approved":
        t.answer_due, t.extensions = req.requested_due, t.extensions + 1
        await _save(ctx, uow, t, member, "extension")
        await _citizen(ctx, uow, t, "desk.extension_citizen", f"{key}:citizen",
                       number=t.number, department=t.department, answer_due=t.answer_due)
        await cards.refresh(ctx, uow, t, await group_of(ctx, uow, t.department), key)
    await _event(ctx, uow, t, member, f"extension_{req.status}", request=req.id,
                 requested_due=req.requested_due.isoformat())
    await _group(ctx, uow, t, t.department, "desk.extension_decided", f"{key}:decided",
                 number=t.number, status=req.status, answer_due=t.answer_due)
    await _close_extension_card(ctx, uow, t, req, member, card, key)
    resp.answer("desk.extension_done", status=req.status, number=t.number)


async def _lapse_extensions(ctx: Context, uow: UnitOfWork, t: Ticket,
                            member: StaffMember) -> None:
    """A request pending when the ticket is answered or moved is moot: its card stops
    offering approve/refuse and says the ticket moved on."""
    assert t.id is not None
    for req in await uow.extensions.for_ticket(t.id):
        if req.status != "pending":
            continue
        req.status, req.decided_by, req.decided_at = "lapsed", member.telegram_id, ctx.now()
        if await uow.extensions.decide(req):
            await _close_extension_card(ctx, uow, t, req, member, (0, 0), f"lapse:{req.id}",
                                        state=t.state)


async def _decided(uow: UnitOfWork, t: Ticket, req: ExtensionRequest) -> ExtensionDecided:
    name = await staff.name_of(uow, req.decided_by) if req.decided_by is not None else ""
    return ExtensionDecided(number=t.number, status=req.status, name=name,
                            decided_at=req.decided_at)


async def _close_extension_card(ctx: Context, uow: UnitOfWork, t: Ticket, req: ExtensionRequest,
                                member: StaffMember, card: tuple[int, int], key: str,
                                **extra: Any) -> None:
    """The request card keeps its text and says the decision instead of offering it."""
    chat, message = card
    row = await uow.outbox.by_message(chat, message) if message else None
    if row is None or row.payload.get("key") != EXTENSION_CARD:
        office = await group_of(ctx, uow, TRIAGE)
        row = await uow.outbox.last_sent(t.id, office, (EXTENSION_CARD_KIND,)) \
            if office is not None and t.id is not None else None
    if row is None or row.message_id is None:
        log.warning("extension card of %s not found; decision shown in the group only", t.number)
        return
    params = {**row.payload.get("params", {}), "status": req.status,
              "decided_by": member.display_name, "decided_at": req.decided_at, **extra}
    out = Outgoing(row.chat_id, EXTENSION_CARD, params, edit_message_id=row.message_id)
    await enqueue(ctx, uow, out, f"{key}:extension_card", t, EXTENSION_CARD_KIND)
