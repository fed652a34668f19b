"""Triage corrections: the office confirms or corrects the classifier's category or department.

Each one is stored with the complaint text as it was, so `zhiyong nlp corrections export`
hands the classifier labelled examples; a confirmation is stored too (old == new): it is a
label as good as a correction. Statistics count a ticket under its latest confirmed category.
Moving the ticket to the corrected department stays the desk's job (desk.reroute).
"""

from __future__ import annotations

import logging

from workflow.context import Context
from workflow.desk import staff
from workflow.errors import BadCorrectionField, TicketNotFound, UnknownCategory, UnknownDepartment
from workflow.model import StaffMember, Ticket, TicketEvent
from workflow.office.model import Correction
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE

log = logging.getLogger("zhiyong.office")

# the category ids of ../shared/taxonomy.md (the contract; nlp/taxonomy.py spells the same)
CATEGORIES = ("cannot", "will_not", "dare_not", "misconduct", "other")
FIELDS = ("category", "department")


async def current_label(uow: UnitOfWork, t: Ticket, field: str) -> str:
    """The confirmed value when the office gave one, else what the classifier said."""
    assert t.id is not None
    confirmed = [c for c in await uow.corrections.for_ticket(t.id) if c.field == field]
    if confirmed:
        return confirmed[-1].new
    routed = [e for e in await uow.events.for_ticket(t.id) if e.kind == "routed"]
    if field == "department" and routed:
        return str(routed[0].detail.get("classified_as") or t.department)
    return t.category if field == "category" else t.department


async def record(ctx: Context, uow: UnitOfWork, member: StaffMember, ticket_id: int, field: str,
                 new: str) -> Correction:
    """Store (and log as a ticket event) the office's label for one field of one ticket."""
    staff.require_office(member, f"correct {field} of ticket {ticket_id}")
    t = await uow.tickets.get(ticket_id)
    if t is None:
        raise TicketNotFound(number=str(ticket_id))
    _check(ctx, member, field, new)
    old = await current_label(uow, t, field)
    c = await uow.corrections.add(Correction(ticket_id=ticket_id, text=t.text, field=field,
                                             old=old, new=new, by=member.telegram_id,
                                             at=ctx.now()))
    await uow.events.add(TicketEvent(
        ticket_id=ticket_id, kind="label_confirmed" if old == new else "label_corrected",
        at=c.at, actor=staff.actor_tag(member),
        detail={"field": field, "old": old, "new": new, "name": member.display_name}))
    log.info("office %s set %s of %s: %s -> %s", member.telegram_id, field, t.number, old, new)
    return c


def _check(ctx: Context, member: StaffMember, field: str, new: str) -> None:
    if field not in FIELDS:
        raise staff.refuse(BadCorrectionField(field=field, known=", ".join(FIELDS)), member,
                           "correction")
    if field == "category" and new not in CATEGORIES:
        raise staff.refuse(UnknownCategory(category=new, known=", ".join(CATEGORIES)), member,
                           "correction")
    if field == "department" and (new not in ctx.departments or new == TRIAGE):
        known = ", ".join(d for d in ctx.departments if d != TRIAGE)
        raise staff.refuse(UnknownDepartment(department=new, known=known), member, "correction")


async def export(ctx: Context, uow: UnitOfWork) -> list[tuple[str, Correction]]:
    """Every correction with its ticket number, oldest first (`nlp corrections export`)."""
    numbers: dict[int, str] = {}
    out = []
    for c in await uow.corrections.listing():
        if c.ticket_id not in numbers:
            t = await uow.tickets.get(c.ticket_id)
            numbers[c.ticket_id] = t.number if t else str(c.ticket_id)
        out.append((numbers[c.ticket_id], c))
    return out
