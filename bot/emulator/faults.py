"""Fault injection: make chosen bot methods fail, be rate limited, or hang, for retry tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.emulator.errors import ApiError

Status = int | Literal["timeout"]

_DESCRIPTIONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                 409: "Conflict", 500: "Internal Server Error", 502: "Bad Gateway",
                 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass
class Fault:
    """One injected fault; `hits` counts how often it fired. `cancel()` retires it early.

    `status="timeout"` holds the request for `hold` seconds (longer than the client waits);
    `executed=True` performs the call before failing, like a reply lost on the way back.
    """

    method: str | None
    status: Status
    times: int | None = 1
    until: Callable[[], bool] | None = None
    retry_after: int | None = None
    description: str | None = None
    chat_id: int | None = None
    hold: float = 60.0
    executed: bool = False
    hits: int = 0
    cancelled: bool = False

    @property
    def active(self) -> bool:
        if self.cancelled or (self.times is not None and self.hits >= self.times):
            return False
        return not (self.until is not None and self.until())

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id

    def cancel(self) -> None:
        self.cancelled = True

    def error(self) -> ApiError:
        """The error to answer with (for numeric statuses)."""
        code = 504 if self.status == "timeout" else int(self.status)
        if code == 429:
            after = self.retry_after if self.retry_after is not None else 1
            return ApiError(429, self.description or f"Too Many Requests: retry after {after}",
                            retry_after=after)
        return ApiError(code, self.description or _DESCRIPTIONS.get(code, "Error"))


class Faults:
    """The active faults, consulted once per bot request."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The first active fault for this call, counting the hit."""
        self._faults = [f for f in self._faults if f.active]
        for fault in self._faults:
            if fault.matches(method, params):
                fault.hits += 1
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()
