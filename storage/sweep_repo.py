"""SQL for the deadline sweep (issue 5): scheduled actions, bulk writes, the ledger.

The sweep touches only due rows: every query here is an index range scan on
scheduled_action(status, due_at) or a primary-key lookup, so its cost is O(due), not O(table).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from storage.mapping import to_domain, values_of
from storage.repositories import _Repo
from storage.tables import (
    ComplainantRow,
    GroupBindingRow,
    LedgerRow,
    OutboxRow,
    ScheduledActionRow,
    TicketEventRow,
    TicketRow,
)
from workflow.model import (
    OPEN_STATES,
    LedgerEntry,
    OutboxMessage,
    ScheduledAction,
    Ticket,
    TicketEvent,
)

_ACTION_KEY = ["ticket_id", "kind", "deadline"]
_TICKET_FIELDS = [f.name for f in fields(Ticket)]


class SqlActions(_Repo):
    def _is_pg(self) -> bool:
        return self.s.bind is not None and self.s.bind.dialect.name == "postgresql"

    async def _insert_many(self, table: type, rows: list[dict[str, Any]],
                           conflict: list[str]) -> int:
        if not rows:
            return 0
        stmt = (self._insert(table).on_conflict_do_nothing(index_elements=conflict)
                .returning(table.__table__.c.id))  # type: ignore[attr-defined]
        result = await self.s.exec(stmt, params=rows)  # type: ignore[call-overload]
        return len(result.all())

    async def plan(self, actions: list[ScheduledAction]) -> int:
        return await self._insert_many(ScheduledActionRow, [values_of(a) for a in actions],
                                       _ACTION_KEY)

    async def pending_for_ticket(self, ticket_id: int) -> list[ScheduledAction]:
        rows = await self.s.exec(
            select(ScheduledActionRow).where(ScheduledActionRow.ticket_id == ticket_id,
                                             ScheduledActionRow.status == "pending")
            .order_by(col(ScheduledActionRow.due_at)))
        return [to_domain(r, ScheduledAction) for r in rows]

    async def cancel(self, ids: list[int]) -> None:
        if ids:
            await self.s.exec(  # type: ignore[call-overload]
                update(ScheduledActionRow)
                                 .where(col(ScheduledActionRow.id).in_(ids),
                                        col(ScheduledActionRow.status) == "pending")
                                 .values(status="cancelled"))

    async def skip(self, ids: list[int]) -> None:
        if ids:
            await self.s.exec(  # type: ignore[call-overload]
                update(ScheduledActionRow)
                                 .where(col(ScheduledActionRow.id).in_(ids))
                                 .values(status="skipped"))

    def savepoint(self) -> AbstractAsyncContextManager[object]:
        return self.s.begin_nested()

    async def claim_due(self, now: datetime, worker: str, limit: int) -> list[ScheduledAction]:
        t = ScheduledActionRow.__table__.c  # type: ignore[attr-defined]
        due = (t.status == "pending") & (t.due_at <= now)
        ids = select(t.id).where(due).order_by(t.due_at, t.id).limit(limit)
        if self._is_pg():
            ids = ids.with_for_update(skip_locked=True)
        stmt = (update(ScheduledActionRow).where(t.id.in_(ids.scalar_subquery()), due)
                .values(status="done", claimed_at=now, claimed_by=worker,
                        attempts=t.attempts + 1)
                .returning(*ScheduledActionRow.__table__.c))  # type: ignore[attr-defined]
        rows = (await self.s.exec(  # type: ignore[call-overload]
                stmt)).mappings().all()
        claimed = [ScheduledAction(**dict(r)) for r in rows]
        return sorted(claimed, key=lambda a: (a.due_at, a.id or 0))

    async def fail(self, action_id: int, error: str, retry_at: datetime | None) -> None:
        values: dict[str, Any] = {"error": error[:2000]}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values.update(status="pending", due_at=retry_at)
        await self.s.exec(  # type: ignore[call-overload]
                update(ScheduledActionRow)
                             .where(col(ScheduledActionRow.id) == action_id).values(**values))

    async def tickets(self, ids: list[int]) -> dict[int, Ticket]:
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

    async def group_chats(self) -> dict[str, int]:
        """department -> bound group chat, all at once (one query per sweep batch)."""
        rows = await self.s.exec(select(GroupBindingRow.department, GroupBindingRow.chat_id))
        return {str(d): int(c) for d, c in rows}

    async def complainant_chats(self, complainant_ids: list[int]) -> dict[int, int]:
        if not complainant_ids:
            return {}
        rows = await self.s.exec(select(ComplainantRow.id, ComplainantRow.telegram_id)
                                 .where(col(ComplainantRow.id).in_(complainant_ids)))
        return {int(i): int(tg) for i, tg in rows if i is not None}

    async def add_outbox(self, messages: list[OutboxMessage]) -> int:
        return await self._insert_many(OutboxRow, [values_of(m) for m in messages],
                                       ["dedupe_key"])

    async def add_events(self, events: list[TicketEvent]) -> None:
        if events:
            await self.s.exec(TicketEventRow.__table__.insert(),  # type: ignore[attr-defined]
                              params=[values_of(e) for e in events])
            self.event_log.note(events)

    async def open_summary(self, now: datetime) -> dict[str, tuple[int, int]]:
        """department -> (open tickets, overdue open tickets), for the weekly summary."""
        t = TicketRow.__table__.c  # type: ignore[attr-defined]
        overdue = func.sum(case((t.answer_due < now, 1), else_=0))
        rows = await self.s.exec(  # type: ignore[call-overload]
            select(t.department, func.count(), overdue)
            .where(t.state.in_([s.value for s in OPEN_STATES])).group_by(t.department))
        return {d: (int(n), int(o or 0)) for d, n, o in rows}


class SqlLedger(_Repo):
    async def add(self, entries: list[LedgerEntry]) -> int:
        if not entries:
            return 0
        stmt = (self._insert(LedgerRow).on_conflict_do_nothing(index_elements=_ACTION_KEY)
                .returning(LedgerRow.__table__.c.id))  # type: ignore[attr-defined]
        result = await self.s.exec(  # type: ignore[call-overload]
            stmt, params=[values_of(e) for e in entries])
        return len(result.all())

    async def since(self, at: datetime) -> list[LedgerEntry]:
        rows = await self.s.exec(select(LedgerRow).where(col(LedgerRow.at) >= at)
                                 .order_by(col(LedgerRow.id)))
        return [to_domain(r, LedgerEntry) for r in rows]
