"""Tickets and what hangs on them: events, attachments, extension requests."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from storage.mapping import to_domain, to_row, values_of
from storage.repositories.base import Repository
from storage.tables import (
    AttachmentRow,
    ExtensionRequestRow,
    TicketCounterRow,
    TicketEventRow,
    TicketRow,
)
from workflow.model import (
    OPEN_STATES,
    Attachment,
    ExtensionRequest,
    Ticket,
    TicketEvent,
)

_TICKET_FIELDS = [f.name for f in fields(Ticket)]
TICKET = TicketRow.__table__  # type: ignore[attr-defined]
ATTACHMENT = AttachmentRow.__table__  # type: ignore[attr-defined]
_ADD = TICKET.insert().returning(TICKET.c.id)
_FOR_COMPLAINANT = (sa_select(TICKET).where(TICKET.c.complainant_id == bindparam("complainant"))
                    .order_by(TICKET.c.id.desc()).limit(bindparam("limit")))
_ATTACHMENTS = (sa_select(ATTACHMENT).where(ATTACHMENT.c.ticket_id == bindparam("ticket"))
                .order_by(ATTACHMENT.c.id))
_EVENTS = TicketEventRow.__table__.insert()  # type: ignore[attr-defined]


def _next_serial(insert: Any) -> Any:
    counter = TicketCounterRow.__table__  # type: ignore[attr-defined]
    return (insert(counter).on_conflict_do_update(index_elements=["day"],
                                                  set_={"last": counter.c.last + 1})
            .returning(counter.c.last))


class SqlTickets(Repository):
    async def add(self, t: Ticket) -> Ticket:
        t.id = int((await self._core(_ADD, values_of(t))).one()["id"])
        return t

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await self.s.get(TicketRow, ticket_id)
        return to_domain(row, Ticket) if row else None

    async def by_number(self, number: str) -> Ticket | None:
        row = (await self.s.exec(select(TicketRow).where(TicketRow.number == number))).first()
        return to_domain(row, Ticket) if row else None

    async def for_complainant(self, complainant_id: int, limit: int = 20) -> list[Ticket]:
        rows = await self._core(_FOR_COMPLAINANT, {"complainant": complainant_id, "limit": limit})
        return [Ticket(**r) for r in rows.all()]

    async def open_for_department(self, department: str) -> list[Ticket]:
        rows = await self.s.exec(
            select(TicketRow).where(TicketRow.department == department,
                                    col(TicketRow.state).in_([s.value for s in OPEN_STATES]))
            .order_by(col(TicketRow.answer_due)))
        return [to_domain(r, Ticket) for r in rows]

    async def save(self, t: Ticket) -> bool:
        """Optimistic lock: written only if nobody saved since `t` was read; then t.version+1."""
        values = {**values_of(t), "version": t.version + 1}
        result = await self.s.exec(  # type: ignore[call-overload]
            update(TicketRow)
            .where(col(TicketRow.id) == t.id, col(TicketRow.version) == t.version)
            .values(**values))
        if result.rowcount != 1:
            return False
        t.version += 1
        return True

    async def next_serial(self, day: date) -> int:
        stmt = self._prepared("ticket.next_serial", _next_serial)
        return int((await self._core(stmt, {"day": day.strftime("%Y%m%d"), "last": 1})).one()["last"])

    async def many(self, ids: list[int]) -> dict[int, Ticket]:
        if not ids:
            return {}
        t = TicketRow.__table__  # type: ignore[attr-defined]
        rows = (await self.s.exec(  # type: ignore[call-overload]
            sa_select(t).where(t.c.id.in_(ids)))).mappings()   # Core rows: no ORM objects
        return {r["id"]: Ticket(**{f: r[f] for f in _TICKET_FIELDS}) for r in rows}

    async def unplanned(self, limit: int) -> list[Ticket]:
        t = TicketRow.__table__.c  # type: ignore[attr-defined]
        rows = await self.s.exec(select(TicketRow).where(t.version != t.planned_version)
                                 .order_by(t.id).limit(limit))
        return [to_domain(r, Ticket) for r in rows]

    async def mark_planned(self, ticket_id: int, version: int) -> bool:
        result = await self.s.exec(  # type: ignore[call-overload]
            update(TicketRow).where(col(TicketRow.id) == ticket_id,
                                    col(TicketRow.version) == version)
            .values(planned_version=version))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class SqlEvents(Repository):
    async def add(self, e: TicketEvent) -> None:
        self.s.add(to_row(e, TicketEventRow))
        await self.s.flush()
        self.event_log.note([e])

    async def for_ticket(self, ticket_id: int) -> list[TicketEvent]:
        rows = await self.s.exec(select(TicketEventRow).where(TicketEventRow.ticket_id == ticket_id)
                                 .order_by(col(TicketEventRow.id)))
        return [to_domain(r, TicketEvent) for r in rows]

    async def add_many(self, events: list[TicketEvent]) -> None:
        if events:
            await self._core(_EVENTS, [values_of(e) for e in events])
            self.event_log.note(events)


class SqlAttachments(Repository):
    async def add(self, a: Attachment) -> None:
        self.s.add(to_row(a, AttachmentRow))
        await self.s.flush()

    async def for_ticket(self, ticket_id: int) -> list[Attachment]:
        rows = await self._core(_ATTACHMENTS, {"ticket": ticket_id})
        return [Attachment(**r) for r in rows.all()]


class SqlExtensions(Repository):
    async def add(self, r: ExtensionRequest) -> ExtensionRequest:
        row = to_row(r, ExtensionRequestRow)
        self.s.add(row)
        await self.s.flush()
        r.id = row.id
        return r

    async def get(self, request_id: int) -> ExtensionRequest | None:
        row = await self.s.get(ExtensionRequestRow, request_id)
        return to_domain(row, ExtensionRequest) if row else None

    async def for_ticket(self, ticket_id: int) -> list[ExtensionRequest]:
        rows = await self.s.exec(select(ExtensionRequestRow)
                                 .where(ExtensionRequestRow.ticket_id == ticket_id)
                                 .order_by(col(ExtensionRequestRow.id)))
        return [to_domain(r, ExtensionRequest) for r in rows]

    async def decide(self, r: ExtensionRequest) -> bool:
        result = await self.s.exec(  # type: ignore[call-overload]
            update(ExtensionRequestRow)
            .where(col(ExtensionRequestRow.id) == r.id, col(ExtensionRequestRow.status) == "pending")
            .values(status=r.status, decided_by=r.decided_by, decided_at=r.decided_at))
        return bool(result.rowcount == 1)
