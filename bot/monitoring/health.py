"""GET /healthz: the process is up, the database answers, the last sweep ran recently.

"Recently" is within twice `[scheduler] sweep_seconds` (plus a start-up grace of the same
length, so a process that just started is not reported dead before its first sweep). A process
with the scheduler disabled has no sweep to check.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from storage.errors import first_line


@dataclass
class HealthReport:
    ok: bool
    checks: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "fail", **self.checks}


class HealthCheck:
    def __init__(self, ping: Callable[[], Awaitable[None]], sweep_seconds: float | None,
                 last_sweep: Callable[[], float | None], now: Callable[[], float] = time.time,
                 timeout: float = 3.0) -> None:
        self.ping, self.sweep_seconds, self.last_sweep = ping, sweep_seconds, last_sweep
        self.now, self.timeout = now, timeout
        self.started = now()

    async def database(self) -> str | None:
        """None when the database answered, else why not (one line)."""
        try:
            await asyncio.wait_for(self.ping(), self.timeout)
        except Exception as exc:   # any failure is the answer here, reported, not raised
            return first_line(exc) or type(exc).__name__
        return None

    def sweep(self) -> tuple[bool, float | None]:
        """(fresh enough, seconds since the last sweep)."""
        if self.sweep_seconds is None:
            return True, None
        last, now = self.last_sweep(), self.now()
        limit = 2 * self.sweep_seconds
        if last is None:
            return now - self.started <= limit, None
        return now - last <= limit, round(now - last, 3)

    async def run(self) -> HealthReport:
        error = await self.database()
        fresh, age = self.sweep()
        checks: dict[str, Any] = {"database": "up" if error is None else "down"}
        if error is not None:
            checks["database_error"] = error
        if self.sweep_seconds is not None:
            checks["sweep"] = "ok" if fresh else "late"
            checks["last_sweep_seconds_ago"] = age
        return HealthReport(ok=error is None and fresh, checks=checks)
