"""12345 deadline rules: sign-for, answer, escalation ladder, rating, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import DeadlineConfig
from workflow.deadlines.clock import FakeClock
from workflow.deadlines.policy import DeadlinePolicy, LadderStep, RatingSchedule
from workflow.deadlines.workdays import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
CONDUCT = ("cannot", "will_not", "dare_not", "misconduct")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def make(calendar: WorkCalendar | None = None, **changes: object) -> DeadlinePolicy:
    """The default policy (the [deadlines] defaults of the settings), with some values changed."""
    values = {**DeadlineConfig().model_dump(), **changes}
    return DeadlinePolicy(calendar=calendar or WorkCalendar(), **values)  # type: ignore[arg-type]


@pytest.fixture
def policy() -> DeadlinePolicy:
    return make()


# ---- sign-for and answer -----------------------------------------------------------------

def test_sign_for_is_one_working_day(policy: DeadlinePolicy) -> None:
    assert policy.sign_for_due(at(2026, 11, 16, 10), urgent=False) == at(2026, 11, 17, 17, 30)
    assert policy.sign_for_due(at(2026, 9, 30, 10), urgent=False) == at(2026, 10, 8, 17, 30)
    received = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)                 # Saturday noon local
    assert policy.sign_for_due(received, urgent=False) == at(2026, 11, 24, 17, 30)


def test_urgent_sign_for_is_two_natural_hours(policy: DeadlinePolicy) -> None:
    assert policy.sign_for_due(at(2026, 11, 16, 11), urgent=True) == at(2026, 11, 16, 13)
    assert policy.sign_for_due(at(2026, 11, 21, 3), urgent=True) == at(2026, 11, 21, 5)  # Sat
    assert policy.sign_for_due(at(2026, 9, 30, 23), urgent=True) == at(2026, 10, 1, 1)  # holiday


def test_answer_days_by_category(policy: DeadlinePolicy) -> None:
    signed = at(2026, 11, 16, 10)
    assert policy.answer_due(signed, "other", urgent=False) == at(2026, 11, 23, 17, 30)
    for category in CONDUCT:
        assert policy.answer_due(signed, category, urgent=False) == at(2026, 11, 30, 17, 30)
        assert policy.answer_due(signed, category, urgent=True) == at(2026, 11, 17, 10)
    with pytest.raises(ValueError):
        policy.answer_due(signed, "nonsense", urgent=False)


def test_answer_across_national_day_counts_the_make_up_saturday(policy: DeadlinePolicy) -> None:
    signed = policy.sign_for_due(at(2026, 9, 30, 10), urgent=False)
    assert policy.answer_due(signed, "other", urgent=False) == at(2026, 10, 14, 17, 30)
    assert policy.answer_due(signed, "will_not", urgent=False) == at(2026, 10, 21, 17, 30)


def test_second_handling_and_extension(policy: DeadlinePolicy) -> None:
    reopened = at(2026, 11, 16, 10)
    assert policy.second_handling_due(reopened, "other", urgent=False) == \
        policy.answer_due(reopened, "other", urgent=False)
    assert policy.extended_due(at(2026, 11, 23, 17, 30), "other", urgent=False) == \
        at(2026, 11, 30, 17, 30)
    assert policy.can_extend(0) and not policy.can_extend(1)


def test_policy_is_built_from_plain_values() -> None:
    policy = make(answer_days_other=3, quiet_start="23:00", quiet_end="07:30")
    assert policy.quiet_start == time(23) and policy.quiet_end == time(7, 30)
    assert policy.answer_due(at(2026, 11, 16, 10), "other", False) == at(2026, 11, 19, 17, 30)
    with pytest.raises(ValueError):
        make(sign_days=-1)


def test_local_holiday_moves_deadlines() -> None:
    policy = make(WorkCalendar(extra_holidays=[date(2026, 11, 17)]))
    assert policy.sign_for_due(at(2026, 11, 16, 10), urgent=False) == at(2026, 11, 18, 17, 30)


# ---- escalation ladder -------------------------------------------------------------------

def kinds(ladder: list[LadderStep]) -> list[str]:
    return [s.kind for s in ladder]


def assert_ordered(ladder: list[LadderStep]) -> None:
    times = [s.at for s in ladder]
    assert times == sorted(times) and len(set(times)) == len(times)


def test_ladder_across_national_day(policy: DeadlinePolicy) -> None:
    signed = at(2026, 10, 8, 17, 30)
    due = policy.answer_due(signed, "will_not", urgent=False)
    assert due == at(2026, 10, 21, 17, 30)
    ladder = policy.answer_ladder(signed, due, urgent=False)
    assert ladder == [
        LadderStep("remind_half", at(2026, 10, 14, 17, 30)),   # 35 of 70 working hours
        LadderStep("remind_last_day", at(2026, 10, 21, 9)),
        LadderStep("urge", at(2026, 10, 22, 9)),               # next working morning
        LadderStep("supervise", at(2026, 10, 29, 9)),          # 5 working days later
    ]
    assert_ordered(ladder)


def test_urgent_ladder_is_in_natural_hours(policy: DeadlinePolicy) -> None:
    signed = at(2026, 9, 30, 12)                    # the eve of the National Day holiday
    due = policy.answer_due(signed, "misconduct", urgent=True)
    assert due == at(2026, 10, 1, 12)
    ladder = policy.answer_ladder(signed, due, urgent=True)
    assert ladder == [
        LadderStep("remind_half", at(2026, 10, 1, 0)),         # 12 of 24 hours
        LadderStep("remind_last_day", at(2026, 10, 1, 11)),
        LadderStep("urge", due),
        LadderStep("supervise", at(2026, 10, 1, 17)),
    ]
    assert_ordered(ladder)


def test_reminders_that_collide_are_dropped() -> None:
    policy = make(answer_days_other=1)
    signed = at(2026, 11, 16, 17, 30)
    due = policy.answer_due(signed, "other", urgent=False)
    assert due == at(2026, 11, 17, 17, 30)
    ladder = policy.answer_ladder(signed, due, urgent=False)
    assert kinds(ladder) == ["remind_last_day", "urge", "supervise"]
    assert_ordered(ladder)
    late = policy.answer_ladder(at(2026, 11, 17, 17), due, urgent=False)
    assert kinds(late) == ["remind_half", "urge", "supervise"]
    assert_ordered(late)


@pytest.mark.parametrize("urgent", [False, True])
@pytest.mark.parametrize("category", ["other", *CONDUCT])
def test_ladder_is_always_ordered(policy: DeadlinePolicy, category: str, urgent: bool) -> None:
    for start in (at(2026, 9, 30, 10), at(2026, 2, 13, 16), at(2026, 12, 28, 11)):
        signed = policy.sign_for_due(start, urgent)
        due = policy.answer_due(signed, category, urgent)
        ladder = policy.answer_ladder(signed, due, urgent)
        assert kinds(ladder)[-2:] == ["urge", "supervise"]
        assert all(s.at.tzinfo == SH for s in ladder)
        assert_ordered(ladder)
        assert all(s.at < due for s in ladder[:-2]) and ladder[-2].at >= due


def test_a_fake_clock_walks_the_ladder_in_milliseconds(policy: DeadlinePolicy) -> None:
    signed = policy.sign_for_due(at(2026, 9, 28, 10), urgent=False)
    due = policy.answer_due(signed, "dare_not", urgent=False)
    pending = policy.answer_ladder(signed, due, urgent=False)
    clock, fired = FakeClock(signed), []
    while pending:
        clock.advance(minutes=15)
        while pending and pending[0].at <= clock.now():
            fired.append((pending.pop(0).kind, clock.now()))
    assert [k for k, _ in fired] == ["remind_half", "remind_last_day", "urge", "supervise"]
    assert fired[-1][1] - signed > timedelta(days=25)


# ---- rating ------------------------------------------------------------------------------

def test_rating_schedule_in_calendar_days(policy: DeadlinePolicy) -> None:
    answered = datetime(2026, 9, 30, 12, 0, tzinfo=UTC)                 # 20:00 local
    assert policy.rating_schedule(answered) == RatingSchedule(
        ask_at=at(2026, 10, 1, 9), remind_at=at(2026, 10, 3, 9), close_at=at(2026, 10, 8, 9))
    early = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)                    # 01:00 on Oct 1 local
    assert policy.rating_schedule(early).ask_at == at(2026, 10, 2, 9)


# ---- quiet hours -------------------------------------------------------------------------

def test_citizens_get_silent_messages_at_night(policy: DeadlinePolicy) -> None:
    assert not policy.silent_for_citizen(at(2026, 11, 16, 21, 59))
    assert policy.silent_for_citizen(at(2026, 11, 16, 22))
    assert policy.silent_for_citizen(at(2026, 11, 17, 3))
    assert not policy.silent_for_citizen(at(2026, 11, 17, 8))
    assert policy.silent_for_citizen(datetime(2026, 11, 16, 15, 0, tzinfo=UTC))  # 23:00 local


def test_quiet_hours_that_do_not_wrap_midnight() -> None:
    policy = make(quiet_start=time(0), quiet_end=time(7))
    assert not policy.silent_for_citizen(at(2026, 11, 16, 23))
    assert policy.silent_for_citizen(at(2026, 11, 16, 0, 30))


def test_groups_ring_only_in_working_time_unless_urgent(policy: DeadlinePolicy) -> None:
    assert not policy.silent_for_group(at(2026, 11, 16, 10), False)
    assert policy.silent_for_group(at(2026, 11, 16, 12, 15), False)     # lunch
    assert policy.silent_for_group(at(2026, 11, 21, 10), False)         # Saturday
    assert policy.silent_for_group(at(2026, 10, 2, 10), False)          # National Day
    night = datetime(2026, 10, 2, 15, 0, tzinfo=UTC)                    # 23:00 local, holiday
    assert policy.silent_for_group(night, False) and not policy.silent_for_group(night, True)
