"""The office's triage queue: tickets the classifier was unsure about or a department
returned. Their choices (department, 责令原部门办理, category) are buttons on the office's own
ticket card (workflow.desk.cards), so the office sees one card a ticket and a move by any path
re-renders it; a ticket routed to a department with an unsure category gets a category-only
triage card here.

Each choice is a correction (workflow.office.corrections), so the classifier learns from the
office; moving the ticket is the desk's reroute (or its 责令原部门办理 ruling). A department
that returned the ticket is never offered, except through that ruling.
"""

from __future__ import annotations

import logging
from typing import Any

from workflow.chat import callbacks
from workflow.chat.messages import CARD_KINDS, Incoming, Outgoing, Response
from workflow.chat.state import ChatState
from workflow.context import Context
from workflow.desk import actions, cards, staff
from workflow.errors import NothingChanged, ReturnedByDepartment, StaleButton, TicketMoved
from workflow.model import StaffMember, Ticket, TicketEvent
from workflow.office import corrections
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE
from workflow.tickets.routing import group_of

log = logging.getLogger("zhiyong.office")

KIND = "triage"            # outbox kind of a triage card
EXCERPT_CHARS = 300
ROUTABLE = cards.ROUTABLE


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


async def _category_unconfirmed(uow: UnitOfWork, t: Ticket) -> bool:
    assert t.id is not None
    routed = [e for e in await uow.events.for_ticket(t.id) if e.kind == "routed"]
    return bool(routed and routed[0].detail.get("category_unconfirmed"))


async def queue(ctx: Context, uow: UnitOfWork, t: Ticket, key: str,
                unconfirmed: bool | None = None) -> None:
    """A category-only triage card to the office group, for a ticket routed to a department
    with its category unconfirmed; a ticket in the office's own queue is decided on its card
    (workflow.desk.cards carries the triage choices), so the office sees one card a ticket.
    `unconfirmed`: whether its category is, when the caller knows (a ticket just filed)."""
    chat = await group_of(ctx, uow, TRIAGE)
    if chat is None or t.id is None:
        return
    if t.department == TRIAGE:
        await _retire(ctx, uow, t, chat, key)
    elif unconfirmed if unconfirmed is not None else await _category_unconfirmed(uow, t):
        await enqueue(ctx, uow, await card(ctx, uow, t, chat), f"{key}:triage:{t.id}", t, KIND)


async def _retire(ctx: Context, uow: UnitOfWork, t: Ticket, chat: int, key: str) -> None:
    """The ticket came back to the office: its category-only card loses its buttons (the
    office's ticket card carries them now); one not yet sent is not sent at all."""
    assert t.id is not None
    dropped = await uow.outbox.cancel_unsent(t.id, chat, (KIND,), "superseded: ticket returned")
    if dropped:
        log.info("unsent triage card of %s dropped: the ticket is back in triage", t.number)
    if await uow.outbox.has_unsent(t.id, chat, (KIND,)):
        log.warning("triage card of %s in flight while returned; it may keep its buttons",
                    t.number)
    last = await uow.outbox.last_sent(t.id, chat, (KIND,))
    if last is None or last.message_id is None:
        return
    out = await card(ctx, uow, t, chat)
    out.buttons, out.params["superseded"] = [], True
    out.edit_message_id = last.message_id
    await enqueue(ctx, uow, out, f"{key}:triage_retire:{t.id}", t, KIND)


async def card(ctx: Context, uow: UnitOfWork, t: Ticket, chat_id: int) -> Outgoing:
    """The category to confirm: the current label, the complaint, the five categories."""
    assert t.id is not None
    labels = await uow.corrections.for_ticket(t.id)
    confirmed = next((c for c in reversed(labels) if c.field == "category"), None)
    params: dict[str, Any] = {
        "number": t.number, "category": await corrections.current_label(uow, t, "category"),
        "department": t.department, "text": t.text[:EXCERPT_CHARS],
        "cut": max(0, len(t.text) - EXCERPT_CHARS), "state": t.state,
        "unconfirmed": await _category_unconfirmed(uow, t) and confirmed is None,
        "confirmed_by": await staff.name_of(uow, confirmed.by) if confirmed else ""}
    return Outgoing(chat_id, "office.triage_card", params, buttons=cards.category_rows(t))


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
    await _redraw(ctx, uow, fresh, msg, resp, key, moved=press.action != "category")


async def _redraw(ctx: Context, uow: UnitOfWork, t: Ticket, msg: Incoming, resp: Response,
                  key: str, moved: bool) -> None:
    """The pressed card shows the choice: the office's ticket card is re-rendered in place
    (a move already did that), a category-only triage card is edited."""
    assert t.id is not None
    sent = await uow.outbox.last_sent(t.id, msg.chat_id, CARD_KINDS)
    if sent is not None and sent.message_id == msg.message_id:
        if not moved:
            await cards.refresh(ctx, uow, t, msg.chat_id, key)
        return
    out = await card(ctx, uow, t, msg.chat_id)
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
