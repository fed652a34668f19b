"""The working calendar: 2026 statutory holidays and 调休, local overrides, office hours."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflow.deadlines.workdays import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# ---- which days work ---------------------------------------------------------------------

def test_national_day_2026_and_its_make_up_days(cal: WorkCalendar) -> None:
    assert [cal.is_workday(date(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert cal.is_workday(date(2026, 9, 30)) and cal.is_workday(date(2026, 10, 8))
    assert cal.is_workday(date(2026, 9, 20))       # Sunday, 调休
    assert cal.is_workday(date(2026, 10, 10))      # Saturday, 调休
    assert not cal.is_workday(date(2026, 10, 11))  # ordinary Sunday


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2026, 2, 14))       # Saturday, 调休
    assert not any(cal.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert cal.is_workday(date(2026, 2, 24))
    assert cal.is_workday(date(2026, 2, 28))       # Saturday, 调休


def test_local_rules_override_the_statutory_calendar() -> None:
    cal = WorkCalendar(extra_holidays=[date(2026, 12, 24)], extra_workdays=[date(2026, 10, 3)])
    assert not cal.is_workday(date(2026, 12, 24))
    assert cal.is_workday(date(2026, 10, 3))
    assert cal.add_workdays(at(2026, 12, 23, 10), 1) == at(2026, 12, 25, 17, 30)
    assert cal.add_workdays(at(2026, 9, 30, 10), 1) == at(2026, 10, 3, 17, 30)


def test_a_date_cannot_be_both_holiday_and_workday() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(extra_holidays=[date(2026, 5, 1)], extra_workdays=[date(2026, 5, 1)])


def test_unknown_year_falls_back_to_weekdays_and_warns_once(
        caplog: pytest.LogCaptureFixture) -> None:
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="zhiyong.workdays"):
        assert cal.is_workday(date(2027, 1, 4))            # Monday
        assert not cal.is_workday(date(2027, 1, 2))        # Saturday
        assert cal.add_workdays(at(2027, 3, 5, 10), 1) == at(2027, 3, 8, 17, 30)
        assert cal.is_workday(date(2027, 1, 1))            # not known as New Year without data
    warnings = [r for r in caplog.records if r.name == "zhiyong.workdays"]
    assert len(warnings) == 1 and "2027" in warnings[0].getMessage()
    with caplog.at_level(logging.WARNING, logger="zhiyong.workdays"):
        cal.is_workday(date(2028, 1, 3))
    assert len([r for r in caplog.records if r.name == "zhiyong.workdays"]) == 2


def test_year_end_crosses_into_the_fallback_year_with_local_rules() -> None:
    cal = WorkCalendar(extra_holidays=[date(2027, 1, 1)])
    assert cal.add_workdays(at(2026, 12, 31, 10), 1) == at(2027, 1, 4, 17, 30)
    assert WorkCalendar().add_workdays(at(2026, 12, 31, 10), 1) == at(2027, 1, 1, 17, 30)


# ---- working days ------------------------------------------------------------------------

def test_add_workdays_ends_at_close_of_the_nth_working_day(cal: WorkCalendar) -> None:
    assert cal.add_workdays(at(2026, 11, 16, 10), 1) == at(2026, 11, 17, 17, 30)
    assert cal.add_workdays(at(2026, 11, 20, 10), 1) == at(2026, 11, 23, 17, 30)  # Fri -> Mon
    assert cal.add_workdays(at(2026, 11, 16, 10), 0) == at(2026, 11, 16, 17, 30)
    with pytest.raises(ValueError):
        cal.add_workdays(at(2026, 11, 16, 10), -1)


def test_add_workdays_across_national_day(cal: WorkCalendar) -> None:
    assert cal.add_workdays(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 17, 30)
    assert cal.add_workdays(at(2026, 9, 30, 10), 3) == at(2026, 10, 10, 17, 30)  # 调休 Saturday
    assert cal.add_workdays(at(2026, 9, 30, 10), 4) == at(2026, 10, 12, 17, 30)


def test_received_on_holiday_or_after_close_counts_from_next_working_day(
        cal: WorkCalendar) -> None:
    assert cal.add_workdays(at(2026, 10, 3, 10), 1) == at(2026, 10, 9, 17, 30)
    assert cal.add_workdays(at(2026, 9, 30, 18), 1) == at(2026, 10, 9, 17, 30)
    assert cal.add_workdays(at(2026, 9, 30, 17, 30), 1) == at(2026, 10, 8, 17, 30)  # at close
    assert cal.add_workdays(at(2026, 9, 30, 6), 1) == at(2026, 10, 8, 17, 30)  # before opening
    assert cal.receipt_day(at(2026, 11, 21, 12)) == date(2026, 11, 23)  # Saturday -> Monday


def test_add_workdays_across_spring_festival(cal: WorkCalendar) -> None:
    assert cal.add_workdays(at(2026, 2, 13, 15), 1) == at(2026, 2, 14, 17, 30)
    assert cal.add_workdays(at(2026, 2, 13, 15), 2) == at(2026, 2, 24, 17, 30)
    # received mid-holiday: counts from Tue 24 Feb; the 4th working day is 调休 Saturday 28th
    assert cal.add_workdays(at(2026, 2, 17, 15), 4) == at(2026, 2, 28, 17, 30)
    assert cal.add_workdays(at(2026, 2, 17, 15), 5) == at(2026, 3, 2, 17, 30)


def test_workdays_between(cal: WorkCalendar) -> None:
    start = at(2026, 9, 30, 10)
    assert cal.workdays_between(start, at(2026, 10, 9, 8)) == 2
    assert cal.workdays_between(at(2026, 10, 9, 8), start) == -2
    assert cal.workdays_between(start, at(2026, 9, 30, 23)) == 0
    for n in range(12):
        assert cal.workdays_between(start, cal.add_workdays(start, n)) == n


# ---- working hours -----------------------------------------------------------------------

def test_working_time_is_half_open(cal: WorkCalendar) -> None:
    assert cal.is_working_time(at(2026, 11, 16, 9))
    assert cal.is_working_time(at(2026, 11, 16, 11, 59))
    assert not cal.is_working_time(at(2026, 11, 16, 12))
    assert cal.is_working_time(at(2026, 11, 16, 13, 30))
    assert not cal.is_working_time(at(2026, 11, 16, 17, 30))
    assert not cal.is_working_time(at(2026, 10, 5, 10))       # National Day
    assert cal.is_working_time(at(2026, 10, 10, 10))          # 调休 Saturday


def test_add_work_hours_skips_lunch(cal: WorkCalendar) -> None:
    assert cal.add_work_hours(at(2026, 11, 16, 11), 2) == at(2026, 11, 16, 14, 30)
    assert cal.add_work_hours(at(2026, 11, 16, 12, 15), 1) == at(2026, 11, 16, 14, 30)
    assert cal.add_work_hours(at(2026, 11, 16, 11, 30), 0.5) == at(2026, 11, 16, 12)
    assert cal.add_work_hours(at(2026, 11, 16, 7), 1.25) == at(2026, 11, 16, 10, 15)


def test_add_work_hours_across_weekend_and_holidays(cal: WorkCalendar) -> None:
    assert cal.add_work_hours(at(2026, 11, 20, 16, 30), 2) == at(2026, 11, 23, 10)
    assert cal.add_work_hours(at(2026, 11, 20, 16, 30), 1) == at(2026, 11, 20, 17, 30)
    assert cal.add_work_hours(at(2026, 9, 30, 16, 30), 2) == at(2026, 10, 8, 10)
    assert cal.add_work_hours(at(2026, 10, 9, 16, 30), 2) == at(2026, 10, 10, 10)  # 调休 Sat
    assert cal.add_work_hours(at(2026, 9, 18, 17), 1) == at(2026, 9, 20, 9, 30)   # 调休 Sun


def test_add_work_hours_backwards(cal: WorkCalendar) -> None:
    assert cal.add_work_hours(at(2026, 10, 8, 10), -2) == at(2026, 9, 30, 16, 30)
    assert cal.add_work_hours(at(2026, 11, 17, 17, 30), -7) == at(2026, 11, 17, 9)
    assert cal.add_work_hours(at(2026, 11, 17, 14), -1) == at(2026, 11, 17, 11, 30)


def test_working_time_between(cal: WorkCalendar) -> None:
    assert cal.working_time_between(at(2026, 9, 30, 16, 30), at(2026, 10, 8, 10)) == \
        timedelta(hours=2)
    assert cal.working_time_between(at(2026, 11, 16), at(2026, 11, 17)) == timedelta(hours=7)
    assert cal.working_time_between(at(2026, 11, 17), at(2026, 11, 16)) == timedelta(hours=-7)
    assert cal.day_length == timedelta(hours=7)


def test_next_work_morning(cal: WorkCalendar) -> None:
    assert cal.next_work_morning(at(2026, 9, 30, 18)) == at(2026, 10, 8, 9)
    assert cal.next_work_morning(at(2026, 10, 8, 7)) == at(2026, 10, 8, 9)   # before opening
    assert cal.next_work_morning(at(2026, 10, 8, 9)) == at(2026, 10, 9, 9)
    assert cal.next_work_morning(at(2026, 10, 9, 17, 30)) == at(2026, 10, 10, 9)
    assert cal.next_work_morning(at(2026, 10, 4, 7)) == at(2026, 10, 8, 9)


def test_next_working_time(cal: WorkCalendar) -> None:
    assert cal.next_working_time(at(2026, 11, 16, 10)) == at(2026, 11, 16, 10)
    assert cal.next_working_time(at(2026, 11, 16, 12)) == at(2026, 11, 16, 13, 30)
    assert cal.next_working_time(at(2026, 11, 20, 17, 30)) == at(2026, 11, 23, 9)


def test_custom_working_hours() -> None:
    cal = WorkCalendar(working_hours=[(time(8, 30), time(12)), (time(14), time(18))])
    assert cal.add_workdays(at(2026, 11, 16, 10), 1) == at(2026, 11, 17, 18)
    assert cal.add_work_hours(at(2026, 11, 16, 11), 2) == at(2026, 11, 16, 15)
    for bad in ([], [(time(12), time(9))], [(time(9), time(13)), (time(12), time(17))]):
        with pytest.raises(ValueError):
            WorkCalendar(working_hours=bad)


# ---- time zones --------------------------------------------------------------------------

def test_utc_input_gives_shanghai_results(cal: WorkCalendar) -> None:
    received = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)               # 10:00 in Shanghai
    due = cal.add_workdays(received, 1)
    assert due == at(2026, 10, 8, 17, 30)
    assert due.tzinfo == SH and due.utcoffset() == timedelta(hours=8)
    late = datetime(2026, 9, 30, 10, 0, tzinfo=UTC)                  # 18:00 in Shanghai
    assert cal.add_workdays(late, 1) == at(2026, 10, 9, 17, 30)
    friday = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)               # Fri 16:30 in Shanghai
    monday = cal.add_work_hours(friday, 2)
    assert monday == at(2026, 11, 23, 10) and monday.tzinfo == SH
    ny = datetime(2026, 11, 20, 3, 30, tzinfo=ZoneInfo("America/New_York"))  # same instant
    assert cal.add_work_hours(ny, 2) == monday
    assert cal.is_working_time(datetime(2026, 11, 16, 1, 0, tzinfo=UTC))     # 09:00 local
    assert not cal.is_working_time(datetime(2026, 11, 16, 0, 59, tzinfo=UTC))


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_workdays(datetime(2026, 11, 16, 10), 1)
    with pytest.raises(ValueError):
        cal.is_working_time(datetime(2026, 11, 16, 10))


def test_other_zones_are_honoured() -> None:
    cal = WorkCalendar(tz="Asia/Urumqi")
    assert cal.add_workdays(datetime(2026, 11, 16, 2, tzinfo=UTC), 1) == \
        datetime(2026, 11, 17, 17, 30, tzinfo=ZoneInfo("Asia/Urumqi"))
