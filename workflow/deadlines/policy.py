"""Deadline rules from 12345 hotline practice: sign-for, answer, escalation, rating, quiet hours.

Every number is a plain field so config.toml `[deadlines]` can feed it. Day counts are
working days on the WorkCalendar (deadline = close of working hours of the n-th working
day after the receipt day); rating times are calendar days. Urgent tickets run on the
clock, not on working time: their `*_hours_urgent` are natural hours, so a danger reported
on Saturday at 03:00 must be signed for by 05:00, not on Monday.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Literal

from workflow.deadlines.workdays import WorkCalendar
from workflow.taxonomy import CONDUCT_CATEGORIES, OTHER_CATEGORY

LadderKind = Literal["remind_half", "remind_last_day", "urge", "supervise"]


@dataclass(frozen=True)
class LadderStep:
    """One escalation step for an unanswered ticket: what happens, and when."""

    kind: LadderKind
    at: datetime


@dataclass(frozen=True)
class RatingSchedule:
    """When the complainant is asked to rate, reminded, and the rating closed as 未评价."""

    ask_at: datetime
    remind_at: datetime
    close_at: datetime


def _as_time(value: time | str) -> time:
    """Config may give "22:00"; the policy works with time objects."""
    return value if isinstance(value, time) else time.fromisoformat(value)


@dataclass(frozen=True)
class DeadlinePolicy:
    """All deadline arithmetic of a ticket's life, on one WorkCalendar.

    Built from the validated settings ([deadlines] in config.toml; defaults in bot/config.py).
    """

    calendar: WorkCalendar
    sign_days: int                      # sign-for: working days
    sign_hours_urgent: float            # urgent sign-for: natural hours
    answer_days_other: int              # answer after sign-for, category `other`
    answer_days_conduct: int           # cannot / will_not / dare_not / misconduct
    answer_hours_urgent: float          # urgent answer after sign-for: natural hours
    remind_last_days: int               # last reminder: working days before the due time
    remind_last_hours_urgent: float     # urgent: natural hours before the due time
    supervise_after_days: int           # 督办 this many working days after 催办
    supervise_after_hours_urgent: float
    rating_ask_after_days: int          # calendar days after the answer, at rating_ask_time
    rating_remind_after_days: int       # calendar days after the ask
    rating_close_after_days: int        # calendar days after the ask -> 未评价
    rating_ask_time: time
    max_extensions: int
    quiet_start: time         # complainants' messages are silent from quiet_start ...
    quiet_end: time            # ... until quiet_end (local time)
    urgent_duty_roles: tuple[str, ...] = ("head", "duty")   # woken by an urgent chase at night

    def __post_init__(self) -> None:
        for name in ("rating_ask_time", "quiet_start", "quiet_end"):
            object.__setattr__(self, name, _as_time(getattr(self, name)))
        object.__setattr__(self, "urgent_duty_roles", tuple(self.urgent_duty_roles))
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"{f.name} must not be negative, got {value}")

    # ---- sign-for and answer ------------------------------------------------------------

    def sign_for_due(self, received_at: datetime, urgent: bool) -> datetime:
        """The department must sign for (签收) the ticket by this time."""
        if urgent:
            return self.calendar.local(received_at) + timedelta(hours=self.sign_hours_urgent)
        return self.calendar.add_workdays(received_at, self.sign_days)

    def answer_days(self, category: str) -> int:
        """Working days to answer a non-urgent ticket; unknown category ids are a contract error."""
        if category == OTHER_CATEGORY:
            return self.answer_days_other
        if category in CONDUCT_CATEGORIES:
            return self.answer_days_conduct
        raise ValueError(f"unknown category {category!r}")

    def answer_due(self, signed_at: datetime, category: str, urgent: bool) -> datetime:
        """The answer clock starts at sign-for (urgent: natural hours)."""
        if urgent:
            self.answer_days(category)       # an unknown category is refused all the same
            return self.calendar.local(signed_at) + timedelta(hours=self.answer_hours_urgent)
        return self.calendar.add_workdays(signed_at, self.answer_days(category))

    def second_handling_due(self, reopened_at: datetime, category: str, urgent: bool) -> datetime:
        """After 不满意 the department gets a fresh answer deadline under the same rule."""
        return self.answer_due(reopened_at, category, urgent)

    def can_extend(self, extensions_used: int) -> bool:
        return extensions_used < self.max_extensions

    def extended_due(self, current_due: datetime, category: str, urgent: bool) -> datetime:
        """An approved extension (延期) adds one more answer period to the current due time."""
        return self.answer_due(current_due, category, urgent)

    # ---- escalation ---------------------------------------------------------------------

    def answer_ladder(self, signed_at: datetime, due: datetime, urgent: bool) -> list[LadderStep]:
        """Reminders, 催办 and 督办 for an answer deadline, in time order.

        remind_half: half of the working time between sign-for and due.
        remind_last_day: one working day before due (09:00 of the last day for a 17:30
        deadline); urgent: remind_last_hours_urgent hours before.
        urge (催办): the next working morning after due; urgent: at due.
        supervise (督办): the working morning supervise_after_days working days after the
        催办 morning; urgent: supervise_after_hours_urgent hours after due.
        Urgent tickets count natural time throughout (half of the time, hours before/after).
        Reminders that would not fall strictly between sign-for and due are dropped, and
        remind_half is dropped when it is not before remind_last_day.
        """
        cal = self.calendar
        if urgent:
            half = cal.local(signed_at + (due - signed_at) / 2)
            last = cal.local(due) - timedelta(hours=self.remind_last_hours_urgent)
            urge = cal.local(due)
            supervise = urge + timedelta(hours=self.supervise_after_hours_urgent)
        else:
            half = cal.add_work_time(signed_at, cal.working_time_between(signed_at, due) / 2)
            last = cal.add_work_time(due, -self.remind_last_days * cal.day_length)
            urge = cal.next_work_morning(due)
            supervise = cal.next_work_morning(cal.add_workdays(due, self.supervise_after_days))
        candidates: tuple[tuple[LadderKind, datetime], ...] = (
            ("remind_half", half), ("remind_last_day", last))
        reminders = [LadderStep(kind, at) for kind, at in candidates if signed_at < at < due]
        if len(reminders) == 2 and reminders[0].at >= reminders[1].at:
            reminders = reminders[1:]
        return [*reminders, LadderStep("urge", urge), LadderStep("supervise", supervise)]

    # ---- rating -------------------------------------------------------------------------

    def rating_schedule(self, answered_at: datetime) -> RatingSchedule:
        """Ask at rating_ask_time on the day after the answer; remind and close in calendar days."""
        day = self.calendar.local(answered_at).date() + timedelta(days=self.rating_ask_after_days)
        return RatingSchedule(
            ask_at=self._at(day, self.rating_ask_time),
            remind_at=self._at(day + timedelta(days=self.rating_remind_after_days),
                               self.rating_ask_time),
            close_at=self._at(day + timedelta(days=self.rating_close_after_days),
                              self.rating_ask_time),
        )

    def _at(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=self.calendar.tz)

    # ---- quiet hours --------------------------------------------------------------------

    def in_quiet_hours(self, dt: datetime) -> bool:
        """Quiet hours may wrap midnight (22:00-08:00) or not (e.g. 00:00-07:00)."""
        t = self.calendar.local(dt).time()
        start, end = self.quiet_start, self.quiet_end
        if start <= end:
            return start <= t < end
        return t >= start or t < end

    def wakes_duty(self, dt: datetime, urgent: bool) -> bool:
        """An urgent chase outside working time must reach a person, not a sleeping group."""
        return urgent and not self.calendar.is_working_time(dt)

    def silent_for_citizen(self, dt: datetime) -> bool:
        """A person's message in quiet hours goes at once, without a sound (never held)."""
        return self.in_quiet_hours(dt)

    def silent_for_group(self, dt: datetime, urgent: bool) -> bool:
        """Outside working time a group's message is silent; an urgent ticket's always rings."""
        return not urgent and not self.calendar.is_working_time(dt)
