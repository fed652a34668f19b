"""Turning a confirmed draft into a ticket, and what the complainant can see of their tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow.chat.state import FilingDraft
from workflow.context import Context
from workflow.deadlines import schedule
from workflow.desk import cards
from workflow.model import Attachment, Complainant, Ticket, TicketEvent
from workflow.office import triage
from workflow.ports import Classified, UnitOfWork
from workflow.tickets.routing import Route, route


@dataclass(frozen=True)
class Filed:
    ticket: Ticket
    route: Route


def ticket_number(day: datetime, serial: int) -> str:
    return f"ZY-{day:%Y%m%d}-{serial:04d}"


async def submit(ctx: Context, uow: UnitOfWork, complainant: Complainant,
                 draft: FilingDraft, c: Classified) -> Filed:
    """Create the ticket, its events and attachments, and queue the card for the group."""
    now = ctx.now()
    local_day = ctx.local(now)
    the_route = await route(ctx, uow, c)
    sign_due = ctx.deadlines.sign_for_due(now, c.urgent)
    ticket = await uow.tickets.add(Ticket(
        number=ticket_number(local_day, await uow.tickets.next_serial(local_day.date())),
        complainant_id=complainant.id or 0,
        anonymous=draft.anonymous is not False,
        text=draft.description(),
        accused=draft.accused or "",
        category=c.category, department=the_route.department, urgent=c.urgent,
        created_at=now, tags=list(c.tags), confidence=dict(c.confidence),
        evidence=list(c.evidence)[:20], routing_note=the_route.note,
        sign_due=sign_due, answer_due=ctx.deadlines.answer_due(sign_due, c.category, c.urgent),
        planned_version=1, version=1,      # its deadlines are planned below, in this transaction
    ))
    assert ticket.id is not None
    await _record(uow, ticket, now, c, the_route)
    for a in draft.attachments:
        await uow.attachments.add(Attachment(
            ticket_id=ticket.id, kind=a["kind"], file_id=a["file_id"],
            file_unique_id=a.get("file_unique_id", ""), file_name=a.get("file_name", ""),
            caption=a.get("caption", "")))
    await cards.queue(ctx, uow, ticket, the_route.chat_id)
    await triage.queue(ctx, uow, ticket, "filed", c.category_unconfirmed)  # the office decides
    await schedule.plan_new(ctx, uow, ticket)   # chase the sign-for deadline
    return Filed(ticket, the_route)


async def _record(uow: UnitOfWork, t: Ticket, now: datetime, c: Classified, r: Route) -> None:
    assert t.id is not None
    await uow.events.add_many([
        TicketEvent(ticket_id=t.id, kind="filed", at=now, actor="citizen",
                    detail={"anonymous": t.anonymous}),
        TicketEvent(ticket_id=t.id, kind="routed", at=now, actor="system",
                    detail={"department": r.department, "classified_as": c.department,
                            "note": r.note, "category": c.category,
                            "category_unconfirmed": c.category_unconfirmed,
                            "urgent": c.urgent, "confidence": dict(c.confidence)})])
