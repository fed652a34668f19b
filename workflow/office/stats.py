"""What the office group asks for (/stats, /officials): supervisors only, refusals logged."""

from __future__ import annotations

from workflow.context import Context
from workflow.desk import staff
from workflow.errors import BadPeriod
from workflow.model import StaffMember
from workflow.office import kpis, periods
from workflow.office.officials import REPEAT_THRESHOLD
from workflow.office.readmodel import FlaggedOfficial
from workflow.ports import UnitOfWork


async def department_stats(ctx: Context, uow: UnitOfWork, member: StaffMember, text: str
                           ) -> kpis.KpiReport:
    """`/stats [week|month|quarter|YYYY-MM|YYYYQn]` (default: this month)."""
    staff.require_office(member, "/stats")
    return await kpis.report(ctx, uow, periods.parse(text, ctx.now(), ctx.tz))


async def flagged_officials(ctx: Context, uow: UnitOfWork, member: StaffMember, text: str
                            ) -> tuple[int, list[FlaggedOfficial]]:
    """`/officials [YYYY]` (default: this year): ≥ 2 substantiated complaints in the year."""
    staff.require_office(member, "/officials")
    given = text.strip()
    if given and not (given.isdigit() and len(given) == 4 and given >= "2000"):
        raise BadPeriod(text=given[:20])
    year = int(given) if given else ctx.local(ctx.now()).year
    return year, await uow.office_views.flagged_officials(year, REPEAT_THRESHOLD)
