"""APScheduler 3 (AsyncIOScheduler) drives the deadline sweep and the cron digests.

No job store holds deadlines: they live in ticket rows and the scheduled_action table, so
any number of bot processes can run this scheduler side by side. The sweep claims actions
atomically and the digests are deduplicated by the outbox, so each notice goes out once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App
from bot.monitoring import metrics
from workflow.deadlines.sweep import SweepPolicy, SweepResult, sweep
from workflow.reports import digests

log = logging.getLogger("zhiyong.scheduler")


class DeadlineScheduler:
    def __init__(self, app: App, worker: str, on_queued: Callable[[], None] | None = None) -> None:
        self.app, self.worker = app, worker
        self.on_queued = on_queued or (lambda: None)
        cfg = app.settings.scheduler
        self.policy = SweepPolicy(batch=cfg.sweep_batch)
        self.scheduler = AsyncIOScheduler(timezone=app.settings.zone)
        self.last: SweepResult | None = None

    def start(self, paused: bool = False) -> None:
        cfg, zone = self.app.settings.scheduler, self.app.settings.zone
        self.scheduler.add_job(self.sweep_now, IntervalTrigger(seconds=cfg.sweep_seconds),
                               id="sweep", max_instances=1, coalesce=True,
                               next_run_time=datetime.now(zone))
        self.scheduler.add_job(self.morning, CronTrigger(
            hour=cfg.digest_time.hour, minute=cfg.digest_time.minute, timezone=zone),
            id="digest", max_instances=1, coalesce=True, misfire_grace_time=3600)
        self.scheduler.add_job(self.weekly, CronTrigger(
            day_of_week=cfg.weekly_day, hour=cfg.weekly_time.hour,
            minute=cfg.weekly_time.minute, timezone=zone),
            id="weekly", max_instances=1, coalesce=True, misfire_grace_time=3600)
        self.scheduler.add_job(self.quarterly, CronTrigger(
            month="1,4,7,10", day=1, hour=cfg.quarterly_time.hour,
            minute=cfg.quarterly_time.minute, timezone=zone),
            id="quarterly", max_instances=1, coalesce=True, misfire_grace_time=3600)
        self.scheduler.start(paused=paused)
        log.info("scheduler started: sweep every %ss, digest %s, weekly %s %s, quarterly %s",
                 cfg.sweep_seconds, cfg.digest_time, cfg.weekly_day, cfg.weekly_time,
                 cfg.quarterly_time)

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def sweep_now(self) -> SweepResult | None:
        """One sweep; errors are logged and the next run tries again (rows are the truth)."""
        started = time.perf_counter()
        try:
            self.last = await sweep(self.app.ctx, self.worker, self.policy)
        except Exception:
            metrics.sweep_done(time.perf_counter() - started, None)
            log.exception("deadline sweep failed")
            return None
        metrics.sweep_done(time.perf_counter() - started, self.last)
        if self.last.claimed:
            log.info("sweep: %s", self.last)
        if self.last.messages:
            self.on_queued()
        return self.last

    async def morning(self) -> None:
        try:
            if await digests.morning(self.app.ctx):
                self.on_queued()
        except Exception:
            log.exception("morning digest failed")

    async def weekly(self) -> None:
        """The week in numbers, then last week's chart and ledger."""
        try:
            if await digests.weekly(self.app.ctx):
                self.on_queued()
        except Exception:
            log.exception("weekly summary failed")
        await self._report("week")

    async def quarterly(self) -> None:
        """The quarterly summary: last quarter's chart and ledger, on the first day of a quarter."""
        await self._report("quarter")

    async def _report(self, kind: str) -> None:
        try:
            if await digests.period_report(self.app.ctx, kind):
                self.on_queued()
        except Exception:
            log.exception("%s report failed", kind)
