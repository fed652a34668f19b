"""Who may do what to a ticket right now, decided from the database on every press.

Callback data only names an action and a ticket; here the person, the ticket's current
department and state, and the rules of arbitration are checked again. Every refusal is
logged (workflow.desk.staff.refuse) and raised as the UserError the person sees.
"""

from __future__ import annotations

from workflow.context import Context
from workflow.desk import staff
from workflow.errors import ExtensionTooLate, ReturnAfterRuling, TicketMoved, TransferDisabled
from workflow.model import StaffMember, Ticket
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE


def before_answer_due(ctx: Context, member: StaffMember, t: Ticket) -> None:
    if t.answer_due is not None and ctx.now() >= t.answer_due:
        raise staff.refuse(ExtensionTooLate(number=t.number, answer_due=t.answer_due),
                           member, "extend")


async def may_pass_on(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket,
                       action: str) -> None:
    what = f"{action} on {t.number}"
    if t.department == TRIAGE:
        raise staff.refuse(TicketMoved(number=t.number, state=t.state), member, what)
    if action == "transfer" and not ctx.desk.allow_direct_transfer:
        raise staff.refuse(TransferDisabled(), member, what)
    assert t.id is not None
    if await ruled_for(uow, t.id, t.department):
        raise staff.refuse(ReturnAfterRuling(number=t.number), member, what)


async def ruled_for(uow: UnitOfWork, ticket_id: int, department: str) -> bool:
    """The oversight office ruled this department must handle it: no more returns (arbitration)."""
    return any(e.kind == "ruled_must_handle" and e.detail.get("department") == department
               for e in await uow.events.for_ticket(ticket_id))


