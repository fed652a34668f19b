"""Reporting periods: week | month | quarter (the current one) or YYYY-MM | YYYYQn.

Boundaries are local midnights in the city's zone (a month is the city's month, not UTC's),
returned as aware UTC instants; `end` is exclusive. "now" is injected, never read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflow.errors import BadPeriod

RELATIVE = ("week", "month", "quarter")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})[Qq](\d)")
MAX_INPUT = 20


@dataclass(frozen=True)
class Period:
    kind: str              # week | month | quarter
    first: date            # first local day
    tz: ZoneInfo

    @property
    def after(self) -> date:
        """The first local day after the period."""
        if self.kind == "week":
            return self.first + timedelta(days=7)
        months = 1 if self.kind == "month" else 3
        y, m = divmod(self.first.month - 1 + months, 12)
        return date(self.first.year + y, m + 1, 1)

    @property
    def start(self) -> datetime:
        return _midnight(self.first, self.tz)

    @property
    def end(self) -> datetime:
        return _midnight(self.after, self.tz)

    @property
    def label(self) -> str:
        if self.kind == "week":
            iso = self.first.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        if self.kind == "month":
            return f"{self.first.year}-{self.first.month:02d}"
        return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"

    def previous(self) -> Period:
        if self.kind == "week":
            return Period("week", self.first - timedelta(days=7), self.tz)
        months = 1 if self.kind == "month" else 3
        y, m = divmod(self.first.month - 1 - months, 12)
        return Period(self.kind, date(self.first.year + y, m + 1, 1), self.tz)


def _midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC)


def current(kind: str, now: datetime, tz: ZoneInfo) -> Period:
    """The week (Monday first), month or quarter that contains `now` in the city's zone."""
    today = now.astimezone(tz).date()
    if kind == "week":
        return Period("week", today - timedelta(days=today.weekday()), tz)
    if kind == "month":
        return Period("month", today.replace(day=1), tz)
    return Period("quarter", date(today.year, (today.month - 1) // 3 * 3 + 1, 1), tz)


def parse(text: str, now: datetime, tz: ZoneInfo, default: str = "month") -> Period:
    """`week|month|quarter|YYYY-MM|YYYYQn`; empty means `default`. Anything else is BadPeriod."""
    given = (text or "").strip()
    if len(given) > MAX_INPUT:
        raise BadPeriod(text=given[:MAX_INPUT] + "…")
    word = given.lower() or default
    if word in RELATIVE:
        return current(word, now, tz)
    if m := _MONTH.fullmatch(word):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12 and year >= 2000:
            return Period("month", date(year, month, 1), tz)
    elif m := _QUARTER.fullmatch(word):
        year, quarter = int(m[1]), int(m[2])
        if 1 <= quarter <= 4 and year >= 2000:
            return Period("quarter", date(year, (quarter - 1) * 3 + 1, 1), tz)
    raise BadPeriod(text=given)


def year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A calendar year in the city's zone, as [start, end) UTC instants."""
    return _midnight(date(year, 1, 1), tz), _midnight(date(year + 1, 1, 1), tz)
