"""The read side for digests and the office (workflow.ports.Views)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import select

from storage.repositories.base import Repository
from storage.tables import (
    TicketRow,
)
from workflow.model import (
    OPEN_STATES,
)


class SqlViews(Repository):
    """The read side: summaries for digests and reports; it changes nothing."""

    async def open_summary(self, now: datetime) -> dict[str, tuple[int, int]]:
        """department -> (open tickets, overdue open tickets), for the weekly summary."""
        t = TicketRow.__table__.c  # type: ignore[attr-defined]
        overdue = func.sum(case((t.answer_due < now, 1), else_=0))
        rows = await self.s.exec(  # type: ignore[call-overload]
            select(t.department, func.count(), overdue)
            .where(t.state.in_([s.value for s in OPEN_STATES])).group_by(t.department))
        return {d: (int(n), int(o or 0)) for d, n, o in rows}
