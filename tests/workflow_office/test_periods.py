"""Periods relative to an injected clock, in the city's zone; bad input is a BadPeriod."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.workflow_office.conftest import SHANGHAI
from workflow.errors import BadPeriod
from workflow.office.periods import parse

NOW = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)   # Tuesday 1 December 01:30 in Shanghai


def test_relative_periods_use_the_city_zone_not_utc() -> None:
    month = parse("month", NOW, SHANGHAI)
    assert month.label == "2026-12"
    assert month.start == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert parse("quarter", NOW, SHANGHAI).label == "2026Q4"
    week = parse("week", NOW, SHANGHAI)
    assert week.label == "2026-W49" and week.first.isoformat() == "2026-11-30"
    assert parse("", NOW, SHANGHAI).label == "2026-12"


def test_explicit_periods_and_their_predecessors() -> None:
    q = parse("2026Q4", NOW, SHANGHAI)
    assert (q.first.isoformat(), q.after.isoformat()) == ("2026-10-01", "2027-01-01")
    assert q.previous().label == "2026Q3"
    assert parse("2026q1", NOW, SHANGHAI).previous().label == "2025Q4"
    m = parse("2026-1", NOW, SHANGHAI)
    assert m.label == "2026-01" and m.previous().label == "2025-12"
    assert parse("week", NOW, SHANGHAI).previous().label == "2026-W48"


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026-13", "2026-00", "month=13",
                                  "yesterday", "2026", "Q4", "1999-01", "9" * 500])
def test_bad_periods_are_refused_with_their_key(text: str) -> None:
    with pytest.raises(BadPeriod) as err:
        parse(text, NOW, SHANGHAI)
    assert err.value.key == "error.bad_period"
