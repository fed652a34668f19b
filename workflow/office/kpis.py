"""Department KPIs per period, the ranking, and 末位 (last place two periods in a row).

Every rate keeps its numerator and denominator; a department with nothing to rate has no
value (shown "—"), never 0 %. The ranking score is the mean of the three main rates
(按时签收率, 按时办结率, 满意率) a department has; the office itself is not ranked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from workflow.context import Context
from workflow.office.periods import Period
from workflow.office.readmodel import AnswerSpan, DepartmentCounts
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE


@dataclass(frozen=True)
class Rate:
    num: int
    den: int

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None


@dataclass
class DepartmentKpi:
    department: str
    received: int
    tickets: int
    on_time_sign: Rate
    on_time_answer: Rate
    satisfaction: Rate
    dissatisfaction: Rate
    reopened: Rate
    returned: Rate
    substantiated: Rate
    overdue_now: int
    mean_days: float | None
    categories: dict[str, int] = field(default_factory=dict)
    rank: int | None = None
    last_place: bool = False         # 末位: last in this period and the one before

    @property
    def main_rates(self) -> tuple[Rate, Rate, Rate]:
        return self.on_time_sign, self.on_time_answer, self.satisfaction

    @property
    def score(self) -> float | None:
        values = [r.value for r in self.main_rates if r.value is not None]
        return sum(values) / len(values) if values else None


@dataclass
class KpiReport:
    period: Period
    rows: list[DepartmentKpi]

    @property
    def empty(self) -> bool:
        return not any(r.tickets or r.received for r in self.rows)

    @property
    def last_place(self) -> list[str]:
        return [r.department for r in self.rows if r.last_place]


def kpi_of(c: DepartmentCounts, mean_days: float | None) -> DepartmentKpi:
    return DepartmentKpi(
        department=c.department, received=c.arrived, tickets=c.tickets,
        on_time_sign=Rate(c.signed_on_time, c.sign_decided),
        on_time_answer=Rate(c.answered_on_time, c.answer_decided),
        satisfaction=Rate(c.satisfied, c.rated), dissatisfaction=Rate(c.unsatisfied, c.rated),
        reopened=Rate(c.reopened, c.tickets), returned=Rate(c.returned, c.arrived),
        substantiated=Rate(c.substantiated, c.findings), overdue_now=c.overdue_now,
        mean_days=mean_days, categories=dict(c.categories))


def rank(rows: list[DepartmentKpi]) -> list[DepartmentKpi]:
    """Best first; departments with no score (and the office) are unranked, listed after."""
    ranked = sorted((r for r in rows if r.score is not None and r.department != TRIAGE),
                    key=lambda r: (-(r.score or 0.0), r.department))
    for i, r in enumerate(ranked, 1):
        r.rank = i
    rest = sorted((r for r in rows if r.rank is None), key=lambda r: r.department)
    return ranked + rest


def last_of(rows: list[DepartmentKpi]) -> str | None:
    ranked = [r for r in rows if r.rank is not None]
    return max(ranked, key=lambda r: r.rank or 0).department if len(ranked) > 1 else None


def mean_working_days(spans: list[AnswerSpan], workdays: Callable[[date], bool],
                      local: Callable[..., date]) -> dict[str, float]:
    """Working days from arrival to answer, averaged per department (one pass, dates cached)."""
    cache: dict[date, bool] = {}
    totals: dict[str, list[int]] = {}
    for s in spans:
        a, b = local(s.arrived_at), local(s.answered_at)
        days, d = 0, a
        while d < b:
            d += timedelta(days=1)
            if d not in cache:
                cache[d] = workdays(d)
            days += cache[d]
        acc = totals.setdefault(s.department, [0, 0])
        acc[0] += days
        acc[1] += 1
    return {k: v[0] / v[1] for k, v in totals.items()}


async def _rows(ctx: Context, uow: UnitOfWork, period: Period) -> list[DepartmentKpi]:
    now = ctx.now()
    counts = await uow.office_views.department_counts(period.start, period.end, now)
    spans = await uow.office_views.answer_spans(period.start, period.end)
    means = mean_working_days(spans, ctx.deadlines.calendar.is_workday,
                              lambda dt: ctx.local(dt).date())
    for d in ctx.departments:
        counts.setdefault(d, DepartmentCounts(department=d))
    return rank([kpi_of(c, means.get(d)) for d, c in counts.items()])


async def report(ctx: Context, uow: UnitOfWork, period: Period) -> KpiReport:
    """KPIs of every department for the period, ranked, with 末位 marked."""
    rows = await _rows(ctx, uow, period)
    last_now = last_of(rows)
    if last_now is not None and last_now == last_of(await _rows(ctx, uow, period.previous())):
        for r in rows:
            r.last_place = r.department == last_now
    return KpiReport(period, rows)
