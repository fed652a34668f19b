"""Deadline actions and the accountability ledger.

The sweep touches only due rows: every query here is an index range scan on
scheduled_action(status, due_at) or a primary-key lookup, so its cost is O(due), not O(table).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from storage.mapping import to_domain, values_of
from storage.repositories.base import Repository
from storage.tables import (
    LedgerRow,
    ScheduledActionRow,
)
from workflow.model import (
    LedgerEntry,
    ScheduledAction,
)

_ACTION_KEY = ["ticket_id", "kind", "deadline"]


class SqlActions(Repository):


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


class SqlLedger(Repository):
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
