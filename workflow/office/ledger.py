"""问题台账: what `zhiyong report` exports for a period — tickets, KPIs, flagged officials.

The complainant's identity is read only when asked for, only for real-name tickets, and every
such export is recorded in the identity audit (who, which tickets, when).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workflow.context import Context
from workflow.office import audit, kpis
from workflow.office.officials import REPEAT_THRESHOLD
from workflow.office.periods import Period
from workflow.office.readmodel import FlaggedOfficial, LedgerLine
from workflow.ports import UnitOfWork


@dataclass
class Ledger:
    period: Period
    now: datetime
    lines: list[LedgerLine]
    kpis: kpis.KpiReport
    flagged: list[FlaggedOfficial]
    with_identity: bool


def deadline_status(due: datetime | None, done: datetime | None, now: datetime) -> str:
    """met | missed | pending: a deadline not yet reached and not yet met is pending."""
    if done is not None and due is not None:
        return "met" if done <= due else "missed"
    if due is not None and due < now:
        return "missed"
    return "met" if done is not None else "pending"


def years_of(period: Period) -> list[int]:
    return list(range(period.first.year, (period.after - timedelta(days=1)).year + 1))


async def build(ctx: Context, uow: UnitOfWork, period: Period, with_identity: bool,
                viewer: str) -> Ledger:
    """Everything of the period; identity views are recorded in the caller's transaction."""
    lines = await uow.office_views.ledger(period.start, period.end, with_identity)
    if with_identity:
        await audit.record_views(ctx, uow, viewer, "export",
                                 [line.ticket_id for line in lines if not line.anonymous])
    flagged = [f for y in years_of(period)
               for f in await uow.office_views.flagged_officials(y, REPEAT_THRESHOLD)]
    return Ledger(period, ctx.now(), lines, await kpis.report(ctx, uow, period), flagged,
                  with_identity)
