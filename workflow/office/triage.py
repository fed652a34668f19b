"""The office's triage queue: one card per ticket the classifier was unsure about or a
department returned, with buttons that choose the department and confirm the category.

Each choice is a correction (workflow.office.corrections), so the classifier learns from the
office; moving the ticket is the desk's reroute (or its 责令原部门办理 ruling). A department
that returned the ticket is never offered, except through that ruling.
"""

from __future__ import annotations

import logging
from typing import Any

from workflow.chat import callbacks
from workflow.chat.messages import Button, Incoming, Outgoing, Response
from workflow.chat.state import ChatState
from workflow.context import Context
from workflow.desk import actions, staff
from workflow.errors import NothingChanged, ReturnedByDepartment, StaleButton, TicketMoved
from workflow.model import StaffMember, Ticket, TicketEvent, TicketState
from workflow.office import corrections
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE
from workflow.tickets.routing import group_of

log = logging.getLogger("zhiyong.office")

KIND = "triage"            # outbox kind of a triage card
EXCERPT_CHARS = 300
ROUTABLE = (TicketState.ROUTED, TicketState.TRIAGE)   # not yet signed for by the office


def claims(msg: Incoming, state: ChatState | None = None) -> bool:
    return msg.kind == "button" and callbacks.kind_of(msg.data) == "triage"


async def returned_by(uow: UnitOfWork, t: Ticket) -> TicketEvent | None:
    """The return that put the ticket in the office's queue now (None: it was not returned)."""
    if t.department != TRIAGE or t.id is None:
        return None
    moves = [e for e in await uow.events.for_ticket(t.id)
             if e.kind in ("returned", "rerouted", "ruled_must_handle", "transferred")]
    return moves[-1] if moves and moves[-1].kind == "returned" else None


async def returning_department(uow: UnitOfWork, t: Ticket) -> str | None:
    """The department that returned the ticket now in triage: never offered it again."""
    event = await returned_by(uow, t)
    return str(event.detail.get("from")) if event is not None else None


async def needs_triage(uow: UnitOfWork, t: Ticket) -> bool:
    """In the office's queue (department unknown or returned), or its category unconfirmed."""
    return t.department == TRIAGE or await _category_unconfirmed(uow, t)


async def _category_unconfirmed(uow: UnitOfWork, t: Ticket) -> bool:
    assert t.id is not None
    routed = [e for e in await uow.events.for_ticket(t.id) if e.kind == "routed"]
    return bool(routed and routed[0].detail.get("category_unconfirmed"))


async def queue(ctx: Context, uow: UnitOfWork, t: Ticket, key: str) -> None:
    """The triage card to the office group, when the ticket needs the office's decision."""
    chat = await group_of(ctx, uow, TRIAGE)
    if chat is None or t.id is None or not await needs_triage(uow, t):
        return
    await enqueue(ctx, uow, await card(ctx, uow, t, chat), f"{key}:triage:{t.id}", t, KIND)


async def card(ctx: Context, uow: UnitOfWork, t: Ticket, chat_id: int) -> Outgoing:
    """What the office decides on: why it is here, the current labels, the choices left."""
    assert t.id is not None
    returned = await returned_by(uow, t)
    labels = await uow.corrections.for_ticket(t.id)
    confirmed = next((c for c in reversed(labels) if c.field == "category"), None)
    routed = next((c for c in reversed(labels) if c.field == "department"), None)
    params: dict[str, Any] = {
        "number": t.number, "category": await corrections.current_label(uow, t, "category"),
        "department": t.department, "text": t.text[:EXCERPT_CHARS],
        "cut": max(0, len(t.text) - EXCERPT_CHARS), "state": t.state,
        "unconfirmed": await _category_unconfirmed(uow, t) and confirmed is None,
        "note": t.routing_note if t.department == TRIAGE else "",
        "confirmed_by": await staff.name_of(uow, confirmed.by) if confirmed else "",
        "routed_to": routed.new if routed else ""}
    if returned is not None:
        params.update(returned_from=str(returned.detail.get("from")),
                      reason_code=str(returned.detail.get("reason_code", "")),
                      reason=str(returned.detail.get("reason", "")))
    return Outgoing(chat_id, "office.triage_card", params,
                    buttons=_buttons(ctx, t, params.get("returned_from")))


def _buttons(ctx: Context, t: Ticket, returned_from: str | None) -> list[list[Button]]:
    rows: list[list[Button]] = []
    if t.department == TRIAGE and t.state in ROUTABLE:
        choices = [d for d in ctx.departments if d not in (TRIAGE, returned_from)]
        dept = [Button("btn.office.department", callbacks.triage("department", t.id, d),
                       params={"department": d}) for d in choices]
        rows += [dept[i:i + 3] for i in range(0, len(dept), 3)]
        if returned_from:
            rows.append([Button("btn.office.must", callbacks.triage("must", t.id),
                                params={"department": returned_from})])
    cats = [Button("btn.office.category", callbacks.triage("category", t.id, c),
                   params={"category": c}) for c in corrections.CATEGORIES]
    return [*rows, cats[:3], cats[3:]]


async def handle(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState | None,
                 resp: Response) -> None:
    """A triage button: supervisors only, the ticket read again, then the card re-drawn."""
    member = await staff.require_member(uow, msg.sender, f"triage button {msg.data[:40]!r}")
    press = callbacks.parse(msg.data)
    staff.require_office(member, f"triage {press.action} of ticket {press.id}")
    t = await uow.tickets.get(press.id)
    if t is None:
        raise staff.refuse(StaleButton(), member, f"triage of missing ticket {press.id}")
    key = f"triage:{msg.update_id}"
    if press.action == "category":
        if await corrections.current_label(uow, t, "category") == press.value \
                and await _confirmed(uow, t):
            raise NothingChanged()
        await corrections.record(ctx, uow, member, press.id, "category", press.value)
        resp.answer("office.triage.category_ok", category=press.value)
    else:
        department = await _route(ctx, uow, member, t, press, key)
        resp.answer("office.triage.routed_ok", number=t.number, department=department)
    fresh = await uow.tickets.get(press.id)
    assert fresh is not None
    out = await card(ctx, uow, fresh, msg.chat_id)
    out.edit_message_id = msg.message_id or None
    resp.messages.append(out)


async def _confirmed(uow: UnitOfWork, t: Ticket) -> bool:
    assert t.id is not None
    return any(c.field == "category" for c in await uow.corrections.for_ticket(t.id))


async def _route(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket,
                 press: callbacks.Press, key: str) -> str:
    """改派 to the chosen department, or 责令原部门办理; both stored as the department's label."""
    what = f"triage {press.action} of {t.number}"
    if t.department != TRIAGE or t.state not in ROUTABLE:
        raise staff.refuse(TicketMoved(number=t.number, state=t.state), member, what)
    returning = await returning_department(uow, t)
    assert t.id is not None
    if press.action == "must":
        if returning is None:
            raise staff.refuse(TicketMoved(number=t.number, state=t.state), member, what)
        await corrections.record(ctx, uow, member, t.id, "department", returning)
        return await actions.must_handle(ctx, uow, member, t, key)
    if press.value == returning:
        raise staff.refuse(ReturnedByDepartment(department=returning), member, what)
    await corrections.record(ctx, uow, member, t.id, "department", press.value)
    await actions.reroute(ctx, uow, member, t, key, press.value)
    return press.value
