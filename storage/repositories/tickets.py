"""Tickets and what hangs on them: events, attachments, extension requests."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from sqlalchemy import select as sa_select
from sqlalchemy import update
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


class SqlTickets(Repository):
    async def add(self, t: Ticket) -> Ticket:
        row = to_row(t, TicketRow)
        self.s.add(row)
        await self.s.flush()
        t.id = row.id
        return t

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await self.s.get(TicketRow, ticket_id)
        return to_domain(row, Ticket) if row else None

    async def by_number(self, number: str) -> Ticket | None:
        row = (await self.s.exec(select(TicketRow).where(TicketRow.number == number))).first()
        return to_domain(row, Ticket) if row else None

    async def for_complainant(self, complainant_id: int, limit: int = 20) -> list[Ticket]:
        rows = await self.s.exec(
            select(TicketRow).where(TicketRow.complainant_id == complainant_id)
            .order_by(col(TicketRow.id).desc()).limit(limit))
        return [to_domain(r, Ticket) for r in rows]

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
        key = day.strftime("%Y%m%d")
        stmt = self._insert(TicketCounterRow).values(day=key, last=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["day"], set_={"last": TicketCounterRow.__table__.c.last + 1}
        ).returning(TicketCounterRow.__table__.c.last)
        return int((await self.s.exec(stmt)).scalar_one())  # type: ignore[call-overload]

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
            await self.s.exec(TicketEventRow.__table__.insert(),  # type: ignore[attr-defined]
                              params=[values_of(e) for e in events])
            self.event_log.note(events)


class SqlAttachments(Repository):
    async def add(self, a: Attachment) -> None:
        self.s.add(to_row(a, AttachmentRow))
        await self.s.flush()

    async def for_ticket(self, ticket_id: int) -> list[Attachment]:
        rows = await self.s.exec(select(AttachmentRow).where(AttachmentRow.ticket_id == ticket_id)
                                 .order_by(col(AttachmentRow.id)))
        return [to_domain(r, Attachment) for r in rows]


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
