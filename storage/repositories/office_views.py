"""The office's read side (workflow.ports.OfficeViews): aggregate SQL, one pass per question.

Tickets of a period are found through ix_ticket_created_at; the confirmed category is the
newest category correction of a ticket (a grouped subquery, joined once); overdue counts use
the (state, due) indexes. Nothing here loads whole tickets: on 100,000 tickets a report is a
handful of grouped scans, the same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, and_, case, func, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.office_tables import ConcernedRow, CorrectionRow, FindingRow, OfficialRow
from storage.repositories.base import Repository
from storage.tables import ComplainantRow, StaffRow, TicketEventRow, TicketRow
from workflow.model import TicketState
from workflow.office.model import SUBSTANTIATED
from workflow.office.readmodel import AnswerSpan, DepartmentCounts, FlaggedOfficial, LedgerLine

ARRIVALS = ("routed", "transferred", "rerouted", "ruled_must_handle")
RATED = ("satisfied", "basic", "unsatisfied")
T = TicketRow


def _n(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _in_period(start: datetime, end: datetime) -> Any:
    return and_(col(T.created_at) >= start, col(T.created_at) < end)


def _confirmed_category() -> tuple[Any, Any, Any]:
    """(latest-correction subquery, its correction alias, the category to count a ticket by)."""
    latest = (sa_select(col(CorrectionRow.ticket_id).label("ticket_id"),
                        func.max(col(CorrectionRow.id)).label("cid"))
              .where(col(CorrectionRow.field) == "category")
              .group_by(col(CorrectionRow.ticket_id)).subquery())
    chosen = aliased(CorrectionRow)
    return latest, chosen, func.coalesce(chosen.new, col(T.category))


def _aware(v: datetime | str | None) -> datetime | None:
    """A stored instant as aware UTC (SQLite hands back its text, parsed here at C speed)."""
    if v is None:
        return None
    if isinstance(v, str):
        return datetime.fromisoformat(v).replace(tzinfo=UTC)   # stored as UTC wall time
    return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)


class SqlOfficeViews(Repository):
    def _time(self, column: Any) -> Any:
        """Bulk reads of instants: on SQLite skip the per-value regex of the DateTime type
        (7 columns × 100,000 rows is seconds) and parse with datetime.fromisoformat."""
        dialect = self.s.bind.dialect.name if self.s.bind else "sqlite"
        return type_coerce(column, String) if dialect == "sqlite" else column

    async def department_counts(self, start: datetime, end: datetime, now: datetime
                                ) -> dict[str, DepartmentCounts]:
        out: dict[str, DepartmentCounts] = {}

        def of(d: str) -> DepartmentCounts:
            return out.setdefault(d, DepartmentCounts(department=d))

        for row in (await self.s.exec(self._ticket_counts(start, end, now))).all():  # type: ignore[call-overload]
            c = of(row.department)
            c.categories[row.category] = c.categories.get(row.category, 0) + row.tickets
            for name in ("tickets", "sign_decided", "signed_on_time", "answer_decided",
                         "answered_on_time", "rated", "satisfied", "unsatisfied", "reopened",
                         "findings", "substantiated"):
                setattr(c, name, getattr(c, name) + int(getattr(row, name)))
        for dept, arrived, returned in await self._arrivals(start, end):
            c = of(dept)
            c.arrived, c.returned = c.arrived + arrived, c.returned + returned
        for dept, overdue in (await self.s.exec(self._overdue(now))).all():  # type: ignore[call-overload]
            of(dept).overdue_now = int(overdue)
        return out

    def _ticket_counts(self, start: datetime, end: datetime, now: datetime) -> Any:
        latest, chosen, category = _confirmed_category()
        subst = [v.value for v in SUBSTANTIATED]
        return (sa_select(
            col(T.department).label("department"), category.label("category"),
            func.count().label("tickets"),
            _n(or_(col(T.signed_at).is_not(None), col(T.sign_due) <= now)).label("sign_decided"),
            _n(col(T.signed_at) <= col(T.sign_due)).label("signed_on_time"),
            _n(or_(col(T.answered_at).is_not(None), col(T.answer_due) <= now)
               ).label("answer_decided"),
            _n(col(T.answered_at) <= col(T.answer_due)).label("answered_on_time"),
            _n(col(T.rating).in_(RATED)).label("rated"),
            _n(col(T.rating).in_(("satisfied", "basic"))).label("satisfied"),
            _n(col(T.rating) == "unsatisfied").label("unsatisfied"),
            _n(or_(col(T.reopened_at).is_not(None), col(T.double_check))).label("reopened"),
            _n(col(FindingRow.id).is_not(None)).label("findings"),
            _n(col(FindingRow.verdict).in_(subst)).label("substantiated"))
            .select_from(T)
            .outerjoin(latest, latest.c.ticket_id == col(T.id))
            .outerjoin(chosen, chosen.id == latest.c.cid)
            .outerjoin(FindingRow, col(FindingRow.ticket_id) == col(T.id))
            .where(_in_period(start, end))
            .group_by(col(T.department), category))

    async def _arrivals(self, start: datetime, end: datetime) -> list[tuple[str, int, int]]:
        e = TicketEventRow
        detail: Any = e.detail
        dept = case((col(e.kind) == "returned", detail["from"].as_string()),
                    else_=detail["department"].as_string())
        q = (sa_select(dept.label("department"),
                       _n(col(e.kind).in_(ARRIVALS)).label("arrived"),
                       _n(col(e.kind) == "returned").label("returned"))
             .where(col(e.at) >= start, col(e.at) < end,
                    col(e.kind).in_((*ARRIVALS, "returned")))
             .group_by(dept))
        rows = (await self.s.exec(q)).all()  # type: ignore[call-overload]
        return [(str(r.department), int(r.arrived), int(r.returned)) for r in rows
                if r.department]

    def _overdue(self, now: datetime) -> Any:
        waiting_sign = and_(col(T.state).in_((TicketState.ROUTED, TicketState.TRIAGE)),
                            col(T.sign_due) < now)
        waiting_answer = and_(col(T.state).in_((TicketState.SIGNED, TicketState.REOPENED)),
                              col(T.answer_due) < now)
        return (sa_select(col(T.department), func.count())
                .where(or_(waiting_sign, waiting_answer)).group_by(col(T.department)))

    async def answer_spans(self, start: datetime, end: datetime) -> list[AnswerSpan]:
        rows = await self.s.exec(  # type: ignore[call-overload]
            sa_select(col(T.department), self._time(col(T.created_at)),
                      self._time(col(T.answered_at)))
            .where(_in_period(start, end), col(T.answered_at).is_not(None)))
        return [AnswerSpan(d, _aware(a), _aware(b)) for d, a, b in rows.all()]  # type: ignore[arg-type]

    async def ledger(self, start: datetime, end: datetime, with_identity: bool
                     ) -> list[LedgerLine]:
        latest, chosen, category = _confirmed_category()
        tm = self._time
        q = (sa_select(col(T.id), col(T.number), tm(col(T.created_at)).label("created_at"),
                       category.label("category"), col(T.department), col(T.state),
                       col(T.anonymous), tm(col(T.sign_due)).label("sign_due"),
                       tm(col(T.signed_at)).label("signed_at"),
                       tm(col(T.answer_due)).label("answer_due"),
                       tm(col(T.answered_at)).label("answered_at"),
                       tm(col(T.closed_at)).label("closed_at"), col(T.rating),
                       col(StaffRow.display_name),
                       col(FindingRow.verdict), col(ComplainantRow.first_name),
                       col(ComplainantRow.last_name), col(ComplainantRow.phone))
             .select_from(T)
             .outerjoin(latest, latest.c.ticket_id == col(T.id))
             .outerjoin(chosen, chosen.id == latest.c.cid)
             .outerjoin(FindingRow, col(FindingRow.ticket_id) == col(T.id))
             .outerjoin(StaffRow, col(StaffRow.telegram_id) == col(T.signed_by))
             .outerjoin(ComplainantRow, col(ComplainantRow.id) == col(T.complainant_id))
             .where(_in_period(start, end)).order_by(col(T.created_at), col(T.number)))
        measures = await self._measures(start, end)
        lines = []
        for r in (await self.s.exec(q)).all():  # type: ignore[call-overload]
            shown = with_identity and not r.anonymous
            lines.append(LedgerLine(
                ticket_id=r.id, number=r.number, created_at=_aware(r.created_at),
                category=r.category, department=r.department, state=r.state,
                anonymous=bool(r.anonymous), sign_due=_aware(r.sign_due),
                signed_at=_aware(r.signed_at), answer_due=_aware(r.answer_due),
                answered_at=_aware(r.answered_at), closed_at=_aware(r.closed_at),
                accountable=r.display_name or "", rating=r.rating, verdict=r.verdict or "",
                measures=measures.get(r.id, []),
                complainant_name=" ".join(p for p in (r.first_name, r.last_name) if p)
                if shown else "",
                complainant_phone=(r.phone or "") if shown else ""))
        return lines

    async def _measures(self, start: datetime, end: datetime
                        ) -> dict[int, list[tuple[str, str, str]]]:
        q = (sa_select(col(FindingRow.ticket_id), col(OfficialRow.name), col(ConcernedRow.role),
                       col(ConcernedRow.measure))
             .join(ConcernedRow, col(ConcernedRow.finding_id) == col(FindingRow.id))
             .join(OfficialRow, col(OfficialRow.id) == col(ConcernedRow.official_id))
             .join(T, col(T.id) == col(FindingRow.ticket_id))
             .where(_in_period(start, end)).order_by(col(ConcernedRow.id)))
        out: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for ticket_id, name, role, measure in (await self.s.exec(q)).all():  # type: ignore[call-overload]
            out[ticket_id].append((name, role, measure))
        return out

    async def flagged_officials(self, year: int, threshold: int) -> list[FlaggedOfficial]:
        subst = [v.value for v in SUBSTANTIATED]
        q = (sa_select(col(ConcernedRow.official_id), col(T.number))
             .join(FindingRow, col(FindingRow.id) == col(ConcernedRow.finding_id))
             .join(T, col(T.id) == col(FindingRow.ticket_id))
             .where(col(ConcernedRow.year) == year, col(FindingRow.verdict).in_(subst))
             .distinct())
        tickets: dict[int, set[str]] = defaultdict(set)
        for official_id, number in (await self.s.exec(q)).all():  # type: ignore[call-overload]
            tickets[official_id].add(number)
        flagged = {k: v for k, v in tickets.items() if len(v) >= threshold}
        out = []
        for official_id, numbers in flagged.items():
            o = await self.s.get(OfficialRow, official_id)
            if o is not None:
                out.append(FlaggedOfficial(official_id, o.name, o.post, o.unit, year,
                                           len(numbers), sorted(numbers)))
        return sorted(out, key=lambda f: (-f.count, f.name))
