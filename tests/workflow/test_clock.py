"""The injected clock: always aware UTC, and a fake that moves only when told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflow.deadlines.clock import FakeClock, SystemClock, as_utc
from workflow.ports import Clock

SH = ZoneInfo("Asia/Shanghai")


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_fake_clock_converts_its_start_to_utc() -> None:
    clock = FakeClock(datetime(2026, 10, 8, 9, 0, tzinfo=SH))
    assert clock.now() == datetime(2026, 10, 8, 1, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_fake_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 10, 8, 9, 0))
    clock = FakeClock(datetime(2026, 10, 8, tzinfo=UTC))
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 10, 9))


def test_advance_by_timedelta_and_keywords() -> None:
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.advance(timedelta(hours=1)) == datetime(2026, 1, 1, 1, tzinfo=UTC)
    assert clock.advance(days=2, minutes=30) == datetime(2026, 1, 3, 1, 30, tzinfo=UTC)
    assert clock.advance(timedelta(hours=1), hours=1) == datetime(2026, 1, 3, 3, 30, tzinfo=UTC)
    assert clock.now() == datetime(2026, 1, 3, 3, 30, tzinfo=UTC)


def test_advance_never_goes_back_but_set_may() -> None:
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        clock.advance(hours=-1)
    assert clock.set(datetime(2025, 12, 31, 8, tzinfo=SH)) == datetime(2025, 12, 31, tzinfo=UTC)


def test_months_pass_in_no_time() -> None:
    clock: Clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert isinstance(clock, FakeClock)
    for _ in range(24 * 120):
        clock.advance(hours=1)
    assert clock.now() == datetime(2026, 5, 1, tzinfo=UTC)


def test_as_utc_keeps_the_instant() -> None:
    local = datetime(2026, 10, 8, 17, 30, tzinfo=SH)
    assert as_utc(local) == local
    assert as_utc(local).tzinfo is UTC
