"""Where "now" comes from: injected, so tests can run months of deadlines in milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def as_utc(dt: datetime) -> datetime:
    """Refuse naive datetimes: a wall time without a zone is ambiguous for deadlines."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: give a timezone-aware datetime")
    return dt.astimezone(UTC)


class SystemClock:
    """The real clock used in production."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, /, **kwargs: float) -> datetime:
        """Move forward by `delta` and/or timedelta keywords (days=2, hours=3); returns now."""
        step = (delta or timedelta()) + timedelta(**kwargs)
        if step < timedelta():
            raise ValueError("advance() only moves forward; use set() to go back")
        self._now += step
        return self._now

    def set(self, dt: datetime) -> datetime:
        """Jump to an absolute instant (any direction); returns now."""
        self._now = as_utc(dt)
        return self._now
