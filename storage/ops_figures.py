"""The figures an operator's monitoring reads from the database, one small query each.

Read at scrape time (not kept in process memory) so every process of a bot reports the same,
true numbers. Each query is a grouped count or a min over an indexed column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import OutboxRow, TicketRow
from workflow.model import TicketState

ANSWER_CLOCK = (TicketState.SIGNED, TicketState.TRIAGE, TicketState.REOPENED)


@dataclass
class OpsFigures:
    outbox_by_status: dict[str, int] = field(default_factory=dict)
    # seconds since the oldest deliverable pending row became due (0: nothing is waiting);
    # rows held back on purpose (quiet hours, working hours) are not late until then
    oldest_pending_seconds: float = 0.0
    tickets_by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0


class OpsQuery:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def figures(self, now: datetime) -> OpsFigures:
        o, t = OutboxRow.__table__, TicketRow.__table__  # type: ignore[attr-defined]
        overdue = or_(
            and_(t.c.state == TicketState.ROUTED, t.c.sign_due < now),
            and_(t.c.state.in_(ANSWER_CLOCK), t.c.answer_due < now))
        async with self.engine.connect() as conn:
            outbox = (await conn.execute(
                select(o.c.status, func.count()).group_by(o.c.status))).all()
            oldest = (await conn.execute(select(func.min(o.c.not_before)).where(
                o.c.status == "pending", o.c.not_before <= now))).scalar()
            states = (await conn.execute(
                select(t.c.state, func.count()).group_by(t.c.state))).all()
            late = (await conn.execute(select(func.count()).where(overdue))).scalar_one()
        waited = (now - _aware(oldest, now)).total_seconds() if oldest is not None else 0.0
        return OpsFigures(outbox_by_status={s: int(n) for s, n in outbox},
                          oldest_pending_seconds=max(0.0, waited),
                          tickets_by_state={s: int(n) for s, n in states}, overdue=int(late))


def _aware(value: datetime | str, now: datetime) -> datetime:
    """min() keeps the column's type (stored as UTC); a driver handing back text or a naive
    value is read as UTC too."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
