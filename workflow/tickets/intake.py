"""Turning a confirmed draft into a ticket, and what the complainant can see of their tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.chat.messages import Media, Outgoing, to_payload
from workflow.context import Classified, Context
from workflow.deadlines import schedule
from workflow.desk import buttons
from workflow.model import Attachment, Complainant, OutboxMessage, Ticket, TicketEvent
from workflow.outbox.timing import deliver_at, is_group
from workflow.ports import UnitOfWork
from workflow.tickets.routing import Route, route


@dataclass(frozen=True)
class Filed:
    ticket: Ticket
    route: Route


def ticket_number(day: datetime, serial: int) -> str:
    return f"ZY-{day:%Y%m%d}-{serial:04d}"


async def submit(ctx: Context, uow: UnitOfWork, complainant: Complainant,
                 draft: dict[str, Any], c: Classified) -> Filed:
    """Create the ticket, its events and attachments, and queue the card for the group."""
    now = ctx.now()
    local_day = ctx.local(now)
    the_route = await route(ctx, uow, c)
    sign_due = ctx.deadlines.sign_for_due(now, c.urgent)
    ticket = await uow.tickets.add(Ticket(
        number=ticket_number(local_day, await uow.tickets.next_serial(local_day.date())),
        complainant_id=complainant.id or 0,
        anonymous=bool(draft.get("anonymous", True)),
        text=description(draft),
        accused=draft.get("accused") or "",
        category=c.category, department=the_route.department, urgent=c.urgent,
        created_at=now, tags=list(c.tags), confidence=dict(c.confidence),
        evidence=list(c.evidence)[:20], routing_note=the_route.note,
        sign_due=sign_due, answer_due=ctx.deadlines.answer_due(sign_due, c.category, c.urgent),
    ))
    assert ticket.id is not None
    await _record(uow, ticket, now, c, the_route)
    for a in draft.get("attachments", []):
        await uow.attachments.add(Attachment(ticket_id=ticket.id, **a))
    await queue_card(ctx, uow, ticket, the_route.chat_id)
    await schedule.plan_ticket(ctx, uow, ticket)   # issue 5: chase the sign-for deadline
    return Filed(ticket, the_route)


async def _record(uow: UnitOfWork, t: Ticket, now: datetime, c: Classified, r: Route) -> None:
    assert t.id is not None
    await uow.events.add(TicketEvent(ticket_id=t.id, kind="filed", at=now, actor="citizen",
                                     detail={"anonymous": t.anonymous}))
    await uow.events.add(TicketEvent(
        ticket_id=t.id, kind="routed", at=now, actor="system",
        detail={"department": r.department, "classified_as": c.department, "note": r.note,
                "category": c.category, "urgent": c.urgent, "confidence": dict(c.confidence)}))


def description(draft: dict[str, Any]) -> str:
    return "\n".join(p for p in draft.get("parts", []) if p.strip())


def card(t: Ticket, chat_id: int, attachments: int) -> Outgoing:
    """The ticket card for a department group. Never anything about who complained."""
    return Outgoing(chat_id=chat_id, key="card.ticket", params={
        "number": t.number, "category": t.category, "department": t.department,
        "urgent": t.urgent, "text": t.text, "accused": t.accused, "state": t.state,
        "sign_due": t.sign_due, "answer_due": t.answer_due, "attachments": attachments,
        "note": t.routing_note, "tags": t.tags,
    })


async def queue_card(ctx: Context, uow: UnitOfWork, t: Ticket, chat_id: int | None,
                     first: Outgoing | None = None, key: str = "") -> None:
    """Queue the card (or `first`, a card already built) and the attachments (re-sent by
    file_id, never forwarded); `key` distinguishes a later arrival in the same chat."""
    if chat_id is None or t.id is None:
        return  # delivered by deliver_backlog() once a group is bound
    files = await uow.attachments.for_ticket(t.id)
    if first is None:
        first = card(t, chat_id, len(files))
        first.params.update(schedule.deadlines_of(ctx, t))   # issue 5: every deadline on the card
        first.buttons = buttons.buttons(ctx, t)   # the staff desk's actions (issue 4)
    prefix = f"{key}:" if key else ""
    await enqueue(ctx, uow, first, f"{prefix}card:{t.id}:{chat_id}", t.id, "card")
    for i, a in enumerate(files, 1):
        out = Outgoing(chat_id=chat_id,
                       key="card.attachment_caption" if a.caption else "card.attachment",
                       params={"number": t.number, "index": i, "total": len(files),
                               "caption": a.caption},
                       media=Media("photo" if a.kind == "photo" else "document", a.file_id))
        await enqueue(ctx, uow, out, f"{prefix}attach:{t.id}:{i}:{chat_id}", t.id, "attachment")


async def enqueue(ctx: Context, uow: UnitOfWork, out: Outgoing, dedupe_key: str,
                  ticket_id: int | None, kind: str, not_before: datetime | None = None) -> bool:
    """Queue; unless told otherwise, quiet hours / working time decide when it may go out."""
    now = ctx.now()
    if not_before is None:
        t = await uow.tickets.get(ticket_id) if ticket_id is not None and is_group(out.chat_id) \
            else None
        not_before = deliver_at(ctx, out.chat_id, bool(t and t.urgent), now)
    return await uow.outbox.add(OutboxMessage(
        chat_id=out.chat_id, payload=json_safe(to_payload(out)), dedupe_key=dedupe_key,
        created_at=now, not_before=not_before, ticket_id=ticket_id, kind=kind))


def json_safe(value: Any) -> Any:
    """Datetimes become ISO strings so payloads survive a JSON column."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
