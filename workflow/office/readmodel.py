"""What the read side (the OfficeViews port) hands back: aggregates, never whole tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class DepartmentCounts:
    """Raw counts of one department for one period; kpis.py turns them into rates.

    Ticket figures are over the tickets filed in the period that the department holds now;
    `arrived` / `returned` count arrivals at (and returns by) the department in the period.
    """

    department: str
    tickets: int = 0
    arrived: int = 0
    returned: int = 0
    sign_decided: int = 0            # signed, or the sign-for deadline has passed
    signed_on_time: int = 0
    answer_decided: int = 0          # answered, or the answer deadline has passed
    answered_on_time: int = 0
    rated: int = 0                   # 满意 + 基本满意 + 不满意 (未评价 is not a rating)
    satisfied: int = 0               # 满意 + 基本满意
    unsatisfied: int = 0
    reopened: int = 0
    findings: int = 0
    substantiated: int = 0           # 属实 + 部分属实
    overdue_now: int = 0             # open tickets past their current deadline, any period
    categories: dict[str, int] = field(default_factory=dict)   # confirmed category if any


@dataclass(frozen=True)
class AnswerSpan:
    department: str
    arrived_at: datetime
    answered_at: datetime


@dataclass
class LedgerLine:
    """One row of 问题台账."""

    ticket_id: int
    number: str
    created_at: datetime
    category: str                    # the confirmed category when there is one
    department: str
    state: str
    anonymous: bool
    sign_due: datetime | None = None
    signed_at: datetime | None = None
    answer_due: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    accountable: str = ""            # the display name of who signed for it
    rating: str = ""
    verdict: str = ""
    measures: list[tuple[str, str, str]] = field(default_factory=list)   # official, role, measure
    complainant_name: str = ""       # filled only on request, only for real-name tickets
    complainant_phone: str = ""


@dataclass
class FlaggedOfficial:
    """≥ 2 substantiated complaints in one calendar year: 年度考核不能评为称职."""

    official_id: int
    name: str
    post: str
    unit: str
    year: int
    count: int
    tickets: list[str] = field(default_factory=list)
