"""The one way a notification enters the outbox.

Services (tickets, desk, rating, relay, digests) and the deadline sweep all build their rows
here: the payload is made JSON-safe, the dedupe key keeps a notice from being queued twice,
`not_before` says when it may go and `silent` whether it rings (quiet hours, working time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.chat.messages import Outgoing, to_payload
from workflow.context import Context
from workflow.model import OutboxMessage, Ticket
from workflow.outbox.timing import deliver_at, silent
from workflow.ports import UnitOfWork


def row(ctx: Context, out: Outgoing, dedupe_key: str, ticket: Ticket | None, kind: str,
        now: datetime, not_before: datetime | None = None) -> OutboxMessage:
    """The outbox row for `out`; unless told otherwise, the audience decides when it may go."""
    urgent = bool(ticket and ticket.urgent)
    if not_before is None:
        not_before = deliver_at(ctx, out.chat_id, urgent, now)
    out.silent = not out.ring and (out.silent or silent(ctx, out.chat_id, urgent, not_before))
    return OutboxMessage(chat_id=out.chat_id, payload=json_safe(to_payload(out)),
                         dedupe_key=dedupe_key, created_at=now, not_before=not_before,
                         ticket_id=ticket.id if ticket else None, kind=kind[:32])


async def enqueue(ctx: Context, uow: UnitOfWork, out: Outgoing, dedupe_key: str,
                  ticket: Ticket | None, kind: str, not_before: datetime | None = None) -> bool:
    """Queue one notification in the caller's transaction; False if it was queued before."""
    return await uow.outbox.add(row(ctx, out, dedupe_key, ticket, kind, ctx.now(), not_before))


def json_safe(value: Any) -> Any:
    """Datetimes become ISO strings so payloads survive a JSON column."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
