"""The Prometheus metrics of one bot process, and the one-line calls that feed them.

Counters and histograms are fed where the events happen (the adapters' update handling, the
transport, the sweep); the database figures (outbox, tickets) are gauges refreshed from the
database at scrape time (`record_figures`), so every process reports the same truth.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

from storage.ops_figures import OpsFigures
from workflow.model import TicketState

disable_created_metrics()   # no *_created series: they double the output for nothing we use
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

UPDATES = Counter("zhiyong_updates", "Telegram updates handled, by kind (text, command, "
                  "button, photo, ...; ignored: nothing for us in it).", ["kind"],
                  registry=REGISTRY)
HANDLER_SECONDS = Histogram("zhiyong_handler_seconds", "Time to handle one update, replies "
                            "included.", buckets=(.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10),
                            registry=REGISTRY)
TELEGRAM_ERRORS = Counter("zhiyong_telegram_errors", "Errors answered by the Bot API, by code "
                          "(400, 403, 429, 5xx, network, timeout, ...).", ["code"],
                          registry=REGISTRY)
SWEEP_SECONDS = Histogram("zhiyong_sweep_seconds", "Duration of one deadline sweep.",
                          buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30),
                          registry=REGISTRY)
SWEEP_ACTIONS = Counter("zhiyong_sweep_actions", "Deadline actions the sweep took, by result "
                        "(acted, skipped, failed).", ["result"], registry=REGISTRY)
SWEEP_FAILURES = Counter("zhiyong_sweep_failures", "Sweeps that raised.", registry=REGISTRY)
LAST_SWEEP = Gauge("zhiyong_last_sweep_timestamp_seconds", "When the last sweep finished "
                   "(Unix time; 0: none yet in this process).", registry=REGISTRY)
DATABASE_UP = Gauge("zhiyong_database_up", "1 if the database answered this scrape.",
                    registry=REGISTRY)
OUTBOX_ROWS = Gauge("zhiyong_outbox_rows", "Outbox rows by status.", ["status"],
                    registry=REGISTRY)
OUTBOX_OLDEST = Gauge("zhiyong_outbox_oldest_pending_seconds", "How long the oldest pending "
                      "notification has been due (0: none waiting).", registry=REGISTRY)
TICKETS = Gauge("zhiyong_tickets", "Tickets by state.", ["state"], registry=REGISTRY)
OVERDUE = Gauge("zhiyong_tickets_overdue", "Open tickets past their sign-for or answer "
                "deadline.", registry=REGISTRY)

# The Bot API's answer as a code, by exception class name (both libraries), first match in
# the class's MRO: PTB's BadRequest is also a NetworkError, and must count as 400.
ERROR_CODES = {
    "RetryAfter": "429", "TelegramRetryAfter": "429",
    "Forbidden": "403", "TelegramForbiddenError": "403",
    "InvalidToken": "401", "TelegramUnauthorizedError": "401",
    "TelegramNotFound": "404", "Conflict": "409", "TelegramConflictError": "409",
    "TelegramEntityTooLarge": "413",
    "BadRequest": "400", "TelegramBadRequest": "400",
    "TelegramServerError": "5xx",
    "TimedOut": "timeout", "TimeoutError": "timeout",
    "NetworkError": "network", "TelegramNetworkError": "network",
}


OUTBOX_STATUSES = ("pending", "claimed", "sent", "failed", "cancelled")
for _code in sorted(set(ERROR_CODES.values())) + ["other"]:   # series exist from the start,
    TELEGRAM_ERRORS.labels(_code)                              # so rate() works at once
for _result in ("acted", "skipped", "failed"):
    SWEEP_ACTIONS.labels(_result)


def error_code(exc: BaseException) -> str:
    for cls in type(exc).__mro__:
        if cls.__name__ in ERROR_CODES:
            return ERROR_CODES[cls.__name__]
    return "other"


def telegram_error(exc: BaseException) -> None:
    TELEGRAM_ERRORS.labels(error_code(exc)).inc()


def update_started(kind: str) -> float:
    """Count one update of `kind`; the returned start goes to update_done once answered."""
    UPDATES.labels(kind).inc()
    return time.perf_counter()


def update_done(started: float) -> None:
    """The handler latency of an update, replies sent (a failed update is not timed)."""
    HANDLER_SECONDS.observe(time.perf_counter() - started)


def sweep_done(seconds: float, result: Any | None) -> None:
    """After each sweep: its duration, the actions by result, when it finished."""
    SWEEP_SECONDS.observe(seconds)
    if result is None:
        SWEEP_FAILURES.inc()
        return
    for name in ("acted", "skipped", "failed"):
        SWEEP_ACTIONS.labels(name).inc(getattr(result, name, 0))
    _sweeps["last"] = time.time()
    LAST_SWEEP.set(_sweeps["last"])


_sweeps: dict[str, float] = {}


def last_sweep_at() -> float | None:
    """Unix time the last successful sweep of this process finished, for /healthz."""
    return _sweeps.get("last")


def record_figures(figures: OpsFigures | None) -> None:
    """Set the database gauges; None (the database did not answer) clears them, so no stale
    number is reported as current."""
    for gauge in (OUTBOX_ROWS, TICKETS):
        gauge.clear()
    DATABASE_UP.set(0 if figures is None else 1)
    if figures is None:
        OUTBOX_OLDEST.set(float("nan"))
        OVERDUE.set(float("nan"))
        return
    for status in (*OUTBOX_STATUSES, *figures.outbox_by_status):
        OUTBOX_ROWS.labels(status).set(figures.outbox_by_status.get(status, 0))
    for state in (*(s.value for s in TicketState), *figures.tickets_by_state):
        TICKETS.labels(state).set(figures.tickets_by_state.get(state, 0))
    OUTBOX_OLDEST.set(figures.oldest_pending_seconds)
    OVERDUE.set(figures.overdue)
