"""China's working calendar: statutory holidays, make-up workdays (调休), office hours.

Deadlines in 12345 practice are counted in working days and working hours, not calendar
time. The statutory calendar comes from the `chinese_calendar` package; a city's local
rules (config.toml `[calendar]`) override it. For a year the package does not know yet we
fall back to Monday-Friday plus the local rules and warn once per year, never crash.

Conventions (all inputs must be timezone-aware; results are aware in the calendar's zone):
- working periods are half-open: 09:00 is working time, 12:00 and 17:30 are not;
- a complaint received on a non-working day, or after the close of a working day, counts
  as received on the next working day (its *receipt day*);
- a day-based deadline is the close of working hours (17:30) of the n-th working day
  after the receipt day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from workflow.deadlines.clock import as_utc

log = logging.getLogger("zhiyong.workdays")

DEFAULT_HOURS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)),
                                                (time(13, 30), time(17, 30)))
_ONE_DAY = timedelta(days=1)
_MAX_SCAN_DAYS = 3660  # no real calendar has ten years without a working day

Period = tuple[datetime, datetime]


def _check_hours(hours: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """Working periods must be non-empty, ordered and non-overlapping within one day."""
    periods = tuple((o, c) for o, c in hours)
    if not periods:
        raise ValueError("working_hours needs at least one (open, close) period")
    previous_close = time.min
    for i, (o, c) in enumerate(periods):
        if not o < c or (i and o < previous_close):
            raise ValueError(f"working_hours must be ordered, non-overlapping: {list(hours)}")
        previous_close = c
    return periods


class WorkCalendar:
    """Which days and hours count for deadlines, in one city's time zone."""

    def __init__(self, tz: str | ZoneInfo = "Asia/Shanghai",
                 extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = (),
                 working_hours: Sequence[tuple[time, time]] = DEFAULT_HOURS) -> None:
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        clash = self.extra_holidays & self.extra_workdays
        if clash:
            raise ValueError(f"dates both extra holiday and extra workday: {sorted(clash)}")
        self.working_hours = _check_hours(working_hours)
        self._warned_years: set[int] = set()
        self._known: dict[date, bool] = {}

    # ---- days ---------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """Local rules first, then the statutory calendar (or Mon-Fri for unknown years).
        Remembered per day: every ticket's deadlines ask about the same few weeks, and the
        package checks its input on each call."""
        known = self._known.get(d)
        if known is None:
            known = self._known[d] = self._lookup(d)
        return known

    def _lookup(self, d: date) -> bool:
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        if d.year in self._warned_years:
            return d.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            self._warn_unknown_year(d.year)
            return d.weekday() < 5

    def _warn_unknown_year(self, year: int) -> None:
        if year not in self._warned_years:
            self._warned_years.add(year)
            log.warning("chinese_calendar has no data for %d: counting Monday-Friday plus the "
                        "[calendar] extra days; upgrade chinese-calendar or list the year's "
                        "holidays and make-up workdays in config.toml", year)

    def next_workday(self, d: date) -> date:
        """The first working day strictly after `d`."""
        for _ in range(_MAX_SCAN_DAYS):
            d += _ONE_DAY
            if self.is_workday(d):
                return d
        raise RuntimeError(f"no working day within {_MAX_SCAN_DAYS} days after {d}")

    def workdays_between(self, a: datetime, b: datetime) -> int:
        """Working days after a's local date up to and including b's (negative if b < a).

        So `workdays_between(t, add_workdays(t, n)) == n` for t inside a working day.
        """
        da, db = self.local(a).date(), self.local(b).date()
        if db < da:
            return -self.workdays_between(b, a)
        return sum(1 for i in range(1, (db - da).days + 1) if self.is_workday(da + i * _ONE_DAY))

    # ---- hours --------------------------------------------------------------------------

    def local(self, dt: datetime) -> datetime:
        """`dt` in the calendar's zone (refuses naive datetimes)."""
        return as_utc(dt).astimezone(self.tz)

    @property
    def day_length(self) -> timedelta:
        """Working time in one full working day (7 h with the default hours)."""
        return sum((datetime.combine(date.min, c) - datetime.combine(date.min, o)
                    for o, c in self.working_hours), timedelta())

    def opening(self, d: date) -> datetime:
        """Start of working hours on `d` (whether or not `d` is a working day)."""
        return datetime.combine(d, self.working_hours[0][0], tzinfo=self.tz)

    def closing(self, d: date) -> datetime:
        """Close of working hours on `d` (whether or not `d` is a working day)."""
        return datetime.combine(d, self.working_hours[-1][1], tzinfo=self.tz)

    def _periods(self, d: date) -> list[Period]:
        """The day's working periods in UTC, so arithmetic is right even across DST."""
        if not self.is_workday(d):
            return []
        return [(datetime.combine(d, o, tzinfo=self.tz).astimezone(UTC),
                 datetime.combine(d, c, tzinfo=self.tz).astimezone(UTC))
                for o, c in self.working_hours]

    def is_working_time(self, dt: datetime) -> bool:
        """Inside a working period of a working day (periods are half-open)."""
        t = as_utc(dt)
        return any(o <= t < c for o, c in self._periods(self.local(dt).date()))

    def next_working_time(self, dt: datetime) -> datetime:
        """`dt` itself when it is working time, else the next opening of a working period."""
        return self.add_work_time(dt, timedelta())

    def next_work_morning(self, after: datetime) -> datetime:
        """Opening of the next working day after `after`'s local date.

        Exception: on a working day before opening, that same day's opening (a reminder
        due at 07:00 goes out at 09:00 today, not tomorrow).
        """
        local = self.local(after)
        d = local.date()
        if self.is_workday(d) and local < self.opening(d):
            return self.opening(d)
        return self.opening(self.next_workday(d))

    # ---- deadlines ----------------------------------------------------------------------

    def receipt_day(self, received_at: datetime) -> date:
        """The working day a complaint counts as received (next one if after close/holiday)."""
        local = self.local(received_at)
        d = local.date()
        if self.is_workday(d) and local <= self.closing(d):
            return d
        return self.next_workday(d)

    def add_workdays(self, start: datetime, n: int) -> datetime:
        """Close of working hours of the n-th working day after start's receipt day.

        n=0 is the close of the receipt day itself. Monday 10:00 + 1 -> Tuesday 17:30;
        Saturday + 1 -> Tuesday 17:30 (received Saturday counts from Monday).
        """
        if n < 0:
            raise ValueError("add_workdays counts forward only")
        d = self.receipt_day(start)
        for _ in range(n):
            d = self.next_workday(d)
        return self.closing(d)

    def add_work_hours(self, start: datetime, hours: float) -> datetime:
        """The instant when `hours` of working time have passed since `start`.

        Only working periods on working days count: Friday 16:30 + 2 h -> Monday 10:00.
        Negative hours count backwards. A result exactly on a period boundary stays there
        (16:30 + 1 h -> 17:30, not the next morning); 0 h gives `next_working_time(start)`.
        """
        return self.add_work_time(start, timedelta(hours=hours))

    def add_work_time(self, start: datetime, delta: timedelta) -> datetime:
        """`add_work_hours` with a timedelta."""
        t = as_utc(start)
        end = self._forward(t, delta) if delta >= timedelta() else self._backward(t, -delta)
        return end.astimezone(self.tz)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time inside [a, b] (negative if b < a)."""
        ta, tb = as_utc(a), as_utc(b)
        if tb < ta:
            return -self.working_time_between(b, a)
        total = timedelta()
        for o, c in self._periods_from(ta, self.local(b).date()):
            total += max(timedelta(), min(c, tb) - max(o, ta))
        return total

    def _days(self, start: date, step: timedelta) -> Iterator[date]:
        d = start
        for _ in range(_MAX_SCAN_DAYS):
            yield d
            d += step
        raise RuntimeError(f"no working time within {_MAX_SCAN_DAYS} days of {start}")

    def _periods_from(self, t: datetime, last: date) -> Iterator[Period]:
        for d in self._days(self.local(t).date(), _ONE_DAY):
            if d > last:
                return
            yield from self._periods(d)

    def _forward(self, t: datetime, remaining: timedelta) -> datetime:
        for d in self._days(self.local(t).date(), _ONE_DAY):
            for o, c in self._periods(d):
                if c <= t:
                    continue
                begin = max(o, t)
                if remaining <= c - begin:
                    return begin + remaining
                remaining -= c - begin
        raise AssertionError("unreachable")

    def _backward(self, t: datetime, remaining: timedelta) -> datetime:
        for d in self._days(self.local(t).date(), -_ONE_DAY):
            for o, c in reversed(self._periods(d)):
                if o >= t:
                    continue
                finish = min(c, t)
                if remaining <= finish - o:
                    return finish - remaining
                remaining -= finish - o
        raise AssertionError("unreachable")
