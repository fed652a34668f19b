"""What the two routes answer, for one bot process: built from the App, served by server.py
(standalone) or mounted on another aiohttp application (the webhook listener)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.app import App
from bot.monitoring import metrics
from bot.monitoring.health import HealthCheck, HealthReport
from storage.errors import first_line
from storage.ops_figures import OpsQuery

log = logging.getLogger("zhiyong.monitoring")
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Monitoring:
    def __init__(self, app: App, now: Callable[[], float] = time.time,
                 db_timeout: float = 3.0) -> None:
        self.query = OpsQuery(app.db.engine)
        cfg = app.settings.scheduler
        self.health = HealthCheck(self.query.ping, cfg.sweep_seconds if cfg.enabled else None,
                                  metrics.last_sweep_at, now=now, timeout=db_timeout)
        self.now, self.db_timeout = now, db_timeout
        self._down_logged = False

    async def healthz(self) -> HealthReport:
        return await self.health.run()

    async def metrics(self) -> bytes:
        """The exposition text; the database figures are read now, or reported down."""
        when = datetime.fromtimestamp(self.now(), UTC)
        try:
            figures = await asyncio.wait_for(self.query.figures(when), self.db_timeout)
        except Exception as exc:   # the scrape must answer: the database is reported down
            self._note_down(exc)
            figures = None
        else:
            self._down_logged = False
        metrics.record_figures(figures)
        return generate_latest(metrics.REGISTRY)

    def _note_down(self, exc: Exception) -> None:
        """Log the database being down once per outage, not once per scrape."""
        if not self._down_logged:
            log.warning("metrics: database did not answer: %s", first_line(exc) or type(exc))
            self._down_logged = True
